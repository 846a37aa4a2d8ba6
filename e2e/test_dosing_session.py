"""A whole IV session as the nurse on a tablet: open it from the board, pre-dose checks,
the dose, readings with one urgent value that reaches a second page showing the board
without a reload, acknowledgement by name, a discharge refused early, then discharge."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from e2e.signin import sign_in_staff
from kapclinic.dosing.models import DosingSession, SessionAlert
from kapclinic.dosing.tests.helpers import checked_in_visit, make_ready

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TABLET: ViewportSize = {"width": 768, "height": 1024}


def _vitals(
    page: Page, systolic: str, diastolic: str, heart: str, spo2: str, *, moaas: str = ""
) -> None:
    page.get_by_label("Systolic (mmHg)").fill(systolic)
    page.get_by_label("Diastolic (mmHg)").fill(diastolic)
    page.get_by_label("Heart rate (/min)").fill(heart)
    page.get_by_label("SpO2 (%)").fill(spo2)
    page.get_by_label("Breaths (/min)").fill("14")
    if moaas:
        page.get_by_label("MOAA/S").select_option(moaas)
    page.get_by_role("button", name=re.compile(r"^Save (baseline )?vital signs$")).click()


def test_nurse_runs_a_whole_iv_session(browser: Browser, live_server, cast) -> None:
    make_ready(cast)
    checked_in_visit(cast)
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    sign_in_staff(page, live_server.url, cast.nurse)

    # Open the session from the board, then the pre-dose checks.
    page.goto(f"{live_server.url}/dosing/")
    page.get_by_label("Prescriber on site").select_option(label="Priya Prescriber")
    page.get_by_role("button", name="Open session").click()
    expect(page.get_by_role("heading", name="Dosing session: Pat Ient")).to_be_visible()
    page.get_by_role("button", name="Start pre-dose checks").click()
    expect(page.get_by_text("35 mg", exact=False).first).to_be_visible()
    expect(page.get_by_text("0.5 mg/kg \u00d7 70.0 kg")).to_be_visible()
    page.get_by_label("Identity confirmed (name and date of birth)").check()
    page.get_by_label("No alcohol, cannabis or other interacting substances today").check()
    page.get_by_label("Who is taking the patient home").fill("Sam Driver")
    page.get_by_label("Their phone").fill("+1 312 555 0199")
    page.get_by_role("button", name="Save checklist").click()
    expect(page.get_by_text("Checklist saved.")).to_be_visible()
    _vitals(page, "124", "80", "72", "98")
    expect(page.get_by_text("Checklist complete.")).to_be_visible()
    page.get_by_role("button", name="Start dosing").click()
    expect(page.get_by_text("Dosing started.")).to_be_visible()

    # The dose: the form offers the plan's dose and the time now.
    page.get_by_label("Lot number").fill("KET-2026-117")
    page.get_by_label("Rate (mg per hour, infusions)").fill("52.5")
    page.get_by_role("button", name="Record dose").click()
    expect(page.get_by_text("Dose recorded.")).to_be_visible()
    page.get_by_role("button", name="Dose finished: start observation").click()
    expect(page.get_by_text("Dose finished: observation.")).to_be_visible()

    # A second page shows the board; an urgent reading appears there without a reload.
    board = context.new_page()
    board.goto(f"{live_server.url}/dosing/")
    expect(board.get_by_text("Pat Ient")).to_be_visible()
    expect(board.locator(".urgent-banner")).to_have_count(0)
    _vitals(page, "130", "82", "80", "85")
    banner = board.locator(".urgent-banner")
    expect(banner).to_contain_text("Urgent", timeout=15_000)
    expect(banner).to_contain_text("Oxygen saturation 85%")
    # Screen readers hear it from the live region outside the polled part.
    expect(board.get_by_role("alert")).to_contain_text("Oxygen saturation 85%")
    banner.get_by_role("button", name="Acknowledge").click()
    expect(board.get_by_text("Alert acknowledged by Nora Nurse.")).to_be_visible()
    expect(board.locator(".urgent-banner")).to_have_count(0)
    alert = SessionAlert.objects.get(rule="spo2")
    assert alert.acknowledged_by_id == cast.nurse.pk

    # Recovery, then a discharge refused before 120 minutes.
    page.reload()
    # On the tablet a radio button stays round and a tick box square: the rule that
    # makes text boxes 3rem tall for a finger once stretched them into tall ovals.
    for box in (
        page.locator("form.rating-form input[type=radio]").first,
        page.get_by_label("Dissociation has resolved"),
        page.get_by_label("Chest pain"),
    ):
        size = box.bounding_box()
        assert size is not None and abs(size["height"] - size["width"]) < 2, size
    _vitals(page, "126", "80", "74", "98", moaas="5")
    page.get_by_label("Dissociation has resolved").check()
    page.get_by_role("button", name="Save rating").click()
    # The recovery score item by item; the reading already answers oxygen as a hint.
    assessment = page.locator("form.recovery-form")
    expect(assessment.get_by_text("From the record: Latest SpO2 98%")).to_be_visible()
    expect(assessment.get_by_role("group", name="Bleeding")).to_be_hidden()
    for answer in (
        "Moves all four limbs on request (2)",
        "Breathes deeply and coughs freely (2)",
        "Blood pressure within 20 mmHg of the pre-dose value (2)",
        "Fully awake (2)",
        "Above 92% on room air (2)",
    ):
        assessment.get_by_label(answer).check()
    page.get_by_label("Escort or safe transport home confirmed").check()
    page.get_by_label("Told not to drive until the next day after restful sleep").check()
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text("Modified Aldrete 10 of 10")).to_be_visible()
    page.get_by_role("button", name="Ready for discharge").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Not yet the minimum observation time since the first dose.")

    # Time travel: the dose was two hours and five minutes ago.
    session = DosingSession.objects.get(patient=cast.patient)
    DosingSession.objects.filter(pk=session.pk).update(
        first_dose_at=timezone.now() - dt.timedelta(minutes=125)
    )
    page.get_by_role("button", name="Ready for discharge").click()
    expect(page.get_by_text("All discharge criteria are met.")).to_be_visible()
    page.get_by_role("button", name="Discharge", exact=True).click()
    expect(page.get_by_text(re.compile(r"Discharged at \d\d:\d\d"))).to_be_visible()
    session.refresh_from_db()
    assert session.state == "discharged"
    assert session.appointment.status == "completed"
    context.close()
