"""record_measurement, add_condition, add_medication, stop_medication, add_allergy."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kapclinic.audit.breakglass import open_break_glass
from kapclinic.patients import actions
from kapclinic.patients.models import Medication
from kapclinic.patients.tests.helpers import last_event_id, new_events, state

REASON = "Urgent: acute agitation in the clinic, need history."


def write_each(actor, patient):
    actions.record_measurement(actor=actor, patient=patient, weight_kg=Decimal("70"))
    actions.add_condition(
        actor=actor, patient=patient, data={"category": "medical", "name": "Hypertension"}
    )
    med = actions.add_medication(
        actor=actor, patient=patient, data={"name": "Amlodipine", "drug_class": "antihypertensive"}
    )
    actions.stop_medication(actor=actor, medication=med, stopped_on=dt.date.today())
    actions.add_allergy(actor=actor, patient=patient, data={"substance": "Latex"})


def test_each_write_is_one_audit_row(cast):
    start = last_event_id()
    write_each(cast.prescriber, cast.patient)
    rows = new_events(start)
    assert [r.action for r in rows] == ["create", "create", "create", "update", "create"]
    assert all(r.patient_id == cast.patient.pk and r.actor == cast.prescriber for r in rows)


@pytest.mark.parametrize("who", ["front_desk", "therapist", "outsider", "admin"])
def test_refused_without_clinical_access(cast, who):
    before = state()
    with pytest.raises(PermissionDenied):
        actions.add_condition(
            actor=getattr(cast, who),
            patient=cast.patient,
            data={"category": "medical", "name": "X"},
        )
    assert state() == before


def test_nurse_at_the_site_off_the_care_team_is_refused(cast):
    with pytest.raises(PermissionDenied):
        actions.add_allergy(
            actor=cast.nurse, patient=cast.other_patient, data={"substance": "Latex"}
        )


def test_break_glass_lets_a_clinician_write(cast):
    open_break_glass(actor=cast.therapist, patient=cast.patient, reason=REASON)
    write_each(cast.therapist, cast.patient)


def test_break_glass_does_not_let_an_admin_write(cast):
    open_break_glass(actor=cast.admin, patient=cast.patient, reason=REASON)
    with pytest.raises(PermissionDenied):
        actions.add_allergy(actor=cast.admin, patient=cast.patient, data={"substance": "Latex"})


def test_measurement_needs_height_or_weight(cast):
    with pytest.raises(ValueError):
        actions.record_measurement(actor=cast.nurse, patient=cast.patient)


def test_stopping_twice_or_before_start_is_refused(cast):
    med = Medication.objects.create(patient=cast.patient, name="X", started_on=dt.date(2024, 5, 1))
    with pytest.raises(ValueError, match="before it started"):
        actions.stop_medication(actor=cast.nurse, medication=med, stopped_on=dt.date(2024, 4, 1))
    actions.stop_medication(actor=cast.nurse, medication=med, stopped_on=dt.date(2024, 6, 1))
    with pytest.raises(ValueError, match="already stopped"):
        actions.stop_medication(actor=cast.nurse, medication=med, stopped_on=dt.date(2024, 7, 1))
