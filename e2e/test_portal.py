"""A patient signs in without a second factor and sees only their own record."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.signin import enter_password

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_patient_signs_in_with_password_only_and_sees_own_record(page: Page, live_server, cast):
    enter_password(page, live_server.url, cast.patient_user)

    expect(page).to_have_url(f"{live_server.url}/patients/me/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ient")
    expect(page.get_by_text("record number MRN-0001")).to_be_visible()
    expect(page.get_by_text("Priya Prescriber")).to_be_visible()
    expect(page.get_by_role("link", name="Patients")).to_have_count(0)


def test_other_patients_chart_is_a_404_without_their_name(page: Page, live_server, cast):
    enter_password(page, live_server.url, cast.patient_user)
    expect(page).to_have_url(f"{live_server.url}/patients/me/")

    response = page.goto(f"{live_server.url}/patients/{cast.other_patient.pk}/")

    assert response is not None and response.status == 404
    body = page.content()
    for secret in ("Oscar", "Other", "MRN-0002", "oscar@test.example"):
        assert secret not in body


def test_own_chart_url_leads_to_the_portal(page: Page, live_server, cast):
    enter_password(page, live_server.url, cast.patient_user)
    page.goto(f"{live_server.url}/patients/{cast.patient.pk}/")
    expect(page).to_have_url(f"{live_server.url}/patients/me/")


def test_idle_session_is_signed_out_on_the_next_page(page: Page, live_server, cast, settings):
    enter_password(page, live_server.url, cast.patient_user)
    expect(page).to_have_url(f"{live_server.url}/patients/me/")
    idle = settings.SESSION_IDLE_TIMEOUT

    # Moves the clock of the whole process, so the live server's thread too.
    with time_machine.travel(timezone.now() + idle + timedelta(minutes=1), tick=True):
        page.reload()
        expect(page).to_have_url(re.compile(r"/account/login/\?next=%2Fpatients%2Fme%2F"))
        expect(page.get_by_role("status")).to_contain_text("You were signed out after")
        expect(page.get_by_text("MRN-0001")).to_have_count(0)
