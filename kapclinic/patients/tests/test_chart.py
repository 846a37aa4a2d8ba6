import re

import pytest
from django.urls import reverse

from kapclinic.patients.tests.helpers import (
    ALLERGY_NAME,
    CONDITION_NAME,
    MEDICATION_NAME,
    add_clinical_record,
    assert_no_phi,
    last_event_id,
    new_events,
    state,
)


def url(patient):
    return reverse("patients:chart", args=[patient.pk])


@pytest.fixture
def record(cast):
    add_clinical_record(cast.patient)
    return cast.patient


@pytest.mark.parametrize("who", ["prescriber", "nurse"])
def test_care_team_sees_the_whole_chart(cast, as_user, record, who):
    response = as_user(getattr(cast, who)).get(url(record))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "MRN-0001",
        "Sam Partner",
        "Emergency contact",
        CONDITION_NAME,
        "Bipolar disorder (mother)",
        MEDICATION_NAME,
        "Antidepressant",
        "Lorazepam",
        "Benzodiazepine",
        ALLERGY_NAME,
        "72.3 kg",
        "25.0",  # BMI of 72.3 kg at 170 cm
        "Priya Prescriber",
    ):
        assert text in body, text


def test_past_medications_are_listed_apart(cast, as_user, record):
    response = as_user(cast.prescriber).get(url(record))
    assert [m.name for m in response.context["current_medications"]] == [MEDICATION_NAME]
    assert [m.name for m in response.context["past_medications"]] == ["Lorazepam"]


def test_front_desk_sees_demographics_and_contacts_only(cast, as_user, record):
    response = as_user(cast.front_desk).get(url(record))
    assert response.status_code == 200
    body = response.content.decode()
    assert "MRN-0001" in body and "Sam Partner" in body
    for secret in (CONDITION_NAME, MEDICATION_NAME, ALLERGY_NAME, "72.3"):
        assert secret not in body, secret


def test_nurse_off_the_care_team_sees_demographics_only(cast, as_user, record):
    response = as_user(cast.nurse).get(url(cast.other_patient))
    assert response.status_code == 200
    assert response.context["clinical"] is False


@pytest.mark.parametrize("who", ["therapist", "outsider", "admin", "other_patient_user"])
def test_out_of_scope_is_404_without_phi(cast, as_user, record, who):
    before = state()
    response = as_user(getattr(cast, who)).get(url(record))
    assert response.status_code == 404
    assert_no_phi(response, record)
    assert CONDITION_NAME not in response.content.decode()
    assert state() == before


def test_out_of_scope_looks_like_a_missing_patient(cast, as_user):
    client = as_user(cast.therapist)
    hidden = client.get(url(cast.patient))
    missing = client.get(reverse("patients:chart", args=[999_999]))
    assert hidden.status_code == missing.status_code == 404
    # CSRF tokens are masked afresh on every response; everything else must match.
    assert _without_csrf(hidden.content) == _without_csrf(missing.content)


def _without_csrf(body: bytes) -> str:
    text = body.decode()
    text = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", text)
    text = re.sub(r'(name="csrf-token" content=")[^"]+', r"\1", text)
    return re.sub(r'("X-CSRFToken": ")[^"]+', r"\1", text)


def test_patient_opening_own_chart_goes_to_portal(cast, as_user):
    response = as_user(cast.patient_user).get(url(cast.patient))
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:portal")


def test_unknown_patient_is_404(cast, as_user):
    assert (
        as_user(cast.prescriber).get(reverse("patients:chart", args=[999_999])).status_code == 404
    )


def test_post_is_not_allowed(cast, as_user):
    before = state()
    assert as_user(cast.prescriber).post(url(cast.patient)).status_code == 405
    assert state() == before


def test_one_view_audit_row(cast, as_user):
    start = last_event_id()
    as_user(cast.prescriber).get(url(cast.patient))
    rows = new_events(start)
    assert len(rows) == 1
    assert rows[0].action == "view" and rows[0].patient_id == cast.patient.pk
    assert rows[0].flagged is False


def test_denied_view_is_audited_as_denied(cast, as_user):
    start = last_event_id()
    as_user(cast.therapist).get(url(cast.patient))
    rows = new_events(start)
    assert [(r.action, r.outcome) for r in rows] == [("view", "denied")]
