"""Every write of the safety panel: recording a bladder check or a misuse signal.

Atomic, keyword-only `actor`, one audit row each in the same transaction; the audit
detail holds references and codes, never the note.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes.safety.models import BladderCheck, MisuseSignal
from kapclinic.patients.access import access_basis
from kapclinic.patients.models import Patient


def may_record(actor: User, patient: Patient) -> bool:
    """Prescribers with clinical access to the patient keep the safety record."""
    return actor.role == Role.PRESCRIBER and access_basis(actor, patient, clinical=True) is not None


def _check_date(value: dt.date, field: str) -> None:
    if value > timezone.localdate():
        raise FieldValueError(field, "cannot be in the future")


@transaction.atomic
def record_bladder_check(
    *,
    actor: User,
    patient: Patient,
    checked_on: dt.date,
    urgency: bool,
    frequency: bool,
    pain: bool,
    blood: bool,
    note: str = "",
) -> BladderCheck:
    if not may_record(actor, patient):
        raise PermissionDenied("Only the patient's prescriber records safety checks.")
    _check_date(checked_on, "checked_on")
    check = BladderCheck.objects.create(
        patient=patient,
        checked_on=checked_on,
        urgency=urgency,
        frequency=frequency,
        pain=pain,
        blood=blood,
        note=note.strip(),
        recorded_by=actor,
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=check,
        detail={"any_symptom": check.any_symptom},
    )
    return check


@transaction.atomic
def record_misuse_signal(
    *, actor: User, patient: Patient, kind: str, noted_on: dt.date, note: str = ""
) -> MisuseSignal:
    if not may_record(actor, patient):
        raise PermissionDenied("Only the patient's prescriber records safety checks.")
    if kind not in MisuseSignal.Kind.values:
        raise FieldValueError("kind", "choose one of the listed signs")
    _check_date(noted_on, "noted_on")
    signal = MisuseSignal.objects.create(
        patient=patient, kind=kind, noted_on=noted_on, note=note.strip(), recorded_by=actor
    )
    record(
        actor=actor, action=AuditAction.CREATE, patient=patient, obj=signal, detail={"kind": kind}
    )
    return signal
