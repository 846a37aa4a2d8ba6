"""The waitlist: patients waiting for a kind of visit in a date range, offered a
freed slot first come, first served.

When an appointment is cancelled, `offer_freed_slot` e-mails every patient whose
waiting entry fits it (same kind of visit and so the same site, the day in their
range, their clinician if they named one), oldest entry first, each with a signed
claim link. The first to claim books the slot through the normal booking action,
so every rule of booking still applies; anyone later finds it gone and stays on
the list. Only kinds of visit patients may book themselves are offered by link
(a dosing session is booked by the clinic team).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.patients.models import Patient
from kapclinic.scheduling import actions
from kapclinic.scheduling.access import may_book_for
from kapclinic.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    WaitlistEntry,
)
from kapclinic.scheduling.reminder_links import offer_url
from kapclinic.scheduling.reminders import local_when
from kapclinic.scheduling.stage import booking_allowed

W = WaitlistEntry.Status
# How many waiting patients one freed slot is offered to at once.
OFFER_LIMIT = 10


class WaitlistError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@transaction.atomic
def join_waitlist(
    *,
    actor: User,
    patient: Patient,
    appointment_type: AppointmentType,
    earliest: dt.date | None = None,
    latest: dt.date | None = None,
    clinician: User | None = None,
) -> WaitlistEntry:
    """Put `patient` on the waitlist (the patient themselves, or staff for them)."""
    if not may_book_for(actor, patient, appointment_type):
        raise WaitlistError("You cannot add this patient to the waitlist.")
    decision = booking_allowed(patient, appointment_type, by_staff=actor.is_clinic_staff)
    if not decision:
        raise WaitlistError(decision.reason)
    if earliest and latest and latest < earliest:
        raise WaitlistError("The last day must be on or after the first day.")
    if latest and latest < timezone.localdate():
        raise WaitlistError("The last day has already passed.")
    if WaitlistEntry.objects.filter(
        patient=patient, appointment_type=appointment_type, status=W.WAITING
    ).exists():
        raise WaitlistError("You are already on the waitlist for this kind of visit.")
    entry = WaitlistEntry.objects.create(
        patient=patient,
        appointment_type=appointment_type,
        clinician=clinician,
        earliest=earliest,
        latest=latest,
    )
    record(actor=actor, action=AuditAction.CREATE, patient=patient, obj=entry)
    return entry


def waiting_for(appointment: Appointment) -> list[WaitlistEntry]:
    """Waiting entries the freed `appointment` fits, oldest first."""
    day = appointment.start.astimezone(ZoneInfo(appointment.site.time_zone)).date()
    return list(
        WaitlistEntry.objects.filter(
            status=W.WAITING,
            appointment_type_id=appointment.appointment_type_id,
        )
        .filter(Q(earliest__isnull=True) | Q(earliest__lte=day))
        .filter(Q(latest__isnull=True) | Q(latest__gte=day))
        .filter(Q(clinician__isnull=True) | Q(clinician_id=appointment.clinician_id))
        .exclude(patient_id=appointment.patient_id)
        .select_related("patient")
        .order_by("created_at", "id")[:OFFER_LIMIT]
    )


def offer_freed_slot(appointment_id: int, *, now: dt.datetime | None = None) -> int:
    """E-mail the freed slot of a cancelled appointment to the patients waiting for
    it; the number of offers sent."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_related("appointment_type", "site")
        .filter(pk=appointment_id, status=AppointmentStatus.CANCELLED)
        .first()
    )
    if appointment is None or appointment.start <= now:
        return 0
    if not appointment.appointment_type.patient_bookable:
        return 0
    sent = 0
    for entry in waiting_for(appointment):
        if not entry.patient.email:
            continue
        context = {
            "type_name": appointment.appointment_type.name,
            "when": local_when(appointment),
            "site": appointment.site,
            "link": offer_url(entry.pk, appointment.pk, appointment.start),
        }
        body = render_to_string("scheduling/reminders/offer_email.txt", context).strip()
        subject = f"An earlier appointment is free: {context['when']}"
        with transaction.atomic():
            entry.offered_appointment = appointment
            entry.save(update_fields=["offered_appointment"])
            record(
                actor=None,
                action=AuditAction.UPDATE,
                patient=entry.patient,
                obj=entry,
                detail={"offered": appointment.pk},
            )
        send_mail(subject, body, None, [entry.patient.email])
        sent += 1
    return sent


@task()
def offer_freed_slot_task(appointment_id: int) -> int:
    return offer_freed_slot(appointment_id)


class SlotGone(WaitlistError):
    """Someone else claimed the slot first (or it cannot be booked any more)."""


@transaction.atomic
def claim_offer(*, entry: WaitlistEntry, freed: Appointment) -> Appointment:
    """Book the freed slot for the entry's patient, if nobody has yet."""
    current = WaitlistEntry.objects.select_for_update().select_related("patient").get(pk=entry.pk)
    if current.status != W.WAITING:
        raise WaitlistError("This waitlist place has already been used or withdrawn.")
    try:
        booked = actions.book_appointment(
            actor=None,
            patient=current.patient,
            appointment_type=freed.appointment_type,
            start=freed.start,
            clinician=freed.clinician_id,
            room=freed.room_id,
            chair=freed.chair_id,
        )
    except actions.SlotUnavailable as error:
        raise SlotGone("Sorry, someone else has just taken this time.") from error
    except actions.SchedulingError as error:
        raise WaitlistError(error.message) from error
    current.status = W.BOOKED
    current.save(update_fields=["status"])
    record(
        actor=None,
        action=AuditAction.UPDATE,
        patient=current.patient,
        obj=current,
        detail={"status": W.BOOKED, "appointment": booked.pk},
    )
    return booked


@transaction.atomic
def leave_waitlist(*, actor: User, entry: WaitlistEntry) -> WaitlistEntry:
    """Take a waiting entry off the list (the patient, or staff for them)."""
    if not may_book_for(actor, entry.patient, entry.appointment_type):
        raise WaitlistError("You cannot change this patient's waitlist.")
    current = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if current.status == W.WAITING:
        current.status = W.WITHDRAWN
        current.save(update_fields=["status"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            patient=entry.patient,
            obj=current,
            detail={"status": W.WITHDRAWN},
        )
    return current


@transaction.atomic
def remove_from_waitlist(*, actor: User, entry: WaitlistEntry, reason: str) -> WaitlistEntry:
    """Staff take a waiting entry off the list, saying why (kept on the entry)."""
    if not actor.is_clinic_staff or not may_book_for(actor, entry.patient, entry.appointment_type):
        raise WaitlistError("You cannot change this patient's waitlist.")
    reason = reason.strip()
    if not reason:
        raise WaitlistError("Give a reason for taking the patient off the waitlist.")
    current = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if current.status != W.WAITING:
        raise WaitlistError("This patient is no longer waiting for this visit.")
    current.status = W.WITHDRAWN
    current.withdrawn_reason = reason[:300]
    current.withdrawn_at = timezone.now()
    current.save(update_fields=["status", "withdrawn_reason", "withdrawn_at"])
    # The reason may be personal: the audit row names the fields only.
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=entry.patient,
        obj=current,
        detail={"status": W.WITHDRAWN, "fields": ["status", "withdrawn_reason"]},
    )
    return current
