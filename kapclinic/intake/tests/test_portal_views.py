"""The patient's intake pages: autosave, plain Save, errors keep input, resumable, submit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.intake.models import Intake
from kapclinic.intake.tests.helpers import POSTS, as_query, at_consultation, filled_intake
from kapclinic.test import Cast, login
from kapclinic.treatment import actions as pathway

HTMX = {"HX-Request": "true"}


def section_url(code: str) -> str:
    return reverse("intake:section", kwargs={"code": code})


@pytest.fixture
def patient_client(client: Client, cast: Cast) -> Client:
    at_consultation(cast.patient, cast.prescriber)
    return login(client, cast.patient_user)


def test_portal_home_asks_for_the_intake_until_it_is_sent(
    patient_client: Client, cast: Cast
) -> None:
    body = patient_client.get(reverse("patients:portal")).content.decode()
    assert "Complete your intake before your consultation" in body
    assert "0 of 10 steps done" in body
    filled_intake(cast.patient, submit=True)
    body = patient_client.get(reverse("patients:portal")).content.decode()
    assert "Complete your intake" not in body


def test_portal_home_says_nothing_before_a_consultation(client: Client, cast: Cast) -> None:
    body = login(client, cast.patient_user).get(reverse("patients:portal")).content.decode()
    assert "Complete your intake" not in body
    body = client.get(reverse("intake:overview")).content.decode()
    assert "opens once your first consultation is booked" in body


def test_autosave_keeps_partial_answers(patient_client: Client, cast: Cast) -> None:
    response = patient_client.post(section_url("medical"), {"heart_disease": "no"}, headers=HTMX)
    assert response.status_code == 200
    assert "All changes saved." in response.content.decode()
    intake = Intake.objects.get(patient=cast.patient)
    assert intake.answers["medical"]["heart_disease"] == "no"
    body = patient_client.get(reverse("intake:overview")).content.decode()
    assert "0 of 10 steps done" in body


def test_autosave_reports_a_bad_answer_and_saves_the_rest(
    patient_client: Client, cast: Cast
) -> None:
    data = {"trial_1_drug": "Citalopram", "trial_1_weeks": "eight", "trial_1_dose": "20 mg"}
    body = patient_client.post(section_url("antidepressants"), data, headers=HTMX).content.decode()
    assert "Saved, except what needs correcting" in body and "For how many weeks" in body
    saved = Intake.objects.get(patient=cast.patient).answers["antidepressants"]
    assert saved["trial_1_drug"] == "Citalopram" and saved["trial_1_dose"] == "20 mg"
    assert "trial_1_weeks" not in saved


def test_plain_save_with_an_error_keeps_what_was_typed(patient_client: Client, cast: Cast) -> None:
    data = {"trial_1_drug": "Citalopram", "trial_1_weeks": "eight", "go": "next"}
    response = patient_client.post(section_url("antidepressants"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Not saved: please correct this problem" in body
    assert 'value="eight"' in body and 'value="Citalopram"' in body
    # The valid answer is saved even so.
    saved = Intake.objects.get(patient=cast.patient).answers["antidepressants"]
    assert saved["trial_1_drug"] == "Citalopram"


def test_plain_save_moves_to_the_next_section(patient_client: Client) -> None:
    response = patient_client.post(section_url("medical"), {**POSTS["medical"], "go": "next"})
    assert response.status_code == 302 and response["Location"] == section_url("mental")
    body = patient_client.get(reverse("intake:overview")).content.decode()
    assert "1 of 10 steps done" in body


def test_resumable_on_another_device(patient_client: Client, cast: Cast) -> None:
    patient_client.post(section_url("goals"), {"goals": "Walk the dog again."}, headers=HTMX)
    other_device = login(Client(), cast.patient_user)
    body = other_device.get(section_url("goals")).content.decode()
    assert "Walk the dog again." in body


def test_rows_grow_as_they_are_used(patient_client: Client) -> None:
    body = patient_client.get(section_url("medicines")).content.decode()
    assert "Medicine 2" in body and "Medicine 3" not in body
    patient_client.post(section_url("medicines"), {"med_1_name": "A", "med_2_name": "B"})
    body = patient_client.get(section_url("medicines")).content.decode()
    assert "Medicine 4" in body and "Medicine 5" not in body


def test_submit_then_read_only(patient_client: Client, cast: Cast) -> None:
    for code, data in POSTS.items():
        patient_client.post(section_url(code), as_query(data))
    body = patient_client.get(reverse("intake:overview")).content.decode()
    assert "7 of 10 steps done" in body and "Send to my care team" in body
    response = patient_client.post(reverse("intake:submit"))
    assert response.status_code == 302
    intake = Intake.objects.get(patient=cast.patient)
    assert intake.is_submitted
    body = patient_client.get(reverse("intake:overview")).content.decode()
    assert "Sent to your care team" in body and "Feel like myself again." in body
    # A later change is refused, and a section page now leads to the overview.
    response = patient_client.post(section_url("goals"), {"goals": "Changed"})
    assert response.status_code == 302
    assert patient_client.get(section_url("goals")).status_code == 302
    assert Intake.objects.get(pk=intake.pk).answers == intake.answers


def test_submit_before_every_section_is_done_is_refused(patient_client: Client, cast: Cast) -> None:
    patient_client.post(section_url("goals"), as_query(POSTS["goals"]))
    response = patient_client.post(reverse("intake:submit"), follow=True)
    assert "Please finish these parts first" in response.content.decode()
    assert not Intake.objects.get(patient=cast.patient).is_submitted


def test_another_patient_never_sees_this_intake(
    patient_client: Client, cast: Cast, client: Client
) -> None:
    filled_intake(cast.patient, submit=True)
    other = login(Client(), cast.other_patient_user)
    body = other.get(reverse("intake:overview")).content.decode()
    assert "Feel like myself again." not in body
    staff_url = reverse("intake:staff", kwargs={"pk": cast.patient.pk})
    assert other.get(staff_url).status_code == 404
    assert patient_client.get(staff_url).status_code == 404


def test_unknown_section_is_not_found(patient_client: Client) -> None:
    assert patient_client.get(section_url("nothing-here")).status_code == 404


def test_staff_cannot_use_the_portal_pages(client: Client, cast: Cast) -> None:
    login(client, cast.prescriber)
    assert client.get(reverse("intake:overview")).status_code == 404
    assert client.post(section_url("goals"), {"goals": "x"}).status_code == 404
    assert not Intake.objects.exists()


@pytest.mark.parametrize("filled", [False, True])
def test_section_page_query_count(
    patient_client: Client, cast: Cast, django_assert_num_queries, filled: bool
) -> None:
    if filled:
        filled_intake(cast.patient)
    patient_client.get(section_url("medicines"))  # warm up: session clock, audit chain head
    # Session, user, OTP device (3); the patient; the course; the intake; the audited
    # read (5); the clinic's name (1).
    with django_assert_num_queries(3 + 3 + 5 + 1):
        assert patient_client.get(section_url("medicines")).status_code == 200


@pytest.mark.parametrize("filled", [False, True])
def test_overview_query_count(
    patient_client: Client, cast: Cast, django_assert_num_queries, filled: bool
) -> None:
    if filled:
        filled_intake(cast.patient)
    patient_client.get(reverse("intake:overview"))
    # As the section page, plus the schedule's baseline rules, and once the intake
    # exists its questionnaires and their answers.
    with django_assert_num_queries(3 + 3 + (3 if filled else 1) + 5 + 1):
        assert patient_client.get(reverse("intake:overview")).status_code == 200


def test_closed_intake_pages_say_so(patient_client: Client, cast: Cast) -> None:
    patient_client.post(section_url("goals"), {"goals": "Started"})
    pathway.start_screening(cast.patient, actor=cast.prescriber)
    pathway.decide_eligible(cast.patient, actor=cast.prescriber)
    assert patient_client.get(section_url("goals")).status_code == 302
    body = patient_client.get(reverse("intake:overview")).content.decode()
    assert "Your intake is closed" in body
    body = patient_client.get(reverse("patients:portal")).content.decode()
    assert "Complete your intake" not in body
