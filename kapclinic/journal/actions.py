"""Every write of the journal and therapy notes: atomic, keyword-only `actor`, one
audit row each, holding field names and ids, never what anyone wrote."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.journal.access import may_write_notes, past_sessions
from kapclinic.journal.models import (
    MAX_BODY,
    IntegrationNote,
    JournalEntry,
    JournalPrompt,
    PsychotherapyNote,
)
from kapclinic.lib.field_error import FieldValueError
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import Appointment

MIN_NOTE = 5


def _own(actor: User, patient: Patient) -> None:
    if patient.user_id is None or patient.user_id != actor.pk:
        raise PermissionDenied("Only the patient writes their journal.")


def _check_session(patient: Patient, session: Appointment | None) -> None:
    if session is not None and not past_sessions(patient).filter(pk=session.pk).exists():
        raise FieldValueError("session", "is not one of your dosing sessions")


@transaction.atomic
def start_entry(
    *, actor: User, patient: Patient, session: Appointment | None = None
) -> JournalEntry:
    """Open a new, empty, private entry (the page then saves it as the patient types)."""
    _own(actor, patient)
    _check_session(patient, session)
    entry = JournalEntry.objects.create(patient=patient, session=session)
    prompt = None
    if session is not None:
        prompt = JournalPrompt.objects.filter(session=session, entry__isnull=True).first()
    if prompt is not None:
        prompt.entry = entry
        prompt.save(update_fields=["entry"])
    record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=entry,
        detail={"session": session.pk if session else None},
    )
    return entry


@transaction.atomic
def save_entry(
    *,
    actor: User,
    entry: JournalEntry,
    body: str,
    shared: bool,
    session: Appointment | None,
) -> list[str]:
    """Save the patient's text and choices; the fields that changed (none: no write)."""
    _own(actor, entry.patient)
    if len(body) > MAX_BODY:
        raise FieldValueError("body", f"is longer than {MAX_BODY} characters")
    _check_session(entry.patient, session)
    changed = [
        name
        for name, value in (
            ("body", body),
            ("shared_with_care_team", shared),
            ("session_id", session.pk if session else None),
        )
        if getattr(entry, name) != value
    ]
    if not changed:
        return []
    entry.body, entry.shared_with_care_team, entry.session = body, shared, session
    entry.updated_at = timezone.now()
    entry.save(update_fields=[*changed, "updated_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=entry.patient,
        obj=entry,
        detail={"fields": [c.removesuffix("_id") for c in changed], "shared": shared},
    )
    return changed


def _body(text: str) -> str:
    text = text.strip()
    if len(text) < MIN_NOTE:
        raise FieldValueError("body", f"write at least {MIN_NOTE} characters")
    if len(text) > MAX_BODY:
        raise FieldValueError("body", f"is longer than {MAX_BODY} characters")
    return text


@transaction.atomic
def write_integration_note(
    *,
    actor: User,
    patient: Patient,
    body: str,
    session: Appointment | None = None,
    amends: IntegrationNote | None = None,
) -> IntegrationNote:
    if not may_write_notes(actor, patient):
        raise PermissionDenied("Only the patient's therapists and prescribers write notes.")
    if session is not None and session.patient_id != patient.pk:
        raise FieldValueError("session", "is another patient's")
    if amends is not None and amends.patient_id != patient.pk:
        raise FieldValueError("amends", "is another patient's note")
    note = IntegrationNote.objects.create(
        patient=patient, author=actor, body=_body(body), session=session, amends=amends
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=note,
        detail={"amends": amends.pk if amends else None},
    )
    return note


@transaction.atomic
def write_psychotherapy_note(*, actor: User, patient: Patient, body: str) -> PsychotherapyNote:
    if not may_write_notes(actor, patient):
        raise PermissionDenied("Only the patient's own therapists keep psychotherapy notes.")
    note = PsychotherapyNote.objects.create(patient=patient, author=actor, body=_body(body))
    record(actor=actor, action=AuditAction.CREATE, patient=patient, obj=note)
    return note
