"""Preparation writes: the patient's parts, the care team's checklist, completion."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from kapclinic.audit.models import AuditEvent
from kapclinic.patients.models import CareTeamMember, PathwayStage
from kapclinic.preparation import actions
from kapclinic.preparation.checklist import PATIENT_ITEMS, STAFF_ITEMS, fasting_rule
from kapclinic.preparation.models import Preparation
from kapclinic.preparation.status import NOT_FINISHED, NOT_STARTED, preparation_problem
from kapclinic.preparation.walk import FILLED
from kapclinic.test import Cast
from kapclinic.treatment import actions as pathway
from kapclinic.treatment.walk import walk_to


def _therapist_on_team(cast: Cast) -> None:
    CareTeamMember.objects.create(patient=cast.patient, user=cast.therapist, role="therapist")


def _fill(cast: Cast) -> Preparation:
    return actions.save_patient_part(
        cast.patient,
        actor=cast.patient_user,
        values={**FILLED, "checklist": [code for code, _ in PATIENT_ITEMS]},
    )


def test_patient_saves_only_what_is_given(cast: Cast) -> None:
    actions.save_patient_part(cast.patient, actor=cast.patient_user, values={"intentions": "Hope"})
    prep = actions.save_patient_part(
        cast.patient, actor=cast.patient_user, values={"warning_signs": "Bad nights"}
    )
    assert prep.intentions == "Hope" and prep.warning_signs == "Bad nights"
    assert Preparation.objects.count() == 1
    events = AuditEvent.objects.filter(object_type="preparation.preparation")
    assert [e.detail["fields"] for e in events.order_by("id")] == [
        ["intentions"],
        ["warning_signs"],
    ]
    # References only: never the patient's words.
    assert "Hope" not in str([e.detail for e in events])


def test_unchanged_save_writes_nothing(cast: Cast) -> None:
    actions.save_patient_part(cast.patient, actor=cast.patient_user, values={"intentions": "A"})
    before = AuditEvent.objects.count()
    actions.save_patient_part(cast.patient, actor=cast.patient_user, values={"intentions": "A"})
    assert AuditEvent.objects.count() == before


def test_only_the_patient_writes_their_part(cast: Cast) -> None:
    for actor in (cast.other_patient_user, cast.prescriber):
        with pytest.raises(PermissionDenied):
            actions.save_patient_part(cast.patient, actor=actor, values={"intentions": "x"})
    assert not Preparation.objects.exists()


def test_completion_lists_what_is_missing(cast: Cast) -> None:
    _therapist_on_team(cast)
    actions.save_patient_part(cast.patient, actor=cast.patient_user, values={"intentions": "x"})
    with pytest.raises(actions.PreparationError) as error:
        actions.mark_complete(cast.patient, actor=cast.therapist)
    message = str(error.value)
    assert "the patient's checklist" in message
    assert "someone to call" in message
    assert "who takes the patient home" in message
    assert Preparation.objects.get().completed_at is None


def test_therapist_completes_and_the_patient_moves_to_dosing(cast: Cast) -> None:
    _therapist_on_team(cast)
    walk_to(cast.patient, PathwayStage.CONSENT, actor=cast.prescriber)
    _fill(cast)
    assert preparation_problem(cast.patient.pk) == NOT_FINISHED
    actions.save_staff_checklist(
        cast.patient, actor=cast.nurse, ticked=[code for code, _ in STAFF_ITEMS]
    )
    cast.patient.refresh_from_db()
    assert cast.patient.stage == PathwayStage.PREPARATION
    actions.mark_complete(cast.patient, actor=cast.therapist)
    cast.patient.refresh_from_db()
    assert cast.patient.stage == PathwayStage.DOSING
    assert preparation_problem(cast.patient.pk) is None
    assert AuditEvent.objects.filter(detail__step="complete").exists()


def test_only_a_care_team_therapist_completes(cast: Cast) -> None:
    _fill(cast)
    actions.save_staff_checklist(
        cast.patient, actor=cast.nurse, ticked=[code for code, _ in STAFF_ITEMS]
    )
    for actor in (cast.prescriber, cast.nurse, cast.therapist):  # therapist: not on the team
        with pytest.raises(PermissionDenied):
            actions.mark_complete(cast.patient, actor=actor)
    assert Preparation.objects.get().completed_at is None


def test_complete_preparation_is_read_only(cast: Cast) -> None:
    _therapist_on_team(cast)
    _fill(cast)
    actions.save_staff_checklist(
        cast.patient, actor=cast.nurse, ticked=[code for code, _ in STAFF_ITEMS]
    )
    actions.mark_complete(cast.patient, actor=cast.therapist)
    with pytest.raises(actions.PreparationError, match="complete"):
        actions.save_patient_part(cast.patient, actor=cast.patient_user, values={"intentions": "y"})
    prep = Preparation.objects.get()
    prep.intentions = "changed"
    with pytest.raises(ValueError, match="read-only"):
        prep.save()


def test_a_new_course_needs_a_new_preparation(cast: Cast) -> None:
    walk_to(cast.patient, PathwayStage.DOSING, actor=cast.prescriber)
    assert preparation_problem(cast.patient.pk) is None
    pathway.withdraw(cast.patient, actor=cast.prescriber, reason="Moved away.")
    assert preparation_problem(cast.patient.pk) == NOT_STARTED


def test_fasting_rule_per_route() -> None:
    assert "2 hours" in fasting_rule("intranasal") and "30 minutes" in fasting_rule("intranasal")
    assert "care team tells you" in fasting_rule("iv")
    assert fasting_rule(None) == fasting_rule("oral")
