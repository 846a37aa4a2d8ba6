"""The add-medication and stop-medication pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kapclinic.patients.models import Medication
from kapclinic.patients.tests.helpers import assert_no_phi, last_event_id, new_events, state

DATA = {
    "name": "Lamotrigine",
    "drug_class": "lamotrigine",
    "dose": "100 mg",
    "started_on": "2024-02-01",
}


def add_url(patient):
    return reverse("patients:add_medication", args=[patient.pk])


def stop_url(medication):
    return reverse("patients:stop_medication", args=[medication.patient_id, medication.pk])


@pytest.fixture
def medication(cast):
    return Medication.objects.create(
        patient=cast.patient,
        name="Sertraline",
        drug_class="antidepressant",
        started_on=dt.date(2024, 1, 10),
    )


def test_prescriber_adds_a_medication(cast, as_user):
    start = last_event_id()
    assert as_user(cast.prescriber).post(add_url(cast.patient), DATA).status_code == 302
    medication = Medication.objects.get(patient=cast.patient)
    assert medication.drug_class == "lamotrigine" and medication.is_current
    (row,) = new_events(start)
    assert row.detail == {"fields": ["dose", "drug_class", "name", "started_on"]}


def test_add_form_is_shown(cast, as_user):
    assert as_user(cast.nurse).get(add_url(cast.patient)).status_code == 200


def test_future_start_keeps_what_was_typed(cast, as_user):
    before = state()
    response = as_user(cast.prescriber).post(
        add_url(cast.patient), {**DATA, "started_on": "2999-01-01"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be in the future" in body and 'value="Lamotrigine"' in body
    assert state(count_reads=False) == before


def test_stop_moves_the_medication_to_the_past(cast, as_user, medication):
    start = last_event_id()
    response = as_user(cast.prescriber).post(stop_url(medication), {"stopped_on": "2024-06-01"})
    assert response.status_code == 302
    medication.refresh_from_db()
    assert medication.stopped_on == dt.date(2024, 6, 1)
    (row,) = new_events(start)
    assert row.action == "update" and row.detail == {"fields": ["stopped_on"]}


def test_stop_form_offers_today(cast, as_user, medication):
    response = as_user(cast.nurse).get(stop_url(medication))
    assert f'value="{timezone.localdate().isoformat()}"' in response.content.decode()


def test_stop_before_start_is_refused(cast, as_user, medication):
    before = state()
    response = as_user(cast.prescriber).post(stop_url(medication), {"stopped_on": "2023-12-31"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be before the start" in body and 'value="2023-12-31"' in body
    assert state(count_reads=False) == before


def test_stopped_medication_cannot_be_stopped_again(cast, as_user, medication):
    Medication.objects.filter(pk=medication.pk).update(stopped_on=dt.date(2024, 3, 1))
    assert as_user(cast.prescriber).get(stop_url(medication)).status_code == 404


def test_unknown_medication_is_404(cast, as_user):
    url = reverse("patients:stop_medication", args=[cast.patient.pk, 999_999])
    assert as_user(cast.prescriber).get(url).status_code == 404


@pytest.mark.parametrize("who", ["front_desk", "therapist", "outsider", "admin", "patient_user"])
def test_without_clinical_access_404_and_nothing_changes(cast, as_user, who, medication):
    before = state()
    client = as_user(getattr(cast, who))
    for response in (
        client.post(add_url(cast.patient), DATA),
        client.post(stop_url(medication), {"stopped_on": "2024-06-01"}),
    ):
        assert response.status_code == 404
        assert_no_phi(response, cast.patient)
    assert state() == before


def test_wrong_methods(cast, as_user, medication):
    client = as_user(cast.prescriber)
    assert client.put(add_url(cast.patient)).status_code == 405
    assert client.delete(stop_url(medication)).status_code == 405
