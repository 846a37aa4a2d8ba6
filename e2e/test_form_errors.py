"""A rejected form shows the error at the field and keeps everything that was typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.signin import sign_in_staff
from kapclinic.patients.models import BodyMeasurement, Medication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def field_errors(page: Page, label: str):
    """The error list Django links to the input labelled `label` (aria-describedby)."""
    field = page.get_by_label(label)
    expect(field).to_have_attribute("aria-invalid", "true")
    described_by = field.get_attribute("aria-describedby") or ""
    ids = [i for i in described_by.split() if i.endswith("_error")]
    assert ids, f"{label!r} is not linked to an error: {described_by!r}"
    return page.locator(f"#{ids[0]}")


def test_impossible_weight_is_refused_and_height_is_kept(page: Page, live_server, cast):
    sign_in_staff(page, live_server.url, cast.prescriber)
    page.goto(f"{live_server.url}/patients/{cast.patient.pk}/")
    page.get_by_role("link", name="Record").click()
    expect(page).to_have_url(re.compile(rf"/patients/{cast.patient.pk}/measurements/new/"))

    page.get_by_label("Height (cm)").fill("172.5")
    page.get_by_label("Weight (kg)").fill("999")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(rf"/patients/{cast.patient.pk}/measurements/new/"))
    expect(field_errors(page, "Weight (kg)")).to_contain_text("less than or equal to 350")
    expect(page.get_by_label("Height (cm)")).to_have_value("172.5")
    expect(page.get_by_label("Weight (kg)")).to_have_value("999")
    expect(page.get_by_label("Height (cm)")).not_to_have_attribute("aria-invalid", "true")
    assert not BodyMeasurement.objects.filter(patient=cast.patient).exists()


def test_future_start_date_is_refused_and_the_medicine_is_kept(page: Page, live_server, cast):
    sign_in_staff(page, live_server.url, cast.prescriber)
    page.goto(f"{live_server.url}/patients/{cast.patient.pk}/medications/new/")

    page.get_by_label("Name").fill("Sertraline")
    page.get_by_label("Drug class").select_option("antidepressant")
    page.get_by_label("Dose").fill("50 mg")
    page.get_by_label("Frequency").fill("once daily")
    page.get_by_label("Started on").fill("2999-01-01")
    page.get_by_role("button", name="Save").click()

    expect(field_errors(page, "Started on")).to_contain_text(
        "The start date cannot be in the future."
    )
    expect(page.get_by_label("Name")).to_have_value("Sertraline")
    expect(page.get_by_label("Drug class")).to_have_value("antidepressant")
    expect(page.get_by_label("Dose")).to_have_value("50 mg")
    expect(page.get_by_label("Frequency")).to_have_value("once daily")
    expect(page.get_by_label("Started on")).to_have_value("2999-01-01")
    assert not Medication.objects.filter(patient=cast.patient).exists()


def test_failed_threshold_save_puts_a_linked_summary_in_focus(page: Page, live_server, cast):
    sign_in_staff(page, live_server.url, cast.admin)
    page.goto(f"{live_server.url}/clinic/sites/{cast.site.pk}/settings/")
    page.get_by_label("Warning: SpO2 below (%)").fill("")
    page.get_by_role("button", name="Save thresholds").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    link = summary.get_by_role("link", name=re.compile("Warning: SpO2 below"))
    link.click()
    expect(page.get_by_label("Warning: SpO2 below (%)")).to_be_in_viewport()


def test_care_team_removal_asks_first(page: Page, live_server, cast):
    from kapclinic.patients.models import CareTeamMember

    sign_in_staff(page, live_server.url, cast.prescriber)
    page.goto(f"{live_server.url}/patients/{cast.patient.pk}/")
    remove = page.get_by_role("button", name="Remove Nora Nurse from the care team")
    questions: list[str] = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, accept=False))
    remove.click()
    page.wait_for_timeout(200)
    assert questions and "Nora Nurse" in questions[0]
    assert CareTeamMember.objects.filter(patient=cast.patient, user=cast.nurse).exists()

    page.once("dialog", lambda d: answer(d, accept=True))
    remove.click()
    expect(page.get_by_role("button", name="Remove Nora Nurse from the care team")).to_have_count(0)
    assert not CareTeamMember.objects.filter(patient=cast.patient, user=cast.nurse).exists()
