from decimal import Decimal

import pytest
from django.urls import reverse

from kapclinic.patients.models import BodyMeasurement
from kapclinic.patients.tests.helpers import assert_no_phi, last_event_id, new_events, state


def url(patient):
    return reverse("patients:add_measurement", args=[patient.pk])


def test_nurse_on_the_care_team_records_weight(cast, as_user):
    start = last_event_id()
    response = as_user(cast.nurse).post(url(cast.patient), {"weight_kg": "81.5"})
    assert response.status_code == 302
    measurement = BodyMeasurement.objects.get(patient=cast.patient)
    assert measurement.weight_kg == Decimal("81.5") and measurement.height_cm is None
    assert measurement.recorded_by == cast.nurse
    (row,) = new_events(start)
    assert row.action == "create" and row.detail == {"fields": ["weight_kg"]}


def test_form_is_shown_and_the_read_audited(cast, as_user):
    start = last_event_id()
    assert as_user(cast.prescriber).get(url(cast.patient)).status_code == 200
    assert [r.action for r in new_events(start)] == ["view"]


def test_empty_measurement_is_refused_in_words(cast, as_user):
    before = state()
    response = as_user(cast.nurse).post(url(cast.patient), {"height_cm": "", "weight_kg": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a height, a weight, or both." in body
    assert "measurement_has_height_or_weight" not in body
    assert state(count_reads=False) == before


def test_implausible_weight_keeps_what_was_typed(cast, as_user):
    before = state()
    response = as_user(cast.nurse).post(url(cast.patient), {"height_cm": "172", "weight_kg": "5"})
    assert response.status_code == 200
    assert response.context["form"].errors["weight_kg"]
    assert 'value="172"' in response.content.decode()
    assert state(count_reads=False) == before


@pytest.mark.parametrize("who", ["front_desk", "therapist", "outsider", "admin", "patient_user"])
def test_without_clinical_access_404_and_nothing_saved(cast, as_user, who):
    before = state()
    response = as_user(getattr(cast, who)).post(url(cast.patient), {"weight_kg": "80"})
    assert response.status_code == 404
    assert_no_phi(response, cast.patient)
    assert state() == before


def test_nurse_at_the_site_off_the_care_team_gets_404(cast, as_user):
    before = state()
    assert as_user(cast.nurse).post(url(cast.other_patient), {"weight_kg": "80"}).status_code == 404
    assert state() == before


def test_unknown_patient_is_404(cast, as_user):
    assert (
        as_user(cast.nurse).get(reverse("patients:add_measurement", args=[999_999])).status_code
        == 404
    )


def test_put_is_not_allowed(cast, as_user):
    assert as_user(cast.nurse).put(url(cast.patient)).status_code == 405
