import pytest
from django.urls import reverse

from kapclinic.patients.models import Allergy
from kapclinic.patients.tests.helpers import assert_no_phi, last_event_id, new_events, state

DATA = {"substance": "Ketamine", "reaction": "Anaphylaxis", "severity": "severe"}


def url(patient):
    return reverse("patients:add_allergy", args=[patient.pk])


def test_nurse_adds_an_allergy(cast, as_user):
    start = last_event_id()
    assert as_user(cast.nurse).post(url(cast.patient), DATA).status_code == 302
    assert Allergy.objects.get(patient=cast.patient).substance == "Ketamine"
    (row,) = new_events(start)
    assert row.action == "create" and row.detail == {
        "fields": ["reaction", "severity", "substance"]
    }
    cast.patient.refresh_from_db()
    assert cast.patient.allergy_status == "recorded"


def test_form_is_shown(cast, as_user):
    assert as_user(cast.prescriber).get(url(cast.patient)).status_code == 200


def test_missing_substance_keeps_what_was_typed(cast, as_user):
    before = state()
    response = as_user(cast.nurse).post(url(cast.patient), {**DATA, "substance": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["substance"] == [
        "Enter what the patient is allergic to, or tick 'no known drug allergies'."
    ]
    assert 'value="Anaphylaxis"' in response.content.decode()
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
        as_user(cast.nurse).get(reverse("patients:add_allergy", args=[999_999])).status_code == 404
    )


def test_put_is_not_allowed(cast, as_user):
    assert as_user(cast.nurse).put(url(cast.patient)).status_code == 405
