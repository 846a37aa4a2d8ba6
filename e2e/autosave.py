"""Changes on pages that save as the person goes (intake, preparation, journal), each
awaited until its save has answered.

Two waits, both learned from failures. The page's htmx is a deferred script, so a
form's fields can show (after a link, a button or "Save and continue") before it
has run, and a change made then sends nothing: wait for the page's load first. And
the test server shares one database connection between its threads, so the next
change, the next page or the test's own reads must wait until this save is done.

How many requests a change sends (htmx): a form saving on `change` sends one when a
field is left or a box ticked; one that also saves on `input delay:...` sends one
after the pause in typing, unless a `change` comes first (it cancels the pending
pause). So: type and leave a field, or tick a box, and wait for one save; or type
and stay, and wait for the save after the pause.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, Response


def autosaved(page: Page, path: str, change: Callable[[], None]) -> Response:
    """Make one change and wait for the autosave it sends (a POST to a URL whose path
    ends with `path`) to come back; the save must have succeeded."""
    page.wait_for_load_state("load")
    with page.expect_response(
        lambda response: (
            response.request.method == "POST" and urlsplit(response.url).path.endswith(path)
        )
    ) as saved:
        change()
    response = saved.value
    assert response.ok, f"the autosave to {path} answered {response.status}"
    return response


def type_and_leave(page: Page, path: str, box: Locator, text: str) -> Response:
    """Type into a field and leave it (Tab): its change event sends the save."""
    page.wait_for_load_state("load")
    box.fill(text)
    return autosaved(page, path, lambda: box.press("Tab"))


def type_and_pause(page: Page, path: str, box: Locator, text: str) -> Response:
    """Type into a field that saves as the person types and stay in it: the save goes
    after the pause in typing."""
    return autosaved(page, path, lambda: box.fill(text))
