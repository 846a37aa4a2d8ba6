"""GET /api/v1/me: the signed-in patient's own record, as the portal shows it."""

import pytest

from kapclinic.audit.models import AuditAction, AuditOutcome
from kapclinic.patients.tests.api_helpers import ME_URL, get_audited
from kapclinic.patients.tests.helpers import (
    ALLERGY_NAME,
    CONDITION_NAME,
    MEDICATION_NAME,
    add_clinical_record,
    assert_no_phi,
    state,
)


def test_patient_gets_their_own_record(cast, as_user):
    add_clinical_record(cast.patient)
    response = as_user(cast.patient_user).get(ME_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == cast.patient.pk and body["mrn"] == "MRN-0001"
    assert [c["name"] for c in body["contacts"]] == ["Sam Partner"]
    assert [m["name"] for m in body["current_medications"]] == [MEDICATION_NAME]
    assert [a["substance"] for a in body["allergies"]] == [ALLERGY_NAME]
    assert {m["name"] for m in body["care_team"]} == {"Priya Prescriber", "Nora Nurse"}
    # As on the portal: no conditions, no measurements.
    assert CONDITION_NAME not in response.content.decode()
    assert "clinical" not in body
    assert_no_phi(response, cast.other_patient)


def test_each_call_writes_one_audit_row(cast, as_user):
    response, [event] = get_audited(as_user(cast.patient_user), ME_URL)
    assert response.status_code == 200
    assert event.action == AuditAction.VIEW
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.patient == cast.patient
    assert event.actor == cast.patient_user


@pytest.mark.parametrize("who", ["prescriber", "nurse", "front_desk", "admin"])
def test_staff_get_404(cast, as_user, who):
    client = as_user(getattr(cast, who))
    before = state()
    response = client.get(ME_URL)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
    assert_no_phi(response, cast.patient, cast.other_patient)
    assert state() == before


def test_patient_account_without_a_record_gets_404(cast, as_user):
    cast.patient.user = None
    cast.patient.save()
    assert as_user(cast.patient_user).get(ME_URL).status_code == 404


def test_wrong_method_is_405(cast, as_user):
    client = as_user(cast.patient_user)
    before = state()
    assert client.post(ME_URL).status_code == 405
    assert state() == before
