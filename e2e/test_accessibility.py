"""Key pages have no serious or critical accessibility problems, as axe-core finds them.

axe-core (npm, dev dependency) is injected into each page; the browser context
bypasses the site's Content Security Policy for that injection only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page

from e2e.reminder_pages import reminder_paths
from e2e.signin import enter_password, sign_in_staff
from kapclinic.journal.models import JournalEntry
from kapclinic.outcomes.actions import assign, submit
from kapclinic.outcomes.links import make_token as make_link_token
from kapclinic.outcomes.tests.history import score_history
from kapclinic.scheduling.tests.helpers import make_appointment
from kapclinic.treatment.protocols import seed_default_protocols

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def problems_on(page: Page, base_url: str, paths: list[str]) -> dict[str, list[str]]:
    """Each path with serious findings, mapped to them; empty when all pages pass."""
    found = {}
    for path in paths:
        page.goto(f"{base_url}{path}")
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    return found


def test_public_pages(axe_page: Page, live_server, cast):
    assert (
        problems_on(
            axe_page,
            live_server.url,
            [
                "/",
                "/learn/",
                "/account/login/",
                "/account/password-reset/",
                "/book/",
                "/book/sent/",
            ],
        )
        == {}
    )


def test_staff_pages(axe_page: Page, live_server, cast):
    appointment = make_appointment(cast)
    protocol = seed_default_protocols(cast.site, actor=None)[0]
    # A short PHQ-9 history around one dose and a session, so the trajectory
    # and safety pages draw their chart and tables.
    score_history(cast)
    sign_in_staff(axe_page, live_server.url, cast.prescriber)
    assert (
        problems_on(
            axe_page,
            live_server.url,
            [
                "/patients/",
                f"/patients/{cast.patient.pk}/",
                f"/patients/{cast.patient.pk}/medications/new/",
                "/patients/new/",
                "/pathway/",
                f"/patients/{cast.patient.pk}/screening/",
                "/pathway/protocols/",
                f"/pathway/protocols/{protocol.pk}/",
                f"/pathway/patients/{cast.patient.pk}/plan/",
                f"/pathway/patients/{cast.patient.pk}/plan/edit/",
                f"/pathway/patients/{cast.patient.pk}/plan/course/",
                f"/pathway/patients/{cast.patient.pk}/timeline/",
                "/account/security/",
                "/schedule/",
                "/schedule/week/",
                "/schedule/book/",
                f"/schedule/book/?patient={cast.patient.pk}",
                f"/schedule/appointments/{appointment.pk}/",
                f"/schedule/appointments/{appointment.pk}/move/",
                "/r/calendar/",
                f"/r/waitlist/patient/{cast.patient.pk}/",
                "/outcomes/alerts/",
                f"/outcomes/patients/{cast.patient.pk}/enter/madrs/",
                f"/outcomes/patients/{cast.patient.pk}/send/",
                f"/outcomes/patients/{cast.patient.pk}/schedule/",
                f"/outcomes/patients/{cast.patient.pk}/trajectory/phq9/",
                f"/outcomes/patients/{cast.patient.pk}/safety/",
                f"/outcomes/patients/{cast.patient.pk}/safety/bladder/",
                f"/outcomes/patients/{cast.patient.pk}/safety/misuse/",
                "/outcomes/analytics/",
                f"/journal/patients/{cast.patient.pk}/",
                f"/journal/patients/{cast.patient.pk}/psychotherapy/",
                "/book/possible-matches/",
                "/schedule/waitlist/",
            ],
        )
        == {}
    )


def test_dosing_pages(axe_page: Page, live_server, cast):
    from kapclinic.dosing.tests.factories import make_session

    session = make_session(cast)
    sign_in_staff(axe_page, live_server.url, cast.nurse)
    paths = ["/dosing/", f"/dosing/sessions/{session.pk}/"]
    assert problems_on(axe_page, live_server.url, paths) == {}


def test_admin_pages(axe_page: Page, live_server, cast):
    sign_in_staff(axe_page, live_server.url, cast.admin)
    assert (
        problems_on(
            axe_page,
            live_server.url,
            [
                "/clinic/sites/",
                f"/clinic/sites/{cast.site.pk}/settings/",
                f"/outcomes/sites/{cast.site.pk}/schedule/",
                "/audit/",
            ],
        )
        == {}
    )


def test_portal_pages(axe_page: Page, live_server, cast):
    appointment = make_appointment(cast)
    now = timezone.now()
    assignment = assign(
        actor=cast.prescriber,
        patient=cast.patient,
        instrument="phq9",
        due_at=now,
        expires_at=now + dt.timedelta(days=7),
    )
    crisis = submit(
        actor=cast.patient_user,
        patient=cast.patient,
        instrument="gad7",
        answers=[1] * 7,
        assignment=assign(
            actor=cast.prescriber,
            patient=cast.patient,
            instrument="gad7",
            due_at=now,
            expires_at=now + dt.timedelta(days=7),
        ),
    )
    enter_password(axe_page, live_server.url, cast.patient_user)
    pages = [
        "/patients/me/",
        "/patients/me/details/",
        "/schedule/me/",
        "/schedule/me/book/",
        f"/schedule/me/{appointment.pk}/",
        "/r/waitlist/",
        f"/outcomes/me/questionnaires/{assignment.pk}/",
        f"/outcomes/me/results/{crisis.pk}/",
        "/outcomes/me/progress/",
        "/journal/me/",
        f"/journal/me/{JournalEntry.objects.create(patient=cast.patient).pk}/",
    ]
    assert problems_on(axe_page, live_server.url, pages) == {}


def test_questionnaire_link_pages(axe_page: Page, live_server, cast):
    now = timezone.now()
    assignment = assign(
        actor=cast.prescriber,
        patient=cast.patient,
        instrument="qids_sr16",
        due_at=now,
        expires_at=now + dt.timedelta(days=2),
    )
    paths = [
        reverse("questionnaire_link:answer", args=[make_link_token(assignment.pk)]),
        reverse("questionnaire_link:answer", args=["no-longer-valid"]),
    ]
    assert problems_on(axe_page, live_server.url, paths) == {}


def test_reminder_link_pages(axe_page: Page, live_server, cast):
    assert problems_on(axe_page, live_server.url, reminder_paths(cast)) == {}


def test_booking_pages(axe_page: Page, live_server, cast):
    from kapclinic.scheduling.tests.conftest import build_schedule
    from kapclinic.tests.test_url_access import _url_kwargs

    schedule = build_schedule(cast)
    token = _url_kwargs(cast)["book:manage"]()["token"]
    paths = [
        f"/book/?service={schedule.consultation.pk}",
        f"/book/manage/{token}/",
        f"/book/manage/{token}/reschedule/",
        f"/book/manage/{token}/cancel/",
        "/book/manage/not-a-real-link/",
    ]
    assert problems_on(axe_page, live_server.url, paths) == {}


def test_intake_pages(axe_page: Page, live_server, cast):
    from kapclinic.intake.sections import SECTIONS
    from kapclinic.intake.tests.helpers import at_consultation, filled_intake

    at_consultation(cast.patient, cast.prescriber)
    filled_intake(cast.patient)
    # Baseline questionnaires in every state: answered (critical: crisis resources on
    # the overview), waiting (its questionnaire page), not asked yet (a button).
    from kapclinic.intake.actions import ask_baseline
    from kapclinic.outcomes.actions import submit

    phq9 = ask_baseline(cast.patient, "phq9", actor=cast.patient_user)
    submit(actor=cast.patient_user, patient=cast.patient, instrument="phq9", answers=[1] * 9,
           assignment=phq9)  # fmt: skip
    gad7 = ask_baseline(cast.patient, "gad7", actor=cast.patient_user)
    enter_password(axe_page, live_server.url, cast.patient_user)
    pages = ["/patients/me/intake/", *(f"/patients/me/intake/{s.code}/" for s in SECTIONS)]
    pages.append(f"/outcomes/me/questionnaires/{gad7.pk}/")
    assert problems_on(axe_page, live_server.url, pages) == {}
    filled_intake(cast.patient, submit=True)
    assert problems_on(axe_page, live_server.url, ["/patients/me/intake/"]) == {}
    axe_page.context.clear_cookies()
    sign_in_staff(axe_page, live_server.url, cast.prescriber)
    staff_pages = [
        f"/patients/{cast.patient.pk}/intake/",
        f"/patients/{cast.patient.pk}/screening/",
    ]
    assert problems_on(axe_page, live_server.url, staff_pages) == {}


def test_rems_form_pages(axe_page: Page, live_server, cast):
    from kapclinic.dosing.tests.rems_helpers import make_esketamine_session

    session = make_esketamine_session(cast)
    sign_in_staff(axe_page, live_server.url, cast.nurse)
    paths = ["/dosing/rems/", f"/dosing/rems/{session.pk}/"]
    assert problems_on(axe_page, live_server.url, paths) == {}


def test_controlled_log_pages(axe_page: Page, live_server, cast):
    sign_in_staff(axe_page, live_server.url, cast.nurse)
    site = cast.site.pk
    paths = [f"/controlled/sites/{site}/", f"/controlled/sites/{site}/waste/"]
    assert problems_on(axe_page, live_server.url, paths) == {}
    from kapclinic.controlled.tests.helpers import make_flagged_count

    make_flagged_count(cast)
    axe_page.context.clear_cookies()
    sign_in_staff(axe_page, live_server.url, cast.admin)
    paths = [f"/controlled/sites/{site}/", f"/controlled/sites/{site}/review/"]
    assert problems_on(axe_page, live_server.url, paths) == {}


def test_consent_and_preparation_pages(axe_page: Page, live_server, cast):
    from kapclinic.consent.tests.helpers import current, patient_signs

    document = current()
    consent = patient_signs(cast)
    pk = cast.patient.pk
    enter_password(axe_page, live_server.url, cast.patient_user)
    portal = ["/consent/me/", "/consent/me/sign/im/", "/preparation/me/"]
    assert problems_on(axe_page, live_server.url, portal) == {}
    axe_page.context.clear_cookies()
    sign_in_staff(axe_page, live_server.url, cast.prescriber)
    staff = [
        "/consent/forms/",
        f"/consent/forms/{document.pk}/",
        f"/consent/patients/{pk}/",
        f"/consent/signed/{consent.pk}/",
        f"/preparation/patients/{pk}/",
    ]
    assert problems_on(axe_page, live_server.url, staff) == {}
