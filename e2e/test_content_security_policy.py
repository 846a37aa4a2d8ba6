"""The pages work under the strict Content Security Policy: nothing is blocked.

Chromium reports each blocked script, style or image on the console; a page that
relied on inline code would show such a message here.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from e2e.autosave import type_and_pause
from e2e.reminder_pages import reminder_paths
from e2e.signin import enter_password, sign_in_staff
from kapclinic.journal.models import JournalEntry
from kapclinic.outcomes.actions import assign
from kapclinic.outcomes.links import make_token as make_link_token
from kapclinic.scheduling.tests.helpers import make_appointment
from kapclinic.treatment.protocols import seed_default_protocols

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
    protocol = seed_default_protocols(cast.site, actor=None)[0]
    for path in (
        "/pathway/protocols/",
        f"/pathway/protocols/{protocol.pk}/",
        f"/pathway/patients/{cast.patient.pk}/plan/",
        f"/pathway/patients/{cast.patient.pk}/plan/edit/",
        f"/pathway/patients/{cast.patient.pk}/plan/course/",
        f"/pathway/patients/{cast.patient.pk}/timeline/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
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
        "/book/possible-matches/",
        "/schedule/waitlist/",
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
    page.goto(f"{live_server.url}/outcomes/me/progress/")
    page.context.clear_cookies()
    sign_in_staff(page, live_server.url, cast.prescriber)
    pk = cast.patient.pk
    for path in (
        "/outcomes/alerts/",
        f"/outcomes/patients/{pk}/enter/madrs/",
        f"/outcomes/patients/{pk}/send/",
        f"/outcomes/patients/{pk}/schedule/",
        f"/outcomes/patients/{pk}/trajectory/phq9/",
        f"/outcomes/patients/{pk}/safety/",
        f"/outcomes/patients/{pk}/safety/bladder/",
        "/outcomes/analytics/",
    ):
        page.goto(f"{live_server.url}{path}")
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []


def test_questionnaire_link_breaks_no_policy_rule(page: Page, live_server, cast):
    now = timezone.now()
    assignment = assign(
        actor=cast.prescriber,
        patient=cast.patient,
        instrument="gad7",
        due_at=now,
        expires_at=now + dt.timedelta(days=2),
    )
    messages = _collect_console(page)
    link = reverse("questionnaire_link:answer", args=[make_link_token(assignment.pk)])
    page.goto(f"{live_server.url}{link}")
    for number in range(1, 8):
        page.locator(f"#id_item_{number}_0").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    page.goto(f"{live_server.url}{link}")
    expect(page.get_by_role("heading", name="Already answered")).to_be_visible()
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []


def test_journal_saves_as_the_patient_types_within_the_policy(page: Page, live_server, cast):
    messages = _collect_console(page)
    enter_password(page, live_server.url, cast.patient_user)
    page.goto(f"{live_server.url}/journal/me/")
    page.get_by_role("button", name="Start a new entry").click()
    entry = page.get_by_label("Your entry")
    expect(entry).to_be_visible()
    # htmx posts the text after a pause in typing; the status line says so.
    type_and_pause(page, urlsplit(page.url).path, entry, "Calmer since Tuesday.")
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    assert JournalEntry.objects.get().body == "Calmer since Tuesday."
    page.context.clear_cookies()
    sign_in_staff(page, live_server.url, cast.prescriber)
    for path in (
        f"/journal/patients/{cast.patient.pk}/",
        f"/journal/patients/{cast.patient.pk}/psychotherapy/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []


def test_site_schedule_breaks_no_policy_rule(page: Page, live_server, cast):
    messages = _collect_console(page)
    sign_in_staff(page, live_server.url, cast.admin)
    page.goto(f"{live_server.url}/outcomes/sites/{cast.site.pk}/schedule/")
    expect(page.get_by_role("heading", name="Questionnaire schedule")).to_be_visible()
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


def test_intake_pages_break_no_policy_rule(page: Page, live_server, cast):
    from kapclinic.intake.sections import SECTIONS
    from kapclinic.intake.tests.helpers import at_consultation, filled_intake

    at_consultation(cast.patient, cast.prescriber)
    filled_intake(cast.patient)
    from kapclinic.intake.actions import ask_baseline

    gad7 = ask_baseline(cast.patient, "gad7", actor=cast.patient_user)
    messages = _collect_console(page)
    enter_password(page, live_server.url, cast.patient_user)
    for path in [
        "/patients/me/intake/",
        *(f"/patients/me/intake/{s.code}/" for s in SECTIONS),
        f"/outcomes/me/questionnaires/{gad7.pk}/",
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    filled_intake(cast.patient, submit=True)
    page.context.clear_cookies()
    sign_in_staff(page, live_server.url, cast.prescriber)
    page.goto(f"{live_server.url}/patients/{cast.patient.pk}/intake/")
    expect(page.get_by_role("heading", name="Intake", exact=True)).to_be_visible()
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []


def test_rems_form_pages_break_no_policy_rule(page: Page, live_server, cast):
    from kapclinic.dosing.tests.rems_helpers import make_esketamine_session

    session = make_esketamine_session(cast)
    messages = _collect_console(page)
    sign_in_staff(page, live_server.url, cast.nurse)
    page.goto(f"{live_server.url}/dosing/rems/")
    expect(page.get_by_role("heading", name="REMS monitoring forms due")).to_be_visible()
    page.goto(f"{live_server.url}/dosing/rems/{session.pk}/")
    expect(page.get_by_role("heading", name="REMS Patient Monitoring Form")).to_be_visible()
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []


def test_controlled_log_pages_break_no_policy_rule(page: Page, live_server, cast):
    messages = _collect_console(page)
    sign_in_staff(page, live_server.url, cast.nurse)
    page.goto(f"{live_server.url}/controlled/sites/{cast.site.pk}/")
    expect(page.get_by_role("heading", name="Controlled-substance log")).to_be_visible()
    page.goto(f"{live_server.url}/controlled/sites/{cast.site.pk}/count/")
    expect(page.get_by_role("heading", name="Physical count")).to_be_visible()
    from kapclinic.controlled.tests.helpers import make_flagged_count

    make_flagged_count(cast)
    page.context.clear_cookies()
    sign_in_staff(page, live_server.url, cast.admin)
    page.goto(f"{live_server.url}/controlled/sites/{cast.site.pk}/review/")
    expect(page.get_by_role("heading", name="Review a flag")).to_be_visible()
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []


def test_consent_and_preparation_pages_break_no_policy_rule(page: Page, live_server, cast):
    from kapclinic.consent.tests.helpers import current, patient_signs

    document = current()
    consent = patient_signs(cast)
    pk = cast.patient.pk
    messages = _collect_console(page)
    enter_password(page, live_server.url, cast.patient_user)
    for path in ("/consent/me/", "/consent/me/sign/im/", "/preparation/me/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The autosave request (htmx) runs under the policy too.
    intentions = page.get_by_label("What do you hope for from this treatment?")
    type_and_pause(page, "/preparation/me/autosave/", intentions, "Rest.")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    page.context.clear_cookies()
    sign_in_staff(page, live_server.url, cast.prescriber)
    for path in (
        "/consent/forms/",
        f"/consent/forms/{document.pk}/",
        f"/consent/patients/{pk}/",
        f"/consent/signed/{consent.pk}/",
        f"/preparation/patients/{pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []
