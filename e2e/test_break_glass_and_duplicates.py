"""Break-glass refuses care-team changes in words, and registration warns of a record
the user cannot open, in a real browser: the messages show, nothing trips the
Content Security Policy, and axe-core finds no serious problem on those pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from e2e.signin import sign_in_staff
from e2e.test_accessibility import AXE, serious_violations
from kapclinic.patients.models import CareTeamMember, Patient
from kapclinic.test import make_patient

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REASON = "Patient collapsed in the waiting room; need allergy list now."


def _console(page: Page) -> list[str]:
    messages: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        messages.append(message.text)

    page.on("console", keep)
    return messages


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def _open_glass_and_ask_for_the_team(page: Page, live_server, cast) -> None:
    sign_in_staff(page, live_server.url, cast.therapist)
    page.goto(f"{live_server.url}/patients/break-glass/")
    page.get_by_label("Medical record number").fill(cast.patient.mrn)
    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Open the record").click()
    expect(page).to_have_url(re.compile(rf"/patients/{cast.patient.pk}/$"))
    page.goto(f"{live_server.url}/patients/{cast.patient.pk}/care-team/new/")
    expect(page).to_have_url(re.compile(rf"/patients/{cast.patient.pk}/$"))


def _register_a_person_known_elsewhere(page: Page, live_server, cast) -> None:
    hidden = make_patient(cast.other_site, "MRN-0903", "Hana", "Hidden")
    hidden.birth_date = dt.date(1990, 1, 2)
    hidden.save()
    sign_in_staff(page, live_server.url, cast.front_desk)
    page.goto(f"{live_server.url}/patients/new/")
    page.get_by_label("Given name").fill("Hana")
    page.get_by_label("Family name").fill("Hidden")
    page.get_by_label("Birth date").fill("1990-01-02")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Possible existing record elsewhere in the clinic")).to_be_visible()


def test_care_team_change_under_break_glass_is_refused_in_words(page: Page, live_server, cast):
    messages = _console(page)
    _open_glass_and_ask_for_the_team(page, live_server, cast)
    expect(page.get_by_text("not change the care team")).to_be_visible()
    assert not CareTeamMember.objects.filter(patient=cast.patient, user=cast.therapist).exists()
    assert [m for m in messages if "Content Security Policy" in m] == []


def test_registration_warns_of_a_record_elsewhere_without_naming_it(page: Page, live_server, cast):
    messages = _console(page)
    _register_a_person_known_elsewhere(page, live_server, cast)
    assert "MRN-0903" not in page.content()
    page.get_by_label("I have checked: this is a different person").check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/patients/\d+/$"))
    assert Patient.objects.filter(family_name="Hidden").count() == 2
    assert [m for m in messages if "Content Security Policy" in m] == []


def test_the_refusal_and_the_warning_pass_axe(axe_page: Page, live_server, cast):
    _open_glass_and_ask_for_the_team(axe_page, live_server, cast)
    assert serious_violations(axe_page) == []
    axe_page.context.clear_cookies()
    _register_a_person_known_elsewhere(axe_page, live_server, cast)
    assert serious_violations(axe_page) == []
