"""Intake actions: one per course, sections saved on their own, submit locks it, audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from kapclinic.audit.labels import changed_fields
from kapclinic.audit.models import AuditEvent
from kapclinic.intake import actions
from kapclinic.intake.access import current_course, intake_open, progress
from kapclinic.intake.models import Intake
from kapclinic.intake.tests.helpers import POSTS, at_consultation, cleaned, filled_intake
from kapclinic.patients.models import PathwayStage
from kapclinic.scheduling.models import AppointmentType, TypeCode
from kapclinic.scheduling.tests.helpers import make_appointment
from kapclinic.test import Cast
from kapclinic.treatment import actions as pathway


def test_start_is_refused_before_a_consultation_is_booked(cast: Cast) -> None:
    assert cast.patient.stage == PathwayStage.ENQUIRY
    with pytest.raises(actions.IntakeError):
        actions.start_intake(cast.patient, actor=cast.patient_user)
    assert not Intake.objects.exists()


def test_enquiry_with_a_booked_consultation_may_start(cast: Cast) -> None:
    appointment = make_appointment(cast)
    AppointmentType.objects.filter(pk=appointment.appointment_type_id).update(
        code=TypeCode.INITIAL_CONSULTATION
    )
    assert intake_open(cast.patient)
    intake = actions.start_intake(cast.patient, actor=cast.patient_user)
    assert intake.course == 1


def test_cancelled_consultation_does_not_open_it(cast: Cast) -> None:
    appointment = make_appointment(cast, status="cancelled")
    AppointmentType.objects.filter(pk=appointment.appointment_type_id).update(
        code=TypeCode.INITIAL_CONSULTATION
    )
    assert not intake_open(cast.patient)


def test_one_intake_per_course_and_a_new_one_after_re_entry(cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    first = actions.start_intake(cast.patient, actor=cast.patient_user)
    assert actions.start_intake(cast.patient, actor=cast.patient_user).pk == first.pk
    pathway.withdraw(cast.patient, actor=cast.prescriber, reason="Moving away for a while.")
    pathway.return_after_withdrawal(cast.patient, actor=cast.prescriber, reason="Back in town.")
    assert current_course(cast.patient) == 2
    second = actions.start_intake(cast.patient, actor=cast.patient_user)
    assert second.pk != first.pk and second.course == 2


def test_sections_save_on_their_own_and_partial_answers_are_kept(cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    intake = actions.start_intake(cast.patient, actor=cast.patient_user)
    actions.save_section(intake, "medical", {"heart_disease": "no"}, actor=cast.patient_user)
    actions.save_section(intake, "goals", {"goals": "Sleep better."}, actor=cast.patient_user)
    actions.save_section(intake, "medical", {"seizures": "yes"}, actor=cast.patient_user)
    stored = Intake.objects.get(pk=intake.pk)
    assert stored.answers["medical"] == {"heart_disease": "no", "seizures": "yes"}
    assert stored.answers["goals"] == {"goals": "Sleep better."}
    assert [state.done for state in progress(stored)] == [False] * 7


def test_save_audits_field_names_never_answers(cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    intake = actions.start_intake(cast.patient, actor=cast.patient_user)
    marker = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    actions.save_section(
        intake, "goals", {"goals": "A very private hope."}, actor=cast.patient_user
    )
    rows = list(AuditEvent.objects.filter(id__gt=marker))
    assert len(rows) == 1
    assert rows[0].detail["fields"] == ["goals"] and rows[0].detail["section"] == "goals"
    assert "private" not in str(rows[0].detail)
    # Saving the same answers again changes nothing and writes no row.
    actions.save_section(
        intake, "goals", {"goals": "A very private hope."}, actor=cast.patient_user
    )
    assert AuditEvent.objects.filter(id__gt=marker).count() == 1


def test_only_the_patient_writes_their_intake(cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    with pytest.raises(PermissionDenied):
        actions.start_intake(cast.patient, actor=cast.other_patient_user)
    intake = actions.start_intake(cast.patient, actor=cast.patient_user)
    for actor in (cast.other_patient_user, cast.prescriber):
        with pytest.raises(PermissionDenied):
            actions.save_section(intake, "goals", {"goals": "x"}, actor=actor)
    assert Intake.objects.get(pk=intake.pk).answers == {}


def test_submit_needs_every_section_done(cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    intake = actions.start_intake(cast.patient, actor=cast.patient_user)
    for code in POSTS:
        if code != "pregnancy":
            actions.save_section(intake, code, cleaned(code), actor=cast.patient_user)
    with pytest.raises(actions.IntakeError, match="Pregnancy and breastfeeding"):
        actions.submit_intake(intake, actor=cast.patient_user)
    assert Intake.objects.get(pk=intake.pk).status == Intake.Status.IN_PROGRESS


def test_pregnancy_follow_ups_are_needed_only_where_they_apply(cast: Cast) -> None:
    from kapclinic.intake.sections import Pregnancy

    assert Pregnancy.is_done({"applies": "no"})
    assert not Pregnancy.is_done({"applies": "yes"})
    assert Pregnancy.is_done({"applies": "yes", "pregnant": "no", "breastfeeding": "no"})


def test_submitted_is_read_only(cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    intake = filled_intake(cast.patient, submit=True)
    stored = Intake.objects.get(pk=intake.pk)
    assert stored.is_submitted and stored.submitted_by == cast.patient_user
    with pytest.raises(actions.IntakeError):
        actions.save_section(stored, "goals", {"goals": "Changed"}, actor=cast.patient_user)
    with pytest.raises(actions.IntakeError):
        actions.submit_intake(stored, actor=cast.patient_user)
    with pytest.raises(ValueError):
        stored.answers = {}
        stored.save()
    assert Intake.objects.get(pk=intake.pk).answers["goals"]["goals"] == ("Feel like myself again.")


def test_closed_once_past_screening(cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    intake = actions.start_intake(cast.patient, actor=cast.patient_user)
    actions.save_section(intake, "goals", {"goals": "Before"}, actor=cast.patient_user)
    pathway.start_screening(cast.patient, actor=cast.prescriber)
    actions.save_section(intake, "goals", {"goals": "In screening"}, actor=cast.patient_user)
    pathway.decide_eligible(cast.patient, actor=cast.prescriber)
    with pytest.raises(actions.IntakeError, match="closed"):
        actions.save_section(intake, "goals", {"goals": "After"}, actor=cast.patient_user)
    with pytest.raises(actions.IntakeError, match="closed"):
        actions.submit_intake(intake, actor=cast.patient_user)
    assert Intake.objects.get(pk=intake.pk).answers["goals"]["goals"] == "In screening"


def test_audit_log_names_the_questions_changed(cast: Cast) -> None:
    labels = changed_fields("intake.intake", {"fields": ["heart_disease", "med_2_dose"]})
    assert labels == [
        "Medical history: Heart disease, such as angina or a heart attack",
        "Current medicines: Medicine 2, Dose",
    ]
