"""Who may see and change which appointments: the one chokepoint for reading them.

An appointment says who is seen, when and for what kind of visit, so it follows the
patient rules (kapclinic/patients/access.py) with the schedule in mind:
- a patient sees their own appointments;
- front desk and nurses see the appointments at their sites (they run the day);
- prescribers and therapists see their own appointments and those of patients on
  their care team;
- a clinic admin sees none.
An appointment outside the user's scope is a 404 and the refusal is audited.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditOutcome
from kapclinic.patients.access import ROSTER_ROLES, visible_patients
from kapclinic.patients.models import CareTeamMember, Patient
from kapclinic.scheduling.models import Appointment, AppointmentType, WaitlistEntry


def _site_ids(user: User) -> list[int]:
    return list(user.sites.values_list("pk", flat=True))


def visible_appointments(user: User) -> QuerySet[Appointment]:
    """The appointments `user` may see."""
    appointments = Appointment.objects.all()
    if not user.is_authenticated or not user.is_active:
        return appointments.none()
    if user.role == Role.PATIENT:
        return appointments.filter(patient__user=user)
    if user.role in (Role.FRONT_DESK, Role.NURSE):
        return appointments.filter(site__in=_site_ids(user))
    if user.role in (Role.PRESCRIBER, Role.THERAPIST):
        on_team = CareTeamMember.objects.filter(user=user, patient=OuterRef("patient"))
        return appointments.filter(Q(clinician=user) | Q(Exists(on_team)))
    return appointments.none()


def get_appointment_for_user(user: User, pk: int) -> Appointment:
    """One appointment `user` may see, with what a response shows, or 404."""
    found = (
        visible_appointments(user)
        .select_related("appointment_type", "site__settings", "patient", "chair__room")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        record(
            actor=user if user.is_authenticated else None,
            action=AuditAction.VIEW,
            outcome=AuditOutcome.DENIED,
            object_type="scheduling.appointment",
            object_id=str(pk),
        )
        raise Http404("No such appointment")
    return found


def may_book_for(user: User, patient: Patient, appointment_type: AppointmentType) -> bool:
    """Patients book for themselves; front desk and clinicians for patients they may
    see, at a site where they work."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.PATIENT:
        return patient.user_id == user.pk
    if user.role not in ROSTER_ROLES:
        return False
    works_there = user.sites.filter(pk=appointment_type.site_id).exists()
    return works_there and visible_patients(user).filter(pk=patient.pk).exists()


def may_manage(user: User, appointment: Appointment) -> bool:
    """Staff who may see an appointment and work at its site may move it and change its
    status; a patient may act on their own (the actions limit what they may do)."""
    if not visible_appointments(user).filter(pk=appointment.pk).exists():
        return False
    if user.role == Role.PATIENT:
        return True
    return user.role in ROSTER_ROLES and user.sites.filter(pk=appointment.site_id).exists()


def visible_waitlist(user: User) -> QuerySet[WaitlistEntry]:
    """Waitlist entries `user` may see on the staff overview: front desk those at
    their sites; clinicians those of patients on their care team, or waiting for
    them by name. Nobody else (patients see their own on their own page)."""
    entries = WaitlistEntry.objects.filter(patient__merged_into__isnull=True)
    if not user.is_authenticated or not user.is_active:
        return entries.none()
    if user.role == Role.FRONT_DESK:
        return entries.filter(appointment_type__site__in=_site_ids(user))
    if user.role in (Role.NURSE, Role.PRESCRIBER, Role.THERAPIST):
        on_team = CareTeamMember.objects.filter(user=user, patient=OuterRef("patient"))
        return entries.filter(Q(clinician=user) | Q(Exists(on_team)))
    return entries.none()
