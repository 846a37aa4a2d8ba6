"""Every write to a preparation: the patient's parts (saved as they type), the care
team's checklist, and the therapist's mark that it is complete.

Atomic, keyword-only `actor`, one audit row per save that changed something (field
names only, never the words). Marking it complete moves the pathway on: from
"consent" through "preparation" to the dosing phase (`treatment.actions`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.patients.access import AccessBasis, clinical_write_basis
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.preparation.checklist import PATIENT_ITEMS, STAFF_ITEMS, missing_for_completion
from kapclinic.preparation.models import Preparation
from kapclinic.preparation.status import current_preparation
from kapclinic.treatment import actions as pathway

# The fields the patient writes in the portal (the checklist is its own field).
PATIENT_TEXT_FIELDS = (
    "intentions",
    "warning_signs",
    "coping_steps",
    "contact1_name",
    "contact1_phone",
    "contact2_name",
    "contact2_phone",
    "escort_name",
    "escort_phone",
    "transport_notes",
)
TEXT_MAX_LENGTH = 10_000


class PreparationError(ValueError):
    """A preparation write that cannot be made, with the message for the person."""


def _audit(
    actor: User, patient: Patient, prep: Preparation, basis: AccessBasis, **detail: Any
) -> None:
    if basis.grant_id is not None:
        detail["grant_id"] = basis.grant_id
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=patient,
        obj=prep,
        flagged=basis.via_break_glass,
        detail=detail,
    )


def _open_preparation(patient: Patient) -> tuple[Preparation, bool]:
    """The current course's preparation, locked, or a new one (and whether it is new)."""
    current = current_preparation(patient.pk)
    if current is None:
        return Preparation(patient=patient), True
    locked = Preparation.objects.select_for_update().get(pk=current.pk)
    if locked.is_complete:
        raise PreparationError("This preparation is marked complete and can no longer change.")
    return locked, False


@transaction.atomic
def save_patient_part(patient: Patient, *, actor: User, values: Mapping[str, Any]) -> Preparation:
    """Save what the patient wrote: any of `PATIENT_TEXT_FIELDS` and `checklist` (the
    codes they ticked). Fields not in `values` are left as they are, so a save that
    carries only the valid part of a form keeps the rest."""
    if actor.role != Role.PATIENT or patient.user_id != actor.pk:
        raise PermissionDenied("Only the patient writes their own preparation.")
    prep, new = _open_preparation(patient)
    changed: list[str] = []
    for name in PATIENT_TEXT_FIELDS:
        if name not in values:
            continue
        value = str(values[name] or "").strip()
        if len(value) > TEXT_MAX_LENGTH:
            raise PreparationError(f"Please keep each answer under {TEXT_MAX_LENGTH} characters.")
        if getattr(prep, name) != value:
            setattr(prep, name, value)
            changed.append(name)
    if "checklist" in values:
        ticked = set(values["checklist"] or ())
        checklist = {code: code in ticked for code, _ in PATIENT_ITEMS}
        if checklist != prep.patient_checklist:
            prep.patient_checklist = checklist
            changed.append("patient_checklist")
    written = any(getattr(prep, name) for name in PATIENT_TEXT_FIELDS) or any(
        prep.patient_checklist.values()
    )
    if not changed or (new and not written):
        # Nothing new; and an empty form does not start a preparation.
        return prep
    prep.updated_at = timezone.now()
    if new:
        prep.save()
    else:
        prep.save(update_fields=[*changed, "updated_at"])
    record(
        actor=actor,
        action=AuditAction.CREATE if new else AuditAction.UPDATE,
        patient=patient,
        obj=prep,
        detail={"fields": changed},
    )
    return prep


def _care_team(actor: User, patient: Patient) -> AccessBasis:
    basis = clinical_write_basis(actor, patient)
    if basis is None:
        raise PermissionDenied("Only the patient's care team works on their preparation.")
    return basis


def _move_on(patient: Patient, *, actor: User, to_dosing: bool) -> None:
    patient.refresh_from_db(fields=["stage"])
    if patient.stage == PathwayStage.CONSENT:
        pathway.start_preparation(patient, actor=actor)
    if to_dosing and patient.stage == PathwayStage.PREPARATION:
        pathway.start_dosing(patient, actor=actor)


@transaction.atomic
def save_staff_checklist(patient: Patient, *, actor: User, ticked: Collection[str]) -> Preparation:
    """The care team ticks its items; a patient who has consented moves on to the
    preparation step."""
    basis = _care_team(actor, patient)
    prep, new = _open_preparation(patient)
    checklist = {code: code in ticked for code, _ in STAFF_ITEMS}
    if new or checklist != prep.staff_checklist:
        prep.staff_checklist = checklist
        prep.updated_at = timezone.now()
        if new:
            prep.save()
        else:
            prep.save(update_fields=["staff_checklist", "updated_at"])
        _audit(actor, patient, prep, basis, fields=["staff_checklist"])
    _move_on(patient, actor=actor, to_dosing=False)
    return prep


@transaction.atomic
def mark_complete(patient: Patient, *, actor: User) -> Preparation:
    """A therapist on the care team marks the preparation complete (read-only from
    then), once every part is there; the patient moves on to the dosing phase."""
    basis = _care_team(actor, patient)
    if actor.role != Role.THERAPIST:
        raise PermissionDenied("The therapist marks preparation complete.")
    current = current_preparation(patient.pk)
    if current is None:
        raise PreparationError("The patient has not started their preparation yet.")
    prep = Preparation.objects.select_for_update().get(pk=current.pk)
    if prep.is_complete:
        raise PreparationError("This preparation is already marked complete.")
    missing = missing_for_completion(prep.as_facts())
    if missing:
        raise PreparationError("Still needed: " + "; ".join(missing) + ".")
    now = timezone.now()
    # Through the queryset: the model refuses to save a completed preparation, and
    # this is the write that completes it.
    Preparation.objects.filter(pk=prep.pk, completed_at__isnull=True).update(
        completed_at=now, completed_by=actor, updated_at=now
    )
    prep.completed_at, prep.completed_by = now, actor
    _audit(actor, patient, prep, basis, step="complete")
    _move_on(patient, actor=actor, to_dosing=True)
    return prep
