"""GET /api/v1/patients/{id}: one patient as JSON, clinical only for clinical readers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kapclinic.audit.models import AuditAction, AuditOutcome, BreakGlassGrant
from kapclinic.patients.models import BodyMeasurement
from kapclinic.patients.tests.api_helpers import detail_url, get_audited
from kapclinic.patients.tests.helpers import (
    ALLERGY_NAME,
    CONDITION_NAME,
    MEDICATION_NAME,
    add_clinical_record,
    assert_no_phi,
    state,
)


@pytest.fixture
def record(cast):
    add_clinical_record(cast.patient)
    return cast.patient


@pytest.mark.parametrize("who", ["prescriber", "nurse"])
def test_care_team_gets_demographics_and_the_clinical_record(cast, as_user, record, who):
    response = as_user(getattr(cast, who)).get(detail_url(record))
    assert response.status_code == 200
    body = response.json()
    assert body["mrn"] == "MRN-0001" and body["email"] == "pat@test.example"
    assert body["site"] == {"id": cast.site.pk, "name": "Site A"}
    assert [c["name"] for c in body["contacts"]] == ["Sam Partner"]
    assert {m["name"] for m in body["care_team"]} == {"Priya Prescriber", "Nora Nurse"}
    clinical = body["clinical"]
    assert {c["name"] for c in clinical["conditions"]} == {
        CONDITION_NAME,
        "Bipolar disorder (mother)",
    }
    assert clinical["current_medications"] == [
        {
            "id": clinical["current_medications"][0]["id"],
            "name": MEDICATION_NAME,
            "drug_class": "antidepressant",
            "dose": "100 mg",
            "frequency": "",
            "started_on": None,
        }
    ]
    assert [a["substance"] for a in clinical["allergies"]] == [ALLERGY_NAME]
    assert clinical["latest_weight"]["weight_kg"] == 72.3
    assert body["break_glass"] is False


def test_stopped_medications_are_not_current(cast, as_user, record):
    body = as_user(cast.prescriber).get(detail_url(record)).json()
    assert "Lorazepam" not in [m["name"] for m in body["clinical"]["current_medications"]]


def test_latest_weight_is_the_newest_measurement_with_a_weight(cast, as_user, record):
    BodyMeasurement.objects.create(
        patient=record,
        weight_kg=Decimal("70.1"),
        measured_at=timezone.now() - dt.timedelta(days=30),
    )
    BodyMeasurement.objects.create(patient=record, height_cm=Decimal("171.0"))
    body = as_user(cast.prescriber).get(detail_url(record)).json()
    assert body["clinical"]["latest_weight"]["weight_kg"] == 72.3


def test_no_weight_yet_is_null(cast, as_user):
    body = as_user(cast.prescriber).get(detail_url(cast.patient)).json()
    assert body["clinical"] == {
        "conditions": [],
        "current_medications": [],
        "allergies": [],
        "latest_weight": None,
    }


def test_front_desk_gets_the_same_shape_with_clinical_null(cast, as_user, record):
    response = as_user(cast.front_desk).get(detail_url(record))
    assert response.status_code == 200
    body = response.json()
    assert body["clinical"] is None
    assert body["mrn"] == "MRN-0001" and body["contacts"] and body["care_team"]
    text = response.content.decode()
    for secret in (CONDITION_NAME, MEDICATION_NAME, ALLERGY_NAME, "72.3"):
        assert secret not in text, secret


def test_nurse_at_the_site_outside_the_care_team_gets_demographics_only(cast, as_user):
    body = as_user(cast.nurse).get(detail_url(cast.other_patient)).json()
    assert body["mrn"] == "MRN-0002" and body["clinical"] is None


def test_break_glass_opens_the_clinical_record_flagged(cast, as_user, record):
    BreakGlassGrant.objects.create(
        user=cast.therapist,
        patient=record,
        reason="Covering for the care team during an emergency call.",
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )
    response, [event] = get_audited(as_user(cast.therapist), detail_url(record))
    body = response.json()
    assert body["break_glass"] is True and body["clinical"]["conditions"]
    assert event.flagged is True


@pytest.mark.parametrize("who", ["therapist", "outsider", "admin", "patient_user"])
def test_out_of_scope_is_404_without_phi_and_changes_nothing(cast, as_user, record, who):
    client = as_user(getattr(cast, who))
    before = state()
    response, [event] = get_audited(client, detail_url(record))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
    assert_no_phi(response, cast.patient, cast.other_patient)
    assert event.outcome == AuditOutcome.DENIED
    assert event.object_id == str(record.pk)
    assert state() == before


def test_patient_gets_404_for_another_patient(cast, as_user):
    response = as_user(cast.patient_user).get(detail_url(cast.other_patient))
    assert response.status_code == 404
    assert_no_phi(response, cast.other_patient)


# The largest id the database can hold is looked up like any other; a larger one is
# a bad parameter (400, kapclinic/tests/test_request_guard.py).
@pytest.mark.parametrize("pk", [999_999, 2**63 - 1])
def test_unknown_id_is_404(cast, as_user, pk):
    response = as_user(cast.prescriber).get(detail_url(pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


def test_non_numeric_id_is_400_naming_it(cast, as_user):
    response = as_user(cast.prescriber).get("/api/v1/patients/abc")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("patient_id: ")


def test_each_view_writes_one_audit_row(cast, as_user, record):
    response, [event] = get_audited(as_user(cast.front_desk), detail_url(record))
    assert response.status_code == 200
    assert event.action == AuditAction.VIEW
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.patient == record
    assert event.detail == {"clinical": False, "api": True}
    assert event.flagged is False


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_wrong_method_is_405_and_changes_nothing(cast, as_user, record, method):
    client = as_user(cast.prescriber)
    before = state()
    response = getattr(client, method)(detail_url(record))
    assert response.status_code == 405
    assert state() == before


# Session, user, OTP device (3; the session clock is saved at most once a minute,
# here by the warm-up request); audit row (5); patient with site, clinical-access
# check, contacts, care team with users (4); for clinical readers measurements,
# conditions, medications, allergies (4).
DETAIL_QUERIES = 3 + 5 + 4 + 4
FRONT_DESK_DETAIL_QUERIES = 3 + 5 + 4


@pytest.mark.parametrize("total", [1, 50])
@pytest.mark.parametrize(
    ("who", "queries"),
    [("prescriber", DETAIL_QUERIES), ("front_desk", FRONT_DESK_DETAIL_QUERIES)],
)
def test_query_count_is_constant(cast, as_user, django_assert_num_queries, total, who, queries):
    for _ in range(total):
        add_clinical_record(cast.patient)
    client = as_user(getattr(cast, who))
    client.get(detail_url(cast.patient))  # warm up: the audit chain head exists afterwards
    with django_assert_num_queries(queries):
        response = client.get(detail_url(cast.patient))
    assert len(response.json()["contacts"]) == total
