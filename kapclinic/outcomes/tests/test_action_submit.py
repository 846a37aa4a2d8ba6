"""outcomes.actions.assign, save_draft and submit: scoring, append-only, risk alerts."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from kapclinic.audit.models import AuditEvent
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes import actions
from kapclinic.outcomes.models import QuestionnaireAssignment, QuestionnaireResponse, RiskAlert
from kapclinic.outcomes.tests.helpers import PHQ9_ITEM9, PHQ9_SAFE, assign_phq9


def test_patient_submission_is_scored_and_closes_the_assignment(cast):
    assignment = assign_phq9(cast)
    response = actions.submit(
        actor=cast.patient_user,
        patient=cast.patient,
        instrument="phq9",
        answers=[2, 2, 2, 2, 2, 2, 1, 1, 0],
        assignment=assignment,
    )
    assert (response.total, response.severity) == (14, "moderate")
    assert response.entered_by == "patient"
    assignment.refresh_from_db()
    assert assignment.completed_at is not None
    assert not RiskAlert.objects.exists()
    assert AuditEvent.objects.filter(object_id=str(response.pk), action="create").exists()


def test_out_of_range_answer_names_the_item_and_stores_nothing(cast):
    assignment = assign_phq9(cast)
    with pytest.raises(FieldValueError) as error:
        actions.submit(
            actor=cast.patient_user,
            patient=cast.patient,
            instrument="phq9",
            answers=[1, 1, 7, 1, 1, 1, 1, 1, 0],
            assignment=assignment,
        )
    assert error.value.field == "item 3"
    assert not QuestionnaireResponse.objects.exists()


def test_item_9_raises_an_alert_and_emails_the_care_team_without_phi(
    cast, django_capture_on_commit_callbacks
):
    assignment = assign_phq9(cast)
    with django_capture_on_commit_callbacks(execute=True):
        response = actions.submit(
            actor=cast.patient_user,
            patient=cast.patient,
            instrument="phq9",
            answers=PHQ9_ITEM9,
            assignment=assignment,
        )
    alert = RiskAlert.objects.get()
    assert alert.response == response
    assert "item 9" in alert.reason
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.prescriber.email, cast.nurse.email])
    for message in mail.outbox:
        assert cast.patient.family_name not in f"{message.subject} {message.body}"
        assert cast.patient.mrn not in f"{message.subject} {message.body}"


def test_cssrs_high_risk_raises_a_high_alert(cast):
    answers = [True, True, False, True, False, False]
    actions.submit(
        actor=cast.prescriber, patient=cast.patient, instrument="cssrs_screen", answers=answers
    )
    assert RiskAlert.objects.get().level == RiskAlert.Level.HIGH


def test_patient_cannot_submit_a_clinician_scale_or_without_an_assignment(cast):
    with pytest.raises(PermissionDenied):
        actions.submit(
            actor=cast.patient_user, patient=cast.patient, instrument="phq9", answers=PHQ9_SAFE
        )
    assert not QuestionnaireResponse.objects.exists()


def test_staff_outside_the_care_team_cannot_enter_scores(cast):
    with pytest.raises(PermissionDenied):
        actions.submit(
            actor=cast.therapist, patient=cast.patient, instrument="madrs", answers=[0] * 10
        )
    assert not QuestionnaireResponse.objects.exists()


def test_a_correction_is_a_new_response_and_the_original_is_kept(cast):
    first = actions.submit(
        actor=cast.prescriber, patient=cast.patient, instrument="madrs", answers=[3] * 10
    )
    second = actions.submit(
        actor=cast.prescriber,
        patient=cast.patient,
        instrument="madrs",
        answers=[2] * 10,
        replaces=first,
    )
    first.refresh_from_db()
    assert (first.total, second.total, second.replaces) == (30, 20, first)
    first.total = 1
    with pytest.raises(Exception, match="never changed"):
        first.save()


def test_an_answered_assignment_cannot_be_answered_twice(cast):
    assignment = assign_phq9(cast)
    kwargs = dict(
        actor=cast.patient_user,
        patient=cast.patient,
        instrument="phq9",
        answers=PHQ9_SAFE,
        assignment=assignment,
    )
    actions.submit(**kwargs)
    with pytest.raises(FieldValueError):
        actions.submit(**kwargs)
    assert QuestionnaireResponse.objects.count() == 1


def test_draft_keeps_answers_and_only_the_patient_saves_it(cast):
    assignment = assign_phq9(cast)
    actions.save_draft(actor=cast.patient_user, assignment=assignment, answers={"1": 2})
    actions.save_draft(actor=cast.patient_user, assignment=assignment, answers={"2": 0})
    assignment.refresh_from_db()
    assert assignment.draft == {"1": 2, "2": 0}
    with pytest.raises(PermissionDenied):
        actions.save_draft(actor=cast.other_patient_user, assignment=assignment, answers={"3": 1})


def test_only_care_team_clinicians_assign(cast):
    for actor in (cast.front_desk, cast.therapist, cast.patient_user):
        with pytest.raises(PermissionDenied):
            assign_phq9(cast, actor=actor)
    assert not QuestionnaireAssignment.objects.exists()


def test_clinician_scales_cannot_be_sent_to_patients(cast):
    with pytest.raises(FieldValueError):
        assign_phq9(cast, instrument="madrs")
