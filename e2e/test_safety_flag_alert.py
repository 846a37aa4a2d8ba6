"""On a phone and a tablet: a new interacting medicine for a patient in the dosing
phase shows as a banner on the chart and on the pathway board, within the page's
width, with no accessibility or Content Security Policy problem (checked as the
care team's nurse); the care team's prescriber acknowledges it from the board's
link and the banner goes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, expect

from e2e.signin import sign_in_staff
from e2e.test_accessibility import AXE, serious_violations
from e2e.test_page_widths import WIDEST
from kapclinic.outcomes.tests.history import dosing_appointment
from kapclinic.patients import actions
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.screening.models import SafetyFlagAlert

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
TABLET: ViewportSize = {"width": 768, "height": 1024}
REASON = "Takes an MAO inhibitor: blood pressure may rise further; review."


def _checked(page: Page, url: str, messages: list[str]) -> None:
    page.goto(url)
    assert page.evaluate(WIDEST) is None, url
    if AXE.exists():
        assert serious_violations(page) == [], url
    assert [m for m in messages if "Content Security Policy" in m] == [], url


def test_banner_board_and_acknowledgement(browser: Browser, live_server, cast) -> None:
    Patient.objects.filter(pk=cast.patient.pk).update(stage=PathwayStage.DOSING)
    cast.patient.stage = PathwayStage.DOSING
    actions.add_medication(
        actor=cast.prescriber,
        patient=cast.patient,
        data={"name": "Phenelzine", "drug_class": "maoi"},
    )
    dosing_appointment(
        cast.patient, cast.nurse, timezone.now() + dt.timedelta(days=2), status="booked"
    )
    chart = f"{live_server.url}/patients/{cast.patient.pk}/"
    # axe-core is injected into the page, so this context bypasses the CSP; the CSP
    # is checked in a context of its own below.
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    sign_in_staff(page, live_server.url, cast.nurse)
    for viewport in (PHONE, TABLET):
        page.set_viewport_size(viewport)
        _checked(page, chart, [])
        _checked(page, f"{live_server.url}/pathway/", [])
    context.close()

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    messages: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        messages.append(message.text)

    page.on("console", keep)
    sign_in_staff(page, live_server.url, cast.prescriber)
    page.goto(f"{live_server.url}/pathway/")
    flags = page.get_by_role("region", name="New safety flags", exact=True)
    expect(flags).to_contain_text(REASON)
    flags.get_by_role("link", name="Ient, Pat").click()
    banner = page.locator("section.flag-alerts")
    expect(banner).to_contain_text(REASON)
    expect(banner).to_contain_text("Next dose on")
    banner.get_by_label("Note (optional)").fill("Discussed with the prescriber; dose on hold.")
    banner.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Safety flag acknowledged in your name.")).to_be_visible()
    expect(page.locator("section.flag-alerts")).to_have_count(0)
    assert [m for m in messages if "Content Security Policy" in m] == []
    context.close()
    alert = SafetyFlagAlert.objects.get()
    assert alert.acknowledged_by == cast.prescriber
    assert alert.acknowledgement_note == "Discussed with the prescriber; dose on hold."
