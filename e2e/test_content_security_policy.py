"""The pages work under the strict Content Security Policy: nothing is blocked.

Chromium reports each blocked script, style or image on the console; a page that
relied on inline code would show such a message here. One test, run once per visit
below: a visit makes its data, signs people in and opens their pages (and uses the
scripts on them); the test fails on any policy report. A new page joins the visit of
its area, or a new visit joins VISITS.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from e2e.autosave import type_and_pause
from e2e.reminder_pages import reminder_paths
from e2e.signin import enter_password, sign_in_staff
from kapclinic.accounts.models import User
from kapclinic.journal.models import JournalEntry
from kapclinic.outcomes.actions import assign
from kapclinic.outcomes.links import make_token as make_link_token
from kapclinic.scheduling.tests.helpers import make_appointment
from kapclinic.test import Cast
from kapclinic.treatment.protocols import seed_default_protocols

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _collect_console(page: Page) -> list[str]:
    messages: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        messages.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: messages.append(str(error)))
    return messages


def _sign_in(page: Page, base: str, user: User) -> None:
    """Sign `user` in from a fresh session: staff with their second factor, a patient
    with the password alone."""
    page.context.clear_cookies()
    if user.is_patient:
        enter_password(page, base, user)
    else:
        sign_in_staff(page, base, user)


def _open(page: Page, base: str, *paths: str, headed: bool = True) -> None:
    """Open each page; with `headed`, each must show its page heading."""
    for path in paths:
        page.goto(f"{base}{path}")
        if headed:
            expect(page.get_by_role("heading", level=1)).to_be_visible()


# --- The visits ----------------------------------------------------------------------


def public_sign_in_and_chart(page: Page, base: str, cast: Cast) -> None:
    page.goto(f"{base}/")
    expect(page.get_by_text("not medical advice").first).to_be_visible()
    _sign_in(page, base, cast.prescriber)
    page.goto(f"{base}/patients/{cast.patient.pk}/")
    expect(page.get_by_role("heading", name="Pat Ient")).to_be_visible()
    # The stylesheet really applied: Pico sets the body font, which the browser
    # would not use if the CSS had been blocked.
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "system-ui" in font or "Segoe" in font
    page.goto(f"{base}/pathway/")
    expect(page.get_by_role("heading", name="Pathway board")).to_be_visible()
    page.goto(f"{base}/patients/{cast.patient.pk}/screening/")
    expect(page.get_by_role("heading", name="Screening", exact=True)).to_be_visible()
    protocol = seed_default_protocols(cast.site, actor=None)[0]
    _open(
        page,
        base,
        "/pathway/protocols/",
        f"/pathway/protocols/{protocol.pk}/",
        f"/pathway/patients/{cast.patient.pk}/plan/",
        f"/pathway/patients/{cast.patient.pk}/plan/edit/",
        f"/pathway/patients/{cast.patient.pk}/plan/course/",
        f"/pathway/patients/{cast.patient.pk}/timeline/",
    )


def dosing(page: Page, base: str, cast: Cast) -> None:
    from kapclinic.dosing.tests.factories import make_session

    session = make_session(cast)
    _sign_in(page, base, cast.nurse)
    page.goto(f"{base}/dosing/sessions/{session.pk}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"{base}/dosing/")
    expect(page.get_by_role("heading", name="Dosing board")).to_be_visible()
    # Let the board poll once (htmx, every 5 s) under the policy.
    with page.expect_response(lambda r: "/dosing/live/" in r.url, timeout=15_000):
        pass


def calendar_and_portal_appointments(page: Page, base: str, cast: Cast) -> None:
    appointment = make_appointment(cast)
    _sign_in(page, base, cast.front_desk)
    _open(
        page,
        base,
        "/schedule/",
        "/schedule/day/",
        "/schedule/week/",
        "/schedule/book/",
        f"/schedule/appointments/{appointment.pk}/",
        f"/schedule/appointments/{appointment.pk}/move/",
        "/book/possible-matches/",
        "/schedule/waitlist/",
    )
    _sign_in(page, base, cast.patient_user)
    _open(page, base, "/schedule/me/", "/schedule/me/book/", f"/schedule/me/{appointment.pk}/")


def reminder_links(page: Page, base: str, cast: Cast) -> None:
    confirm_page, dead_link_page, offer_page = reminder_paths(cast)
    page.goto(f"{base}{confirm_page}")
    expect(page.get_by_role("button", name="Yes, I will be there")).to_be_visible()
    page.goto(f"{base}{dead_link_page}")
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    page.goto(f"{base}{offer_page}")
    expect(page.get_by_role("button", name="Book this time")).to_be_visible()
    _sign_in(page, base, cast.front_desk)
    page.goto(f"{base}/r/waitlist/patient/{cast.patient.pk}/")
    expect(page.get_by_role("button", name="Join the waitlist")).to_be_visible()


def calendar_feed(page: Page, base: str, cast: Cast) -> None:
    _sign_in(page, base, cast.prescriber)
    page.goto(f"{base}/r/calendar/")
    page.get_by_role("button", name="Make a new feed link").click()
    expect(page.get_by_label("Feed link")).to_have_value(re.compile(r"/r/calendar/.+\.ics$"))
    expect(page.get_by_role("button", name="Turn off")).to_be_visible()


def questionnaire_crisis_and_alerts(page: Page, base: str, cast: Cast) -> None:
    now = timezone.now()
    assignment = assign(
        actor=cast.prescriber,
        patient=cast.patient,
        instrument="phq9",
        due_at=now,
        expires_at=now + dt.timedelta(days=7),
    )
    _sign_in(page, base, cast.patient_user)
    page.goto(f"{base}/outcomes/me/questionnaires/{assignment.pk}/")
    for number in range(1, 10):
        page.locator(f"#id_item_{number}_1").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Help is available now")).to_be_visible()
    page.goto(f"{base}/outcomes/me/progress/")
    _sign_in(page, base, cast.prescriber)
    pk = cast.patient.pk
    _open(
        page,
        base,
        "/outcomes/alerts/",
        f"/outcomes/patients/{pk}/enter/madrs/",
        f"/outcomes/patients/{pk}/send/",
        f"/outcomes/patients/{pk}/schedule/",
        f"/outcomes/patients/{pk}/trajectory/phq9/",
        f"/outcomes/patients/{pk}/safety/",
        f"/outcomes/patients/{pk}/safety/bladder/",
        "/outcomes/analytics/",
        headed=False,
    )


def questionnaire_link(page: Page, base: str, cast: Cast) -> None:
    now = timezone.now()
    assignment = assign(
        actor=cast.prescriber,
        patient=cast.patient,
        instrument="gad7",
        due_at=now,
        expires_at=now + dt.timedelta(days=2),
    )
    link = reverse("questionnaire_link:answer", args=[make_link_token(assignment.pk)])
    page.goto(f"{base}{link}")
    for number in range(1, 8):
        page.locator(f"#id_item_{number}_0").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    page.goto(f"{base}{link}")
    expect(page.get_by_role("heading", name="Already answered")).to_be_visible()


def journal_saved_as_the_patient_types(page: Page, base: str, cast: Cast) -> None:
    _sign_in(page, base, cast.patient_user)
    page.goto(f"{base}/journal/me/")
    page.get_by_role("button", name="Start a new entry").click()
    entry = page.get_by_label("Your entry")
    expect(entry).to_be_visible()
    # htmx posts the text after a pause in typing; the status line says so.
    type_and_pause(page, urlsplit(page.url).path, entry, "Calmer since Tuesday.")
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    assert JournalEntry.objects.get().body == "Calmer since Tuesday."
    _sign_in(page, base, cast.prescriber)
    _open(
        page,
        base,
        f"/journal/patients/{cast.patient.pk}/",
        f"/journal/patients/{cast.patient.pk}/psychotherapy/",
    )


def site_schedule(page: Page, base: str, cast: Cast) -> None:
    _sign_in(page, base, cast.admin)
    page.goto(f"{base}/outcomes/sites/{cast.site.pk}/schedule/")
    expect(page.get_by_role("heading", name="Questionnaire schedule")).to_be_visible()


def booking(page: Page, base: str, cast: Cast) -> None:
    from kapclinic.scheduling.tests.conftest import build_schedule
    from kapclinic.tests.test_url_access import _url_kwargs

    schedule = build_schedule(cast)
    token = _url_kwargs(cast)["book:manage"]()["token"]
    page.goto(f"{base}/book/")
    page.get_by_label("Kind of visit").select_option(str(schedule.consultation.pk))
    # htmx refreshes the free times in place; that script must run under the policy.
    page.get_by_role("button", name="Show free times").click()
    expect(page.locator("input[name=slot]").first).to_be_visible()
    _open(page, base, f"/book/manage/{token}/", f"/book/manage/{token}/reschedule/")


def intake(page: Page, base: str, cast: Cast) -> None:
    from kapclinic.intake.actions import ask_baseline
    from kapclinic.intake.sections import SECTIONS
    from kapclinic.intake.tests.helpers import at_consultation, filled_intake

    at_consultation(cast.patient, cast.prescriber)
    filled_intake(cast.patient)
    gad7 = ask_baseline(cast.patient, "gad7", actor=cast.patient_user)
    _sign_in(page, base, cast.patient_user)
    _open(
        page,
        base,
        "/patients/me/intake/",
        *(f"/patients/me/intake/{s.code}/" for s in SECTIONS),
        f"/outcomes/me/questionnaires/{gad7.pk}/",
    )
    filled_intake(cast.patient, submit=True)
    _sign_in(page, base, cast.prescriber)
    page.goto(f"{base}/patients/{cast.patient.pk}/intake/")
    expect(page.get_by_role("heading", name="Intake", exact=True)).to_be_visible()


def rems_forms(page: Page, base: str, cast: Cast) -> None:
    from kapclinic.dosing.tests.rems_helpers import make_esketamine_session

    session = make_esketamine_session(cast)
    _sign_in(page, base, cast.nurse)
    page.goto(f"{base}/dosing/rems/")
    expect(page.get_by_role("heading", name="REMS monitoring forms due")).to_be_visible()
    page.goto(f"{base}/dosing/rems/{session.pk}/")
    expect(page.get_by_role("heading", name="REMS Patient Monitoring Form")).to_be_visible()


def controlled_log(page: Page, base: str, cast: Cast) -> None:
    from kapclinic.controlled.tests.helpers import make_flagged_count

    _sign_in(page, base, cast.nurse)
    page.goto(f"{base}/controlled/sites/{cast.site.pk}/")
    expect(page.get_by_role("heading", name="Controlled-substance log")).to_be_visible()
    page.goto(f"{base}/controlled/sites/{cast.site.pk}/count/")
    expect(page.get_by_role("heading", name="Physical count")).to_be_visible()
    make_flagged_count(cast)
    _sign_in(page, base, cast.admin)
    page.goto(f"{base}/controlled/sites/{cast.site.pk}/review/")
    expect(page.get_by_role("heading", name="Review a flag")).to_be_visible()


def consent_and_preparation(page: Page, base: str, cast: Cast) -> None:
    from kapclinic.consent.tests.helpers import current, patient_signs

    document = current()
    consent = patient_signs(cast)
    pk = cast.patient.pk
    _sign_in(page, base, cast.patient_user)
    _open(page, base, "/consent/me/", "/consent/me/sign/im/", "/preparation/me/")
    # The autosave request (htmx) runs under the policy too.
    intentions = page.get_by_label("What do you hope for from this treatment?")
    type_and_pause(page, "/preparation/me/autosave/", intentions, "Rest.")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    _sign_in(page, base, cast.prescriber)
    _open(
        page,
        base,
        "/consent/forms/",
        f"/consent/forms/{document.pk}/",
        f"/consent/patients/{pk}/",
        f"/consent/signed/{consent.pk}/",
        f"/preparation/patients/{pk}/",
    )


VISITS: list[Callable[[Page, str, Cast], None]] = [
    public_sign_in_and_chart,
    dosing,
    calendar_and_portal_appointments,
    reminder_links,
    calendar_feed,
    questionnaire_crisis_and_alerts,
    questionnaire_link,
    journal_saved_as_the_patient_types,
    site_schedule,
    booking,
    intake,
    rems_forms,
    controlled_log,
    consent_and_preparation,
]


@pytest.mark.parametrize("visit", VISITS, ids=lambda visit: visit.__name__)
def test_pages_break_no_policy_rule(
    page: Page, live_server, cast: Cast, visit: Callable[[Page, str, Cast], None]
) -> None:
    messages = _collect_console(page)
    visit(page, live_server.url, cast)
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert blocked == []
