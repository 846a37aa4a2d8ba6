"""Every write to an intake: start it, save a section, ask a baseline questionnaire,
submit it.

Atomic, keyword-only `actor`, one audit row each with section and field names only,
never the answers. Only the patient writes their own intake; once submitted it is
read-only (the care team reads it, and the next course starts a new one).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.intake import baseline
from kapclinic.intake.access import current_course, intake_open, progress
from kapclinic.intake.models import Intake
from kapclinic.intake.sections import BY_CODE
from kapclinic.outcomes.models import QuestionnaireAssignment
from kapclinic.patients.models import Patient

NOT_OPEN = "Your intake opens once your consultation is booked."
# Past screening the care team works from what it has; a change is told to them.
CLOSED = "Your intake is closed now that your screening is done: tell your care team what changed."


class IntakeError(ValueError):
    """An intake write that cannot be made, with the message for the patient."""


def _require_own(actor: User, patient: Patient) -> None:
    if patient.user_id is None or actor.pk != patient.user_id:
        raise PermissionDenied("Only the patient fills in their intake.")


def _audit(actor: User, intake: Intake, action: AuditAction, **detail: Any) -> None:
    record(actor=actor, action=action, patient=intake.patient, obj=intake, detail=detail)


def start_intake(patient: Patient, *, actor: User) -> Intake:
    """The intake of the patient's current course, created on first use."""
    _require_own(actor, patient)
    course = current_course(patient)
    existing = Intake.objects.filter(patient=patient, course=course).first()
    if existing is not None:
        return existing
    if not intake_open(patient):
        raise IntakeError(NOT_OPEN)
    try:
        with transaction.atomic():
            intake = Intake.objects.create(patient=patient, course=course)
            _audit(actor, intake, AuditAction.CREATE, step="start", course=course)
    except IntegrityError:
        # Another device started it at the same moment: use that one.
        return Intake.objects.get(patient=patient, course=course)
    return intake


@transaction.atomic
def save_section(intake: Intake, section: str, values: dict[str, Any], *, actor: User) -> Intake:
    """Save answers of one section (those given; others keep what was saved)."""
    _require_own(actor, intake.patient)
    if section not in BY_CODE:
        raise IntakeError("There is no such part of the intake.")
    locked = Intake.objects.select_for_update().get(pk=intake.pk)
    if locked.is_submitted:
        raise IntakeError("Your intake has been sent to your care team and can no longer change.")
    if not intake_open(intake.patient):
        raise IntakeError(CLOSED)
    known = BY_CODE[section]().fields
    stored = locked.section_answers(section)
    changed = sorted(name for name in values if name in known and stored.get(name) != values[name])
    if changed:
        stored.update({name: values[name] for name in changed})
        locked.answers = {**locked.answers, section: stored}
        locked.updated_at = timezone.now()
        locked.save(update_fields=["answers", "updated_at"])
        _audit(actor, locked, AuditAction.UPDATE, step="save", section=section, fields=changed)
    intake.answers = locked.answers
    intake.updated_at = locked.updated_at
    return locked


@transaction.atomic
def submit_intake(intake: Intake, *, actor: User) -> Intake:
    """Send the intake to the care team: every section must be done. Read-only after."""
    _require_own(actor, intake.patient)
    locked = Intake.objects.select_for_update().get(pk=intake.pk)
    if locked.is_submitted:
        raise IntakeError("Your intake has already been sent to your care team.")
    if not intake_open(intake.patient):
        raise IntakeError(CLOSED)
    unfinished = [state.title for state in progress(locked) if not state.done]
    if unfinished:
        raise IntakeError("Please finish these parts first: " + ", ".join(unfinished) + ".")
    now = timezone.now()
    locked.status = Intake.Status.SUBMITTED
    locked.submitted_at = now
    locked.submitted_by = actor
    locked.updated_at = now
    locked.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    _audit(actor, locked, AuditAction.UPDATE, step="submit")
    intake.status = locked.status
    intake.submitted_at = now
    return locked


@transaction.atomic
def ask_baseline(patient: Patient, instrument: str, *, actor: User) -> QuestionnaireAssignment:
    """The intake's baseline questionnaire `instrument`, asked on first use (starting
    the intake if needed); one that expired unanswered is reopened with its draft.

    Asked in the portal while the patient is looking at it, so it counts as sent: the
    questionnaire sweep then e-mails no link for it, only its one reminder if it stays
    unanswered (`outcomes.sends`). It may be answered after the intake is sent: the
    questionnaires never hold up the consultation.
    """
    _require_own(actor, patient)
    if not intake_open(patient):
        started = Intake.objects.filter(patient=patient).exists()
        raise IntakeError(CLOSED if started else NOT_OPEN)
    intake = start_intake(patient, actor=actor)
    asked = {step.instrument for step in baseline.questionnaire_steps(patient, intake)}
    if instrument not in asked:
        raise IntakeError("There is no such questionnaire in your intake.")
    key = baseline.key_for(intake, instrument)
    now = timezone.now()
    existing = (
        QuestionnaireAssignment.objects.select_for_update()
        .filter(patient=patient, schedule_key=key)
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                assignment = QuestionnaireAssignment.objects.create(
                    patient=patient,
                    instrument=instrument,
                    due_at=now,
                    expires_at=now + baseline.ANSWER_WITHIN,
                    sent_at=now,
                    schedule_key=key,
                )
        except IntegrityError:
            # Pressed on two devices at once: the other press asked it.
            return QuestionnaireAssignment.objects.get(patient=patient, schedule_key=key)
        record(
            actor=actor,
            action=AuditAction.CREATE,
            patient=patient,
            obj=assignment,
            detail={"instrument": instrument, "intake": intake.pk, "step": "baseline"},
        )
        return assignment
    if existing.completed_at is None and existing.expires_at <= now:
        existing.due_at, existing.expires_at = now, now + baseline.ANSWER_WITHIN
        existing.sent_at, existing.reminded_at = now, None
        fields = ["due_at", "expires_at", "sent_at", "reminded_at"]
        existing.save(update_fields=fields)
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            patient=patient,
            obj=existing,
            detail={"fields": fields, "intake": intake.pk, "step": "baseline_reopen"},
        )
    return existing
