"""The patient's intake in a real browser: autosave as they go, a bad answer reported
and kept, resumed on another device, the plain Save button without scripts, and the
pages fitting a phone with real answers in them."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, expect

from e2e.autosave import autosaved, type_and_leave
from e2e.signin import enter_password
from e2e.test_page_widths import SIZES, WIDEST
from kapclinic.intake.tests.helpers import at_consultation, filled_intake
from kapclinic.test import Cast, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
INTAKE = "/patients/me/intake/"


def _patient_page(browser: Browser, base_url: str, cast: Cast, **options: object) -> Page:
    context = browser.new_context(viewport=PHONE, **options)  # type: ignore[arg-type]
    page = context.new_page()
    enter_password(page, base_url, cast.patient_user)
    expect(page).to_have_url(re.compile(r"/patients/me/"))
    return page


def test_autosave_error_and_resume_on_another_device(browser: Browser, live_server, cast):
    at_consultation(cast.patient, cast.prescriber)
    page = _patient_page(browser, live_server.url, cast)
    messages: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        messages.append(message.text)

    page.on("console", keep)
    try:
        page.get_by_role("link", name="Complete your intake before your consultation").click()
        expect(page.get_by_text("0 of 10 steps done").first).to_be_visible()
        page.get_by_role("link", name="Medical history").click()
        autosaved(
            page,
            f"{INTAKE}medical/",
            page.locator('input[name="heart_disease"][value="no"]').check,
        )
        status = page.locator("#autosave-status")
        expect(status).to_have_text("All changes saved.")

        page.goto(f"{live_server.url}{INTAKE}antidepressants/")
        section = f"{INTAKE}antidepressants/"
        type_and_leave(
            page, section, page.get_by_label("Name of the antidepressant").first, "Citalopram"
        )
        weeks = page.get_by_label("For how many weeks").first
        type_and_leave(page, section, weeks, "600")
        expect(status).to_contain_text("Saved, except what needs correcting")
        expect(status).to_contain_text("For how many weeks")
        # What was typed stays in the page, to be corrected.
        expect(weeks).to_have_value("600")
        type_and_leave(page, section, weeks, "8")
        expect(status).to_have_text("All changes saved.")

        other = _patient_page(browser, live_server.url, cast)
        other.goto(f"{live_server.url}/patients/me/intake/medical/")
        expect(other.locator('input[name="heart_disease"][value="no"]')).to_be_checked()
        other.goto(f"{live_server.url}/patients/me/intake/antidepressants/")
        expect(other.get_by_label("For how many weeks").first).to_have_value("8")
        other.context.close()
    finally:
        page.context.close()
    assert [m for m in messages if "Content Security Policy" in m] == []


def test_pregnancy_follow_ups_are_asked_only_where_they_apply(browser: Browser, live_server, cast):
    at_consultation(cast.patient, cast.prescriber)
    page = _patient_page(browser, live_server.url, cast)
    try:
        page.goto(f"{live_server.url}{INTAKE}pregnancy/")
        pregnant = page.locator('input[name="pregnant"][value="no"]')
        expect(pregnant).to_be_hidden()
        section = f"{INTAKE}pregnancy/"
        autosaved(page, section, page.get_by_label("Yes, or it might").check)
        expect(pregnant).to_be_visible()
        expect(page.locator("#autosave-status")).to_have_text("All changes saved.")
        autosaved(page, section, page.get_by_label("No, neither applies to me").check)
        expect(pregnant).to_be_hidden()
        expect(page.locator("#autosave-status")).to_have_text("All changes saved.")
    finally:
        page.context.close()


def test_plain_save_works_without_scripts(browser: Browser, live_server, cast):
    at_consultation(cast.patient, cast.prescriber)
    page = _patient_page(browser, live_server.url, cast, java_script_enabled=False)
    try:
        page.goto(f"{live_server.url}/patients/me/intake/goals/")
        page.get_by_label("What do you hope treatment will change for you?").fill(
            "Sleep through the night."
        )
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("Your goals: saved.")).to_be_visible()
        expect(page.get_by_label("What do you hope treatment will change for you?")).to_have_value(
            "Sleep through the night."
        )
    finally:
        page.context.close()


def test_filled_intake_pages_fit_a_phone_and_a_tablet(browser: Browser, live_server, cast):
    at_consultation(cast.patient, cast.prescriber)
    filled_intake(cast.patient)
    page = _patient_page(browser, live_server.url, cast)
    paths = [
        "/patients/me/",
        "/patients/me/intake/",
        *(
            f"/patients/me/intake/{code}/"
            for code in ("medical", "mental", "medicines", "antidepressants", "pregnancy")
        ),
    ]
    too_wide = []
    try:
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                found = page.evaluate(WIDEST)
                if found:
                    too_wide.append(f"{path} at {width}px: {found}")
            page.set_viewport_size(PHONE)
        page.context.close()
        filled_intake(cast.patient, submit=True)
        staff = browser.new_context(viewport=PHONE)
        client = login(Client(), cast.prescriber)
        staff.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        staff_page = staff.new_page()
        for path in (
            f"/patients/{cast.patient.pk}/intake/",
            f"/patients/{cast.patient.pk}/screening/",
        ):
            staff_page.goto(f"{live_server.url}{path}")
            for width, height in SIZES:
                staff_page.set_viewport_size({"width": width, "height": height})
                found = staff_page.evaluate(WIDEST)
                if found:
                    too_wide.append(f"{path} at {width}px: {found}")
            staff_page.set_viewport_size(PHONE)
        staff.close()
    finally:
        if not page.is_closed():
            page.context.close()
    assert too_wide == [], "\n".join(too_wide)


def test_baseline_questionnaire_from_inside_the_intake_on_a_phone(
    browser: Browser, live_server, cast
):
    """The last steps: a PHQ-9 answered from the intake with item 9 above zero shows
    crisis resources at once and leads back to the intake, one step further on."""
    at_consultation(cast.patient, cast.prescriber)
    filled_intake(cast.patient)
    page = _patient_page(browser, live_server.url, cast)
    try:
        page.goto(f"{live_server.url}/patients/me/intake/")
        expect(page.get_by_text("7 of 10 steps done").first).to_be_visible()
        page.get_by_role("button", name="Answer the PHQ-9").click()
        expect(page.get_by_role("link", name="Your intake")).to_be_visible()
        for number in range(1, 10):
            group = page.get_by_role("group", name=re.compile(rf"^{number}\. "))
            group.get_by_label("some days (1)").check()
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_role("heading", name="Help is available now")).to_be_visible()
        page.get_by_role("link", name="Continue your intake").click()
        expect(page.get_by_text("8 of 10 steps done").first).to_be_visible()
        expect(page.get_by_role("heading", name="Help is available now")).to_be_visible()
        assert page.evaluate(WIDEST) is None
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Send to my care team").click()
        expect(page.get_by_text("Sent to your care team on")).to_be_visible()
        expect(page.get_by_role("heading", name="Questionnaires still to answer")).to_be_visible()
    finally:
        page.context.close()
