"""On a phone, the patient signs their consent and writes their intentions (saved as
they type); then the prescriber countersigns, which moves the pathway on."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.autosave import type_and_pause
from e2e.signin import enter_password, sign_in_staff
from kapclinic.consent.defaults import ensure_documents
from kapclinic.consent.models import Consent
from kapclinic.patients.models import PathwayStage
from kapclinic.preparation.models import Preparation
from kapclinic.treatment.walk import walk_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


def _fits(page: Page) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_patient_signs_and_prepares_then_prescriber_countersigns(phone: Page, live_server, cast):
    ensure_documents()
    walk_to(cast.patient, PathwayStage.TREATMENT_PLAN, actor=cast.prescriber)
    page = phone
    enter_password(page, live_server.url, cast.patient_user)
    expect(page).to_have_url(f"{live_server.url}/patients/me/")

    page.get_by_role("link", name="Read and sign your consent form").click()
    expect(page.get_by_role("heading", name="My consent")).to_be_visible()
    page.get_by_role("button", name="Read and sign").first.click()
    expect(page.get_by_role("heading", name="Off-label use")).to_be_visible()
    assert _fits(page)
    for box in page.get_by_role("checkbox").all():
        box.check()
    page.get_by_label("Your full name").fill("  pat ient ")
    page.get_by_role("button", name="Sign the consent form").click()
    expect(page.get_by_text("your consent is signed")).to_be_visible()
    consent = Consent.objects.get()
    assert consent.typed_name == "pat ient" and consent.countersigned_at is None

    page.goto(f"{live_server.url}/preparation/me/")
    assert _fits(page)
    # Saved as the patient types, after a short pause, without pressing Save.
    type_and_pause(
        page,
        "/preparation/me/autosave/",
        page.get_by_label("What do you hope for from this treatment?"),
        "To notice the good days again.",
    )
    expect(page.locator("#autosave-status")).to_contain_text(re.compile(r"Saved at \d\d:\d\d"))
    assert Preparation.objects.get().intentions == "To notice the good days again."
    page.reload()
    expect(page.get_by_label("What do you hope for from this treatment?")).to_have_value(
        "To notice the good days again."
    )

    page.context.clear_cookies()
    sign_in_staff(page, live_server.url, cast.prescriber)
    page.goto(f"{live_server.url}/consent/patients/{cast.patient.pk}/")
    assert _fits(page)
    page.get_by_role("link", name="Read and countersign").click()
    page.get_by_role("button", name="Countersign").click()
    expect(page.get_by_text("Consent countersigned.")).to_be_visible()
    consent.refresh_from_db()
    cast.patient.refresh_from_db()
    assert consent.countersigned_by == cast.prescriber
    assert cast.patient.stage == PathwayStage.CONSENT
