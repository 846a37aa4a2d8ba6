"""A new patient books a consultation from the public page, then uses the e-mailed
link to confirm, move and cancel it, in headless Chromium."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from kapclinic.scheduling.models import Appointment, AppointmentStatus
from kapclinic.scheduling.tests.conftest import build_schedule

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_new_patient_books_then_reschedules_and_cancels_from_the_link(
    page: Page, live_server, cast
):
    build_schedule(cast)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_label("Kind of visit").select_option(label="Initial consultation, Site A")
    # A week ahead, so the visit is outside the 24-hour window for changes online.
    page.get_by_label("From").fill((timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Show free times").click()
    page.locator("input[name=slot]").first.check()
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Newcomer")
    page.get_by_label("Date of birth").fill("1985-04-02")
    page.get_by_label("E-mail").fill("nina@example.org")
    page.get_by_label("Phone").fill("(312) 555-0199")
    page.get_by_label("What would you like help with?").fill("Low mood for a long time.")
    for group in page.locator("fieldset.group .field").all():
        radios = group.get_by_label("No", exact=True)
        if radios.count():
            radios.check()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    appointment = Appointment.objects.get()
    [message] = mail.outbox
    link = re.search(r"http://\S+/book/manage/\S+/", str(message.body))
    assert link
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    page.get_by_role("button", name="Confirm I will come").click()
    expect(page.get_by_text("Thank you: your visit is confirmed.")).to_be_visible()
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()

    page.get_by_role("button", name="Choose another time").click()
    page.locator("input[name=slot]").last.check()
    page.get_by_label("Why are you moving the visit?").fill("A work shift moved")
    page.get_by_role("button", name="Move my visit").click()
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    moved = Appointment.objects.get()
    assert moved.start != appointment.start and len(mail.outbox) == 2

    page.get_by_role("button", name="Cancel the visit").click()
    page.get_by_label("Why are you cancelling?").fill("Found a time closer to home")
    page.get_by_role("button", name="Cancel the visit").click()
    expect(page.get_by_text("Cancelled")).to_be_visible()
    assert Appointment.objects.get().status == AppointmentStatus.CANCELLED
