"""Demo integration journals for `seed_demo` (synthetic data only).

Patients who have had a dosing session get journal entries about it (some shared
with the care team, some private), a journal prompt for a session in the last
three days, an integration-session note by their therapist, and the therapist's
own psychotherapy note. Idempotent: nothing is added once any entry exists.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role
from kapclinic.clinics.models import Site
from kapclinic.journal.models import IntegrationNote, JournalEntry, JournalPrompt, PsychotherapyNote
from kapclinic.journal.prompts import CLOSES, OPENS
from kapclinic.patients.models import CareTeamMember
from kapclinic.scheduling.models import DOSING_CODES, Appointment, AppointmentStatus

ENTRIES = (
    "The music carried me somewhere quiet. I remembered how it felt to be at ease.",
    "Heavy feelings afterwards, then lighter by the evening. Walked by the water.",
    "I kept seeing the image of an open door. I want to talk about it next session.",
    "Slept well for the first time in weeks. Small things felt less loud today.",
    "Not much happened this time, and I am trying not to judge that.",
)
NOTES = (
    "Explored the open-door image; patient linked it to returning to work. Plan: small steps.",
    "Reviewed sleep and mood since the session; grounding practice agreed for evenings.",
)
THERAPY_NOTE = "Working hypothesis: avoidance eases when the patient names the fear aloud."
MAX_PATIENTS = 30


def build_demo_journals(sites: list[Site], *, seed: int = 1) -> int:
    """Add the demo journals; the number of entries created."""
    if JournalEntry.objects.filter(patient__site__in=sites).exists():
        return 0
    rng = random.Random(f"journal-{seed}")  # noqa: S311  # synthetic data, not secrets
    now = timezone.now()
    sessions = (
        Appointment.objects.filter(
            site__in=sites,
            appointment_type__code__in=DOSING_CODES,
            status=AppointmentStatus.COMPLETED,
            patient__user__isnull=False,
        )
        .select_related("patient")
        .order_by("-start")
    )
    by_patient: dict[int, list[Appointment]] = {}
    for session in sessions:
        if len(by_patient) < MAX_PATIENTS or session.patient_id in by_patient:
            by_patient.setdefault(session.patient_id, []).append(session)
    created = 0
    with transaction.atomic():
        for patient_sessions in by_patient.values():
            created += _journal(patient_sessions[:3], rng, now)
    return created


def _journal(sessions: list[Appointment], rng: random.Random, now: dt.datetime) -> int:
    """Entries about a patient's last sessions (newest first), a prompt for one in
    the last three days, and their therapist's notes."""
    patient = sessions[0].patient
    for n, session in enumerate(sessions):
        written = min(session.end + dt.timedelta(hours=rng.randint(20, 60)), now)
        JournalEntry.objects.create(
            patient=patient,
            session=session,
            body=ENTRIES[(n + rng.randint(0, 4)) % len(ENTRIES)],
            shared_with_care_team=n % 2 == 0,
            created_at=written,
            updated_at=written,
        )
        if session.end + OPENS <= now < session.end + CLOSES:
            JournalPrompt.objects.get_or_create(
                session=session,
                defaults={
                    "patient": patient,
                    "due_at": session.end + OPENS,
                    "expires_at": session.end + CLOSES,
                    "sent_at": session.end + OPENS,
                },
            )
    therapist = (
        CareTeamMember.objects.filter(patient=patient, user__role=Role.THERAPIST)
        .select_related("user")
        .first()
    )
    if therapist is not None:
        IntegrationNote.objects.create(
            patient=patient,
            author=therapist.user,
            session=sessions[0],
            body=rng.choice(NOTES),
            created_at=min(sessions[0].end + dt.timedelta(days=1), now),
        )
        PsychotherapyNote.objects.create(patient=patient, author=therapist.user, body=THERAPY_NOTE)
    return len(sessions)
