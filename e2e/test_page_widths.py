"""Every page of the URL-by-role walk fits a phone (390x844) and a tablet (768x1024)
without sideways scrolling, has no serious accessibility finding, and breaks no rule of
the Content Security Policy.

The pages are those of the URL-by-role walk (`kapclinic/tests/test_url_access.py`):
each role opens every page it gets ("ok") at both sizes, and a page fails when
`document.documentElement.scrollWidth` exceeds the viewport width; the failure names
the element that reaches furthest right, so the fix is easy to find.

The same visit runs axe-core (serious and critical findings fail) and listens for
the browser's policy reports, so a new page is checked the day its row joins the
walk. The hand-made lists in `test_accessibility.py` and
`test_content_security_policy.py` stay: they open pages filled with data (charts,
alerts, forms with errors) that the walk's bare cast does not produce.

One browser and one context per role keep the run bounded: each page is loaded
once and measured at both sizes (media queries re-apply on resize). Roles are
signed in by handing the browser a session cookie made the way `login()` makes one
for the test client, so no page time is spent on the sign-in forms.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page

from e2e.test_accessibility import AXE
from kapclinic.test import Cast, login
from kapclinic.tests.test_url_access import EXPECTED, ROLES, _project_patterns, _url_kwargs

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # Layout depends on the templates and the stylesheet, not on the database: the
    # PostgreSQL run of the suite would measure the same pixels again.
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="page widths do not depend on the database; measured on the SQLite run",
    ),
]

SIZES = ((390, 844), (768, 1024))

# JSON endpoints and the CSV, PDF and .ics downloads are not pages a person reads.
NOT_PAGES = (
    "api:",
    "audit:export",
    "book:manage_ics",
    "rems:pdf",
    "controlled:export",
    "outcomes:analytics_export",
)

# Parts of a page that htmx swaps in: they are checked inside the page that holds them.
FRAGMENTS = ("/dosing/live/", "/dosing/alerts/urgent/")

# What reaches furthest right, and how far, when the page is wider than the viewport.
WIDEST = """
() => {
  const limit = document.documentElement.clientWidth;
  const width = document.documentElement.scrollWidth;
  if (width <= limit) return null;
  let widest = null, right = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect().right + window.scrollX;
    if (r > right) { right = r; widest = el; }
  }
  let name = '';
  if (widest) {
    name = widest.tagName.toLowerCase();
    if (widest.id) name += '#' + widest.id;
    if (widest.classList.length) name += '.' + [...widest.classList].join('.');
    const parent = widest.parentElement;
    if (parent) name = parent.tagName.toLowerCase() + ' > ' + name;
  }
  return {width, limit, widest: name, right: Math.round(right)};
}
"""


# axe-core is evaluated over the DevTools protocol rather than added as a <script>
# element, so the page keeps its real policy while it is checked.
AXE_RUN = """
async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => `${v.id}: ${v.help} -> ${v.nodes.slice(0, 3).map(n => n.target).join(', ')}`)
"""


def _users(cast: Cast) -> dict[str, object]:
    return {
        "patient": cast.patient_user,
        "front_desk": cast.front_desk,
        "therapist": cast.therapist,
        "nurse": cast.nurse,
        "prescriber": cast.prescriber,
        "admin": cast.admin,
        "outsider": cast.outsider,
    }


def _pages_for(role: str, cast: Cast) -> list[str]:
    makers = _url_kwargs(cast)
    urls = []
    for name in _project_patterns():
        if name.startswith(NOT_PAGES) or EXPECTED[name][role] != "ok":
            continue
        urls.append(reverse(name, kwargs=makers.get(name, dict)()))
    return urls


def _signed_in_page(browser: Browser, base_url: str, role: str, cast: Cast) -> Page:
    context = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    if role != "anon":
        client = login(Client(), _users(cast)[role])  # type: ignore[arg-type]
        session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": base_url}]
        )
    return context.new_page()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_and_passes_axe_and_the_policy(
    role: str, browser: Browser, live_server, cast
):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    axe_source = AXE.read_text()
    page = _signed_in_page(browser, live_server.url, role, cast)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    problems = []
    try:
        for path in _pages_for(role, cast):
            console.clear()
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                found = page.evaluate(WIDEST)
                if found:
                    problems.append(
                        f"{path} at {width}px: page {found['width']}px wide, "
                        f"widest {found['widest']} reaching {found['right']}px"
                    )
            page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
            if path.startswith(FRAGMENTS) or not response.headers.get(
                "content-type", ""
            ).startswith("text/html"):
                continue  # a fragment, or a health probe answering machines in plain text
            page.evaluate(axe_source)
            problems.extend(f"{path}: {finding}" for finding in page.evaluate(AXE_RUN))
            problems.extend(
                f"{path}: {message}" for message in console if "Content Security Policy" in message
            )
    finally:
        page.context.close()
    assert problems == [], "\n".join(problems)


def test_phone_menu_folds_the_links_and_opens_on_request(browser: Browser, live_server, cast):
    page = _signed_in_page(browser, live_server.url, "admin", cast)
    try:
        page.goto(f"{live_server.url}/audit/")
        sign_out = page.get_by_role("button", name="Sign out")
        menu = page.get_by_role("button", name="Menu")
        assert not sign_out.is_visible()
        menu.click()
        assert menu.get_attribute("aria-expanded") == "true"
        assert sign_out.is_visible()
        # On a tablet every link is in view and the button is not needed.
        page.set_viewport_size({"width": 768, "height": 1024})
        assert not menu.is_visible()
        assert page.get_by_role("link", name="Audit log").first.is_visible()
    finally:
        page.context.close()
