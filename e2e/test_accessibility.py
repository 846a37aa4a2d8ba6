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
from django.utils import timezone
from playwright.sync_api import Browser, Page

from e2e.reminder_pages import reminder_paths
from e2e.signin import enter_password, sign_in_staff
from kapclinic.outcomes.actions import assign, submit
from kapclinic.scheduling.tests.helpers import make_appointment

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
                "/book/possible-matches/",
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
            ["/clinic/sites/", f"/clinic/sites/{cast.site.pk}/settings/", "/audit/"],
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
    ]
    assert problems_on(axe_page, live_server.url, pages) == {}


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
