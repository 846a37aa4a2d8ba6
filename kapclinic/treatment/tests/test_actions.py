"""The pathway's transitions: legal moves recorded and audited, illegal ones change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from kapclinic.audit.models import AuditEvent
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.test import Cast
from kapclinic.treatment import actions
from kapclinic.treatment.models import PathwayTransition
from kapclinic.treatment.pathway import TRANSITIONS

ALL_STAGES = [stage.value for stage in PathwayStage]
ILLEGAL = [
    (name, stage)
    for name, transition in TRANSITIONS.items()
    for stage in ALL_STAGES
    if stage not in transition.sources
]
LEGAL = [
    (name, stage)
    for name, transition in TRANSITIONS.items()
    for stage in sorted(transition.sources)
]


def _at(patient: Patient, stage: str) -> Patient:
    Patient.objects.filter(pk=patient.pk).update(stage=stage)
    patient.refresh_from_db()
    return patient


def _call(name: str, patient: Patient, actor: object) -> PathwayTransition:
    kwargs: dict[str, object] = {"actor": actor}
    if TRANSITIONS[name].needs_reason:
        kwargs["reason"] = "Patient asked to stop for now."
    return actions.ACTIONS[name](patient, **kwargs)


def test_every_transition_has_a_named_action() -> None:
    assert set(actions.ACTIONS) == set(TRANSITIONS)


@pytest.mark.parametrize(("name", "stage"), ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(
    cast: Cast, name: str, stage: str
) -> None:
    patient = _at(cast.patient, stage)
    audits = AuditEvent.objects.count()
    with pytest.raises(actions.PathwayError, match="not possible while the patient is at"):
        _call(name, patient, cast.prescriber)
    patient.refresh_from_db()
    assert patient.stage == stage
    assert not PathwayTransition.objects.exists()
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize(("name", "stage"), LEGAL)
def test_legal_transition_moves_records_and_audits(cast: Cast, name: str, stage: str) -> None:
    patient = _at(cast.patient, stage)
    row = _call(name, patient, cast.prescriber)
    target = TRANSITIONS[name].target
    patient.refresh_from_db()
    assert patient.stage == target
    assert (row.from_stage, row.to_stage, row.actor) == (stage, target, cast.prescriber)
    event = AuditEvent.objects.filter(object_type="treatment.pathwaytransition").get()
    assert event.patient_id == patient.pk
    assert event.detail["transition"] == name
    # The reason is clinical text: kept on the transition, never in the audit row.
    assert "Patient asked" not in str(event.detail)


def test_leaving_without_a_reason_is_refused(cast: Cast) -> None:
    patient = _at(cast.patient, PathwayStage.SCREENING)
    with pytest.raises(actions.PathwayError, match="needs a written reason"):
        actions.decide_ineligible(patient, actor=cast.prescriber, reason="   ")
    patient.refresh_from_db()
    assert patient.stage == PathwayStage.SCREENING
    assert not PathwayTransition.objects.exists()


def test_stale_instance_cannot_skip_the_check(cast: Cast) -> None:
    patient = _at(cast.patient, PathwayStage.SCREENING)
    stale = Patient.objects.get(pk=patient.pk)
    actions.decide_eligible(patient, actor=cast.prescriber)
    # `stale` still says screening; the database says eligibility decided.
    with pytest.raises(actions.PathwayError):
        actions.decide_eligible(stale, actor=cast.prescriber)
    assert PathwayTransition.objects.count() == 1


def test_eligibility_decision_is_for_prescribers_only(cast: Cast) -> None:
    patient = _at(cast.patient, PathwayStage.SCREENING)
    with pytest.raises(PermissionDenied):
        actions.decide_eligible(patient, actor=cast.nurse)
    patient.refresh_from_db()
    assert patient.stage == PathwayStage.SCREENING


@pytest.mark.parametrize("who", ["therapist", "front_desk", "outsider", "admin"])
def test_only_the_care_team_moves_a_patient(cast: Cast, who: str) -> None:
    patient = _at(cast.patient, PathwayStage.CONSULTATION)
    with pytest.raises(PermissionDenied):
        actions.start_screening(patient, actor=cast.staff()[who])
    patient.refresh_from_db()
    assert patient.stage == PathwayStage.CONSULTATION
    assert not PathwayTransition.objects.exists()


def test_patient_cannot_move_themselves(cast: Cast) -> None:
    patient = _at(cast.patient, PathwayStage.CONSULTATION)
    with pytest.raises(PermissionDenied):
        actions.start_screening(patient, actor=cast.patient_user)


def test_full_course_walks_the_pathway(cast: Cast) -> None:
    patient = cast.patient
    for step in (
        actions.book_consultation,
        actions.start_screening,
        actions.decide_eligible,
        actions.sign_plan,
        actions.sign_consent,
        actions.start_preparation,
        actions.start_dosing,
        actions.start_review,
        actions.complete_course,
    ):
        step(patient, actor=cast.prescriber)
    assert Patient.objects.get(pk=patient.pk).stage == PathwayStage.FOLLOW_UP
    assert PathwayTransition.objects.filter(patient=patient).count() == 9
