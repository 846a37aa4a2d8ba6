"""The pages work under the strict Content Security Policy: nothing is blocked.

Chromium reports each blocked script, style or image on the console; a page that
relied on inline code would show such a message here.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from e2e.signin import sign_in_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _collect_console(page: Page) -> list[str]:
    messages: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        messages.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: messages.append(str(error)))
    return messages


def test_public_sign_in_and_chart_pages_break_no_policy_rule(page: Page, live_server, cast):
    messages = _collect_console(page)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text("not medical advice").first).to_be_visible()
    sign_in_staff(page, live_server.url, cast.prescriber)
    page.goto(f"{live_server.url}/patients/{cast.patient.pk}/")
    expect(page.get_by_role("heading", name="Pat Ient")).to_be_visible()
    # The stylesheet really applied: Pico sets the body font, which the browser
    # would not use if the CSS had been blocked.
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "system-ui" in font or "Segoe" in font
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []


def test_booking_pages_break_no_policy_rule(page: Page, live_server, cast):
    from kapclinic.scheduling.tests.conftest import build_schedule
    from kapclinic.tests.test_url_access import _url_kwargs

    schedule = build_schedule(cast)
    token = _url_kwargs(cast)["book:manage"]()["token"]
    messages = _collect_console(page)
    page.goto(f"{live_server.url}/book/")
    page.get_by_label("Kind of visit").select_option(str(schedule.consultation.pk))
    # htmx refreshes the free times in place; that script must run under the policy.
    page.get_by_role("button", name="Show free times").click()
    expect(page.locator("input[name=slot]").first).to_be_visible()
    for path in (f"/book/manage/{token}/", f"/book/manage/{token}/reschedule/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []
