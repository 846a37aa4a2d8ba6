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
