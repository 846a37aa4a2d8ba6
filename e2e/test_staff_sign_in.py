"""Staff sign in with a password and a TOTP code, then find a patient and open the chart."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from e2e.signin import current_code, enter_password, sign_in_staff
from kapclinic.patients.models import Condition
from kapclinic.test import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_nurse_signs_in_with_code_finds_patient_by_mrn_and_opens_chart(
    page: Page, live_server, cast
):
    Condition.objects.create(
        patient=cast.patient,
        category=Condition.Category.PSYCHIATRIC,
        name="Treatment-resistant depression",
        code="F33.2",
    )
    enter_password(page, live_server.url, cast.nurse)

    expect(page).to_have_url(re.compile(r"/account/two-factor/verify/"))
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    device = TOTPDevice.objects.get(user=cast.nurse, confirmed=True)
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()

    # A nurse starts on the site's day, one click from the patient list.
    expect(page).to_have_url(f"{live_server.url}/schedule/")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.get_by_role("link", name="Patients").click()
    expect(page).to_have_url(f"{live_server.url}/patients/")
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    expect(page.get_by_role("link", name="Ient, Pat")).to_be_visible()

    page.get_by_label("Search").fill("MRN-0001")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"[?&]q=MRN-0001"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("MRN-0001")

    page.get_by_role("link", name="Ient, Pat").click()
    expect(page).to_have_url(f"{live_server.url}/patients/{cast.patient.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ient")
    expect(page.get_by_text("Treatment-resistant depression")).to_be_visible()
    expect(page.get_by_text("F33.2")).to_be_visible()


def test_search_for_another_mrn_does_not_list_the_care_team_patient(page: Page, live_server, cast):
    sign_in_staff(page, live_server.url, cast.nurse)
    page.goto(f"{live_server.url}/patients/")
    page.get_by_label("Search").fill("MRN-9999")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No patients match.")).to_be_visible()
    expect(page.get_by_role("link", name="Ient, Pat")).to_have_count(0)


def test_wrong_code_shows_an_error_and_stays_on_the_verify_page(page: Page, live_server, cast):
    enter_password(page, live_server.url, cast.nurse)
    expect(page).to_have_url(re.compile(r"/account/two-factor/verify/"))
    device = TOTPDevice.objects.get(user=cast.nurse, confirmed=True)
    right = current_code(device)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"

    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/account/two-factor/verify/"))
    expect(page.get_by_text("That code is not right.")).to_be_visible()
    # Still not through: the patient list sends the nurse back to the code page.
    page.goto(f"{live_server.url}/patients/")
    expect(page).to_have_url(re.compile(r"/account/two-factor/verify/"))
    expect(page.get_by_role("link", name="Ient, Pat")).to_have_count(0)


def test_chart_link_opened_before_sign_in_is_reached_after_both_steps(
    page: Page, live_server, cast
):
    chart = f"{live_server.url}/patients/{cast.patient.pk}/"
    page.goto(chart)
    expect(page).to_have_url(re.compile(r"/account/login/\?next="))

    page.get_by_label("E-mail").fill(cast.nurse.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/account/two-factor/verify/\?next="))
    device = TOTPDevice.objects.get(user=cast.nurse, confirmed=True)
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(chart)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ient")
