"""The calendar in a real browser: a patient books from the portal; front desk moves
an appointment from the week view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.signin import enter_password, sign_in_staff
from kapclinic.scheduling import actions
from kapclinic.scheduling.models import Appointment
from kapclinic.scheduling.tests.conftest import MONDAY, at, build_schedule

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_existing_patient_books_from_the_portal(page: Page, live_server, cast):
    build_schedule(cast)
    enter_password(page, live_server.url, cast.patient_user)
    expect(page).to_have_url(re.compile(r"/patients/me/$"))
    page.get_by_role("link", name="My appointments").first.click()
    expect(page.get_by_role("heading", name="My appointments")).to_be_visible()
    page.get_by_role("button", name="Book a visit").click()
    page.get_by_label("Kind of visit").select_option(label="Follow-up call (Site A)")
    page.get_by_label("Day").fill(MONDAY.isoformat())
    page.get_by_role("button", name="Find free times").click()
    page.get_by_role("button", name="10:00 · Priya Prescriber").click()
    expect(page.get_by_text("Your visit is booked.")).to_be_visible()
    expect(page.get_by_text("Monday 7 January 2030, 10:00")).to_be_visible()
    booked = Appointment.objects.get()
    assert (booked.patient, booked.start) == (cast.patient, at(MONDAY, 10))


def test_front_desk_moves_an_appointment_in_the_week_view(page: Page, live_server, cast):
    s = build_schedule(cast)
    appointment = actions.book_appointment(
        actor=cast.front_desk,
        patient=cast.patient,
        appointment_type=s.follow_up,
        start=at(MONDAY, 9),
        clinician=cast.prescriber.pk,
    )
    sign_in_staff(page, live_server.url, cast.front_desk)
    expect(page).to_have_url(re.compile(r"/schedule/$"))
    page.goto(f"{live_server.url}/schedule/week/?site={cast.site.pk}&date={MONDAY.isoformat()}")
    page.get_by_role("link", name=re.compile(r"09:00.09:30 Pat")).click()
    page.get_by_role("button", name="Move").click()
    page.get_by_role("button", name="14:00 · Priya Prescriber").click()
    expect(page.get_by_text("The appointment is moved.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"14:00.14:30 Pat"))).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.start == at(MONDAY, 14)
