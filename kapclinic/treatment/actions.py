"""Every move along the pathway: one named action per transition of `pathway.TRANSITIONS`.

Each action is atomic, takes the acting user as keyword-only `actor`, checks the
stage the patient is in (against the database, not the instance the caller holds),
refuses an illegal move with a clear message and changes nothing, and otherwise
writes the new stage, a `PathwayTransition` row and one audit row together.
`Patient.stage` is written nowhere else (demo data sets it at creation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.patients.access import clinical_write_basis
from kapclinic.patients.models import Patient
from kapclinic.treatment.models import PathwayTransition
from kapclinic.treatment.pathway import TRANSITIONS, Transition, stage_label

REASON_MAX_LENGTH = 2000


class PathwayError(ValueError):
    """A move the pathway does not allow from where the patient is, or a missing reason."""


def _refusal(transition: Transition, current: str) -> str:
    sources = ", ".join(sorted(stage_label(code) for code in transition.sources))
    return (
        f"“{transition.label}” is not possible while the patient is at "
        f"“{stage_label(current)}”; it can follow only: {sources}."
    )


def _move(name: str, patient: Patient, *, actor: User, reason: str = "") -> PathwayTransition:
    transition = TRANSITIONS[name]
    reason = reason.strip()
    if transition.needs_reason and not reason:
        raise PathwayError(f"“{transition.label}” needs a written reason.")
    if len(reason) > REASON_MAX_LENGTH:
        raise PathwayError(f"Please keep the reason under {REASON_MAX_LENGTH} characters.")
    if transition.prescriber_only and actor.role != Role.PRESCRIBER:
        raise PermissionDenied(f"Only a prescriber may record “{transition.label}”.")
    basis = clinical_write_basis(actor, patient)
    if basis is None:
        raise PermissionDenied("Only the patient's care team may move them along the pathway.")
    with transaction.atomic():
        current = Patient.objects.filter(pk=patient.pk).values_list("stage", flat=True).first()
        if current is None:
            raise PathwayError("This patient record no longer exists.")
        if current not in transition.sources:
            raise PathwayError(_refusal(transition, current))
        # The stage in the filter makes the check and the write one step: of two
        # concurrent moves from the same stage only one updates a row.
        now = timezone.now()
        moved = Patient.objects.filter(pk=patient.pk, stage=current).update(
            stage=transition.target, updated_at=now
        )
        if moved != 1:
            raise PathwayError("The patient's stage changed meanwhile; please reload and retry.")
        row = PathwayTransition.objects.create(
            patient_id=patient.pk,
            name=name,
            from_stage=current,
            to_stage=transition.target,
            reason=reason,
            actor=actor,
            occurred_at=now,
        )
        detail: dict[str, Any] = {
            "transition": name,
            "from_stage": current,
            "to_stage": transition.target,
        }
        if basis.grant_id is not None:
            detail["grant_id"] = basis.grant_id
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            patient=patient,
            obj=row,
            flagged=basis.via_break_glass,
            detail=detail,
        )
    patient.stage = transition.target
    return row


def book_consultation(patient: Patient, *, actor: User) -> PathwayTransition:
    return _move("book_consultation", patient, actor=actor)


def start_screening(patient: Patient, *, actor: User) -> PathwayTransition:
    return _move("start_screening", patient, actor=actor)


def decide_eligible(patient: Patient, *, actor: User) -> PathwayTransition:
    return _move("decide_eligible", patient, actor=actor)


def decide_ineligible(patient: Patient, *, actor: User, reason: str) -> PathwayTransition:
    return _move("decide_ineligible", patient, actor=actor, reason=reason)


def sign_plan(patient: Patient, *, actor: User) -> PathwayTransition:
    return _move("sign_plan", patient, actor=actor)


def sign_consent(patient: Patient, *, actor: User) -> PathwayTransition:
    return _move("sign_consent", patient, actor=actor)


def start_preparation(patient: Patient, *, actor: User) -> PathwayTransition:
    return _move("start_preparation", patient, actor=actor)


def start_dosing(patient: Patient, *, actor: User) -> PathwayTransition:
    return _move("start_dosing", patient, actor=actor)


def start_review(patient: Patient, *, actor: User) -> PathwayTransition:
    return _move("start_review", patient, actor=actor)


def start_maintenance(patient: Patient, *, actor: User) -> PathwayTransition:
    return _move("start_maintenance", patient, actor=actor)


def complete_course(patient: Patient, *, actor: User) -> PathwayTransition:
    return _move("complete_course", patient, actor=actor)


def withdraw(patient: Patient, *, actor: User, reason: str) -> PathwayTransition:
    return _move("withdraw", patient, actor=actor, reason=reason)


def rescreen(patient: Patient, *, actor: User, reason: str) -> PathwayTransition:
    return _move("rescreen", patient, actor=actor, reason=reason)


def return_after_withdrawal(patient: Patient, *, actor: User, reason: str) -> PathwayTransition:
    return _move("return_after_withdrawal", patient, actor=actor, reason=reason)


# Every named action by transition name, for views and tests that work from the table.
ACTIONS: dict[str, Callable[..., PathwayTransition]] = {
    "book_consultation": book_consultation,
    "start_screening": start_screening,
    "decide_eligible": decide_eligible,
    "decide_ineligible": decide_ineligible,
    "sign_plan": sign_plan,
    "sign_consent": sign_consent,
    "start_preparation": start_preparation,
    "start_dosing": start_dosing,
    "start_review": start_review,
    "start_maintenance": start_maintenance,
    "complete_course": complete_course,
    "withdraw": withdraw,
    "rescreen": rescreen,
    "return_after_withdrawal": return_after_withdrawal,
}
