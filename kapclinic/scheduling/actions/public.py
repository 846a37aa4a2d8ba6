"""The public "Book an appointment" page and its e-mailed manage link: booking as a
new visitor, then confirming, moving or cancelling from the link.

There is no signed-in actor: the audit rows name no user, and the link's signature
(or the slot's freshness, for a new booking) is what lets the change happen. The
slot itself is placed by the same rules as every other booking (`placement`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.patients.models import Patient
from kapclinic.scheduling.actions.errors import IllegalTransition, InvalidRequest, NotAllowed
from kapclinic.scheduling.actions.follow_ups import (
    _offer_to_waitlist,
    _record_move,
    _replan_reminders,
)
from kapclinic.scheduling.actions.patient_changes import _patient_reason, change_window
from kapclinic.scheduling.actions.placement import _lock, _place, _save_held
from kapclinic.scheduling.actions.status import RESCHEDULABLE
from kapclinic.scheduling.models import (
    Appointment,
    AppointmentChange,
    AppointmentStatus,
    AppointmentType,
    PublicBooking,
)
from kapclinic.scheduling.stage import booking_allowed

S = AppointmentStatus


def _new_public_patient(site_id: int, details: dict[str, Any]) -> Patient:
    """A new patient record for a visitor, with a fresh MRN (the registration rules)."""
    from kapclinic.patients.actions import _new_mrn

    patient = Patient(site_id=site_id, **details)
    for attempt in range(5):
        patient.mrn = _new_mrn()
        try:
            with transaction.atomic():
                patient.save(force_insert=True)
            return patient
        except IntegrityError:
            if attempt == 4:
                raise
    raise RuntimeError("Could not generate a free medical record number.")


@transaction.atomic
def book_from_public_page(
    *,
    appointment_type: AppointmentType,
    start: dt.datetime,
    clinician: int,
    room: int | None,
    chair: int | None,
    details: dict[str, Any],
    reason: str,
    prescreen: dict[str, bool],
    now: dt.datetime | None = None,
) -> Appointment:
    """Book a visitor's visit from the public page: a new patient record (stage
    enquiry), the appointment, and what they told us. Raises a `SchedulingError`
    (e.g. `SlotTaken`) and changes nothing when the slot cannot be booked.

    A visitor is never attached to an existing record here: an existing patient with
    the same name and birth date is only noted for front desk to merge.
    """
    probe = Patient(site=appointment_type.site, **details)
    decision = booking_allowed(probe, appointment_type, by_staff=False)
    if not decision:
        raise NotAllowed(decision.reason)
    appointment = Appointment(
        appointment_type=appointment_type, site=appointment_type.site, status=S.BOOKED
    )
    _place(
        appointment,
        appointment_type,
        start=start,
        clinician=clinician,
        room=room,
        chair=chair,
        now=now or timezone.now(),
        exclude=None,
    )
    patient = _new_public_patient(appointment_type.site_id, details)
    appointment.patient = patient
    _save_held(appointment, appointment.save)
    match = (
        Patient.objects.filter(
            given_name__iexact=patient.given_name,
            family_name__iexact=patient.family_name,
            birth_date=patient.birth_date,
        )
        .exclude(pk=patient.pk)
        .order_by("pk")
        .first()
    )
    PublicBooking.objects.create(
        appointment=appointment, reason=reason, prescreen=prescreen, possible_match=match
    )
    record(
        actor=None,
        action=AuditAction.CREATE,
        patient=patient,
        obj=patient,
        detail={"fields": sorted([*details, "mrn", "site"]), "source": "public_booking"},
    )
    _audit_public(appointment, AuditAction.CREATE, type=appointment_type.code)
    # Reminders as for any other booking (reminders.py: every upcoming visit).
    _replan_reminders(appointment)
    return appointment


def _audit_public(appointment: Appointment, action: AuditAction, **detail: Any) -> None:
    record(
        actor=None,
        action=action,
        patient=appointment.patient,
        obj=appointment,
        detail={"status": appointment.status, "via": "manage_link", **detail},
    )


def _check_patient_change(current: Appointment, now: dt.datetime) -> None:
    if current.status not in RESCHEDULABLE:
        raise IllegalTransition(
            f"This appointment is {current.get_status_display().lower()} and cannot be changed."
        )
    window = change_window(current)
    if current.start - now < window:
        hours = int(window.total_seconds() // 3600)
        raise NotAllowed(
            f"Changes online are possible up to {hours} hours before the visit. "
            "Please call the clinic."
        )


@transaction.atomic
def confirm_by_link(*, appointment: Appointment, now: dt.datetime | None = None) -> Appointment:
    """The patient confirmed from the e-mailed link: the visit is confirmed and the
    e-mail address is known to be theirs."""
    current = _lock(appointment)
    if current.status != S.BOOKED:
        return current
    current.status = S.CONFIRMED
    current.status_changed_at = now or timezone.now()
    current.save(update_fields=["status", "status_changed_at"])
    PublicBooking.objects.filter(appointment=current, email_verified_at__isnull=True).update(
        email_verified_at=current.status_changed_at
    )
    _audit_public(current, AuditAction.UPDATE, fields=["status"])
    _attach_to_verified_record(current)
    return current


def _attach_to_verified_record(appointment: Appointment) -> None:
    """Now the visitor has shown the e-mail is theirs, a returning patient's booking
    moves to their existing record, and the record made for the booking is retired,
    so nobody is on file twice. Only an exact, unique e-mail match counts: a name and
    birth date are never enough (front desk sees those as possible matches)."""
    new = appointment.patient
    if not new.email or new.appointments.exclude(pk=appointment.pk).exists():
        return
    found = list(
        Patient.objects.filter(email__iexact=new.email, is_active=True).exclude(pk=new.pk)[:2]
    )
    if len(found) != 1:
        return
    existing = found[0]
    appointment.patient = existing
    appointment.save(update_fields=["patient"])
    new.is_active = False
    new.merged_into = existing
    new.merged_at = timezone.now()
    new.save(update_fields=["is_active", "merged_into", "merged_at"])
    record(
        actor=None,
        action=AuditAction.UPDATE,
        patient=existing,
        obj=appointment,
        detail={"fields": ["patient"], "via": "manage_link", "matched_by": "verified_email"},
    )
    record(
        actor=None,
        action=AuditAction.UPDATE,
        patient=new,
        obj=new,
        detail={"fields": ["is_active", "merged_into"], "merged_into": existing.pk},
    )


@transaction.atomic
def reschedule_by_link(
    *,
    appointment: Appointment,
    start: dt.datetime,
    clinician: int,
    room: int | None,
    chair: int | None,
    reason: str,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move an appointment from the e-mailed link to another slot of the same type,
    inside the site's change window, with the patient's reason."""
    now = now or timezone.now()
    current = _lock(appointment)
    _check_patient_change(current, now)
    reason = _patient_reason(reason)
    from_start = current.start
    kind = current.appointment_type
    decision = booking_allowed(current.patient, kind, by_staff=False)
    if not decision:
        raise NotAllowed(decision.reason)
    _place(
        current,
        kind,
        start=start,
        clinician=clinician,
        room=room,
        chair=chair,
        now=now,
        exclude=current.pk,
    )
    current.status = S.BOOKED
    current.status_changed_at = now
    fields = ["start", "end", "hold_start", "hold_end", "clinician", "room", "chair", "status"]
    _save_held(current, lambda: current.save(update_fields=[*fields, "status_changed_at"]))
    _record_move(
        current,
        from_start=from_start,
        by=None,
        via=AppointmentChange.Via.LINK,
        reason=reason,
        at=now,
    )
    _audit_public(current, AuditAction.UPDATE, fields=["start"], rescheduled=True, reason=True)
    _replan_reminders(current)
    return current


@transaction.atomic
def cancel_by_link(
    *, appointment: Appointment, reason: str, now: dt.datetime | None = None
) -> Appointment:
    """Cancel from the e-mailed link, with a reason, inside the site's change window."""
    now = now or timezone.now()
    current = _lock(appointment)
    _check_patient_change(current, now)
    reason = reason.strip()
    if not reason:
        raise InvalidRequest("Give a reason for cancelling.")
    current.status = S.CANCELLED
    current.status_changed_at = now
    current.cancel_reason = reason[:300]
    current.save(update_fields=["status", "status_changed_at", "cancel_reason"])
    # The reason may be personal: the audit row names the field only.
    _audit_public(current, AuditAction.UPDATE, fields=["status", "cancel_reason"])
    # The same follow-ups as a cancellation anywhere else: no reminders for a
    # cancelled visit, and the freed time offered to the waitlist.
    _replan_reminders(current)
    _offer_to_waitlist(current)
    return current
