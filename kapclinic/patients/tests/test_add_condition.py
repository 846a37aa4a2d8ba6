import pytest
from django.urls import reverse

from kapclinic.patients.models import Condition
from kapclinic.patients.tests.helpers import assert_no_phi, last_event_id, new_events, state

DATA = {
    "category": "substance",
    "name": "Alcohol use disorder",
    "status": "remission",
    "onset": "2015",
}


def url(patient):
    return reverse("patients:add_condition", args=[patient.pk])


def test_prescriber_adds_a_condition(cast, as_user):
    start = last_event_id()
    response = as_user(cast.prescriber).post(url(cast.patient), DATA)
    assert response.status_code == 302
    condition = Condition.objects.get(patient=cast.patient)
    assert condition.category == "substance" and condition.recorded_by == cast.prescriber
    (row,) = new_events(start)
    assert row.action == "create"
    assert row.detail == {"fields": ["category", "name", "onset", "status"]}


def test_form_is_shown(cast, as_user):
    assert as_user(cast.nurse).get(url(cast.patient)).status_code == 200


def test_unknown_category_keeps_what_was_typed(cast, as_user):
    before = state()
    response = as_user(cast.prescriber).post(url(cast.patient), {**DATA, "category": "astrology"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert 'value="Alcohol use disorder"' in response.content.decode()
    assert state(count_reads=False) == before


@pytest.mark.parametrize("who", ["front_desk", "therapist", "outsider", "admin", "patient_user"])
def test_without_clinical_access_404_and_nothing_saved(cast, as_user, who):
    before = state()
    response = as_user(getattr(cast, who)).post(url(cast.patient), DATA)
    assert response.status_code == 404
    assert_no_phi(response, cast.patient)
    assert state() == before


def test_unknown_patient_is_404(cast, as_user):
    assert (
        as_user(cast.prescriber)
        .post(reverse("patients:add_condition", args=[999_999]), DATA)
        .status_code
        == 404
    )


def test_put_is_not_allowed(cast, as_user):
    assert as_user(cast.prescriber).put(url(cast.patient)).status_code == 405
