"""'No known drug allergies' is an answer, recorded and audited; 'not asked' is not."""

import pytest
from django.urls import reverse

from kapclinic.patients.models import Allergy, AllergyStatus
from kapclinic.patients.tests.helpers import last_event_id, new_events, state

pytestmark = pytest.mark.django_db


def _url(cast):
    return reverse("patients:add_allergy", args=[cast.patient.pk])


def test_a_new_chart_says_allergies_were_not_asked(cast, as_user):
    text = as_user(cast.prescriber).get(reverse("patients:chart", args=[cast.patient.pk]))
    assert "Allergies not asked yet." in text.content.decode()


def test_prescriber_records_no_known_drug_allergies(cast, as_user):
    client = as_user(cast.prescriber)
    start = last_event_id()
    response = client.post(_url(cast), {"no_known_allergies": "on", "severity": "unknown"})
    assert response.status_code == 302
    cast.patient.refresh_from_db()
    assert cast.patient.allergy_status == AllergyStatus.NONE_KNOWN
    assert not Allergy.objects.filter(patient=cast.patient).exists()
    (row,) = new_events(start)
    assert row.action == "update" and row.detail == {"fields": ["allergy_status"]}
    chart = client.get(reverse("patients:chart", args=[cast.patient.pk])).content.decode()
    assert "No known drug allergies" in chart and "not asked" not in chart


def test_recording_an_allergy_replaces_none_known(cast, as_user):
    client = as_user(cast.prescriber)
    client.post(_url(cast), {"no_known_allergies": "on", "severity": "unknown"})
    client.post(_url(cast), {"substance": "Penicillin", "severity": "moderate"})
    cast.patient.refresh_from_db()
    assert cast.patient.allergy_status == AllergyStatus.RECORDED
    # With an allergy on file, "none known" is no longer offered.
    assert "no_known_allergies" not in client.get(_url(cast)).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"severity": "unknown"}, "substance"),
        (
            {"substance": "Latex", "no_known_allergies": "on", "severity": "mild"},
            "no_known_allergies",
        ),
    ],
)
def test_an_allergy_or_none_known_is_needed_not_neither_or_both(cast, as_user, data, field):
    before = state(count_reads=False)
    response = as_user(cast.prescriber).post(_url(cast), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert state(count_reads=False) == before
