"""Who may read what of the integration journal and therapy notes: the one chokepoint.

- A patient reads and writes only their own journal.
- Clinicians with clinical access to the patient (the care team, or a break-glass
  grant, flagged by the page audit) read the entries the patient shares and the
  integration notes; therapists and prescribers on the care team write notes.
- Psychotherapy notes: only their author reads them, and only clinicians on the
  care team in their own right write them; a break-glass grant or the clinic
  admin role opens none, and no other clinician sees that any exist.
Anything else is a 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.journal.models import IntegrationNote, JournalEntry, PsychotherapyNote
from kapclinic.patients.access import access_basis, deny, get_own_patient
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import DOSING_CODES, Appointment, AppointmentStatus

NOTE_WRITERS = frozenset({Role.THERAPIST, Role.PRESCRIBER})


def own_entries(patient: Patient) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(patient=patient).select_related("session")


def get_own_entry(request: HttpRequest, pk: int) -> JournalEntry:
    """The signed-in patient's own journal entry, or 404."""
    patient = get_own_patient(request)
    entry = own_entries(patient).filter(pk=pk).first()
    if entry is None:
        raise Http404("No such entry")
    entry.patient = patient
    return entry


def past_sessions(patient: Patient) -> QuerySet[Appointment]:
    """Dosing sessions the patient has had, newest first: what an entry may be about."""
    return Appointment.objects.filter(
        patient=patient,
        appointment_type__code__in=DOSING_CODES,
        status__in=(AppointmentStatus.IN_PROGRESS, AppointmentStatus.COMPLETED),
        start__lte=timezone.now(),
    ).order_by("-start")


def shared_entries(patient: Patient) -> QuerySet[JournalEntry]:
    return own_entries(patient).filter(shared_with_care_team=True)


def integration_notes(patient: Patient) -> QuerySet[IntegrationNote]:
    return IntegrationNote.objects.filter(patient=patient).select_related("author", "session")


def may_write_notes(user: User, patient: Patient) -> bool:
    """Therapists and prescribers on the care team, in their own right."""
    if user.role not in NOTE_WRITERS:
        return False
    basis = access_basis(user, patient, clinical=True)
    return basis is not None and not basis.via_break_glass


def get_patient_for_psychotherapy(request: HttpRequest, pk: int) -> Patient:
    """A patient whose psychotherapy notes the user may keep (their own notes only)."""
    user: User = request.user  # type: ignore[assignment]
    patient = Patient.objects.select_related("site").filter(pk=pk).first()
    if patient is None or not user.is_authenticated or not may_write_notes(user, patient):
        deny(user, pk)
    return patient


def authored_notes(user: User, patient: Patient) -> QuerySet[PsychotherapyNote]:
    """The psychotherapy notes `user` wrote about `patient`: the only ones they see."""
    return PsychotherapyNote.objects.filter(author=user, patient=patient)
