"""The pages work under the strict Content Security Policy: nothing is blocked.

Chromium reports each blocked script, style or image on the console; a page that
relied on inline code would show such a message here.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from e2e.reminder_pages import reminder_paths
from e2e.signin import enter_password, sign_in_staff
from kapclinic.outcomes.actions import assign
from kapclinic.scheduling.tests.helpers import make_appointment

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
    page.goto(f"{live_server.url}/pathway/")
    expect(page.get_by_role("heading", name="Pathway board")).to_be_visible()
    page.goto(f"{live_server.url}/patients/{cast.patient.pk}/screening/")
    expect(page.get_by_role("heading", name="Screening", exact=True)).to_be_visible()
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []


def test_dosing_pages_break_no_policy_rule(page: Page, live_server, cast):
    from kapclinic.dosing.tests.factories import make_session

    session = make_session(cast)
    messages = _collect_console(page)
    sign_in_staff(page, live_server.url, cast.nurse)
    page.goto(f"{live_server.url}/dosing/sessions/{session.pk}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"{live_server.url}/dosing/")
    expect(page.get_by_role("heading", name="Dosing board")).to_be_visible()
    # Let the board poll once (htmx, every 5 s) under the policy.
    with page.expect_response(lambda r: "/dosing/live/" in r.url, timeout=15_000):
        pass
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []


def test_calendar_and_portal_appointment_pages_break_no_policy_rule(page: Page, live_server, cast):
    appointment = make_appointment(cast)
    messages = _collect_console(page)
    sign_in_staff(page, live_server.url, cast.front_desk)
    for path in (
        "/schedule/",
        "/schedule/day/",
        "/schedule/week/",
        "/schedule/book/",
        f"/schedule/appointments/{appointment.pk}/",
        f"/schedule/appointments/{appointment.pk}/move/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.context.clear_cookies()
    enter_password(page, live_server.url, cast.patient_user)
    for path in ("/schedule/me/", "/schedule/me/book/", f"/schedule/me/{appointment.pk}/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []


def test_reminder_link_pages_break_no_policy_rule(page: Page, live_server, cast):
    messages = _collect_console(page)
    confirm_page, dead_link_page, offer_page = reminder_paths(cast)
    page.goto(f"{live_server.url}{confirm_page}")
    expect(page.get_by_role("button", name="Yes, I will be there")).to_be_visible()
    page.goto(f"{live_server.url}{dead_link_page}")
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    page.goto(f"{live_server.url}{offer_page}")
    expect(page.get_by_role("button", name="Book this time")).to_be_visible()
    sign_in_staff(page, live_server.url, cast.front_desk)
    page.goto(f"{live_server.url}/r/waitlist/patient/{cast.patient.pk}/")
    expect(page.get_by_role("button", name="Join the waitlist")).to_be_visible()
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []


def test_calendar_feed_page_breaks_no_policy_rule(page: Page, live_server, cast):
    messages = _collect_console(page)
    sign_in_staff(page, live_server.url, cast.prescriber)
    page.goto(f"{live_server.url}/r/calendar/")
    page.get_by_role("button", name="Make a new feed link").click()
    expect(page.get_by_label("Feed link")).to_have_value(re.compile(r"/r/calendar/.+\.ics$"))
    expect(page.get_by_role("button", name="Turn off")).to_be_visible()
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []


def test_questionnaire_crisis_and_alert_pages_break_no_policy_rule(page: Page, live_server, cast):
    now = timezone.now()
    assignment = assign(
        actor=cast.prescriber,
        patient=cast.patient,
        instrument="phq9",
        due_at=now,
        expires_at=now + dt.timedelta(days=7),
    )
    messages = _collect_console(page)
    enter_password(page, live_server.url, cast.patient_user)
    page.goto(f"{live_server.url}/outcomes/me/questionnaires/{assignment.pk}/")
    for number in range(1, 10):
        page.locator(f"#id_item_{number}_1").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Help is available now")).to_be_visible()
    page.context.clear_cookies()
    sign_in_staff(page, live_server.url, cast.prescriber)
    pk = cast.patient.pk
    for path in (
        "/outcomes/alerts/",
        f"/outcomes/patients/{pk}/enter/madrs/",
        f"/outcomes/patients/{pk}/send/",
    ):
        page.goto(f"{live_server.url}{path}")
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
