"""On a phone: a patient answers a PHQ-9 with item 9 above zero, sees crisis resources
at once, the care team's alert appears, and a clinician acknowledges it by name."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ViewportSize, expect

from e2e.signin import enter_password, sign_in_staff
from kapclinic.outcomes import actions
from kapclinic.outcomes.models import RiskAlert

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
# PHQ-9 answers by item: "some days" everywhere, so item 9 is above zero.
SOME_DAYS = "some days (1)"


def test_phq9_item_9_crisis_resources_alert_and_acknowledgement(
    browser: Browser, live_server, cast
):
    cast.site.phone = "+13125550199"
    cast.site.save()
    now = timezone.now()
    actions.assign(
        actor=cast.prescriber,
        patient=cast.patient,
        instrument="phq9",
        due_at=now,
        expires_at=now + dt.timedelta(days=7),
    )

    patient_context = browser.new_context(viewport=PHONE)
    page = patient_context.new_page()
    enter_password(page, live_server.url, cast.patient_user)
    expect(page.get_by_role("heading", name="Questionnaires waiting")).to_be_visible()
    page.get_by_role("link", name="Answer the PHQ-9").click()
    for number in range(1, 10):
        group = page.get_by_role("group", name=re.compile(rf"^{number}\. "))
        group.get_by_label(SOME_DAYS).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Help is available now")).to_be_visible()
    expect(page.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    patient_context.close()
    assert RiskAlert.objects.filter(patient=cast.patient, acknowledged_at=None).count() == 1

    staff_context = browser.new_context(viewport=PHONE)
    page = staff_context.new_page()
    sign_in_staff(page, live_server.url, cast.prescriber)
    page.goto(f"{live_server.url}/outcomes/alerts/")
    alert = page.locator("article.risk-alert.open")
    expect(alert).to_contain_text("PHQ-9: critical answer to item 9")
    alert.get_by_label("What you did or will do").fill("Phoned the patient; safety plan reviewed.")
    alert.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Alert acknowledged in your name.")).to_be_visible()
    expect(page.get_by_text("Acknowledged by Priya Prescriber")).to_be_visible()
    staff_context.close()
    assert RiskAlert.objects.get().acknowledged_by == cast.prescriber
