"""Booking and moving a visit for a known patient: by staff, by the patient in the
portal, by the course booker, or through a waitlist offer's signed link.

Both actions check who may book and what the patient's pathway stage allows
(`stage.booking_allowed`), place the visit (`placement`), and leave the audit row and
the re-planned reminders behind (`follow_ups`). A visitor without a record books on
the public page instead (`public`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.models import AuditAction
from kapclinic.patients.models import Patient
from kapclinic.scheduling.access import may_book_for, may_manage
from kapclinic.scheduling.actions.errors import IllegalTransition, NotAllowed
from kapclinic.scheduling.actions.follow_ups import _audit, _record_move, _replan_reminders
from kapclinic.scheduling.actions.patient_changes import _check_change_window, _patient_reason
from kapclinic.scheduling.actions.placement import _local_day, _lock, _place, _save_held
from kapclinic.scheduling.actions.status import RESCHEDULABLE
from kapclinic.scheduling.models import (
    Appointment,
    AppointmentChange,
    AppointmentStatus,
    AppointmentType,
)
from kapclinic.scheduling.stage import booking_allowed

S = AppointmentStatus


@transaction.atomic
def book_appointment(
    *,
    actor: User | None,
    patient: Patient,
    appointment_type: AppointmentType,
    start: dt.datetime,
    clinician: int,
    room: int | None = None,
    chair: int | None = None,
    now: dt.datetime | None = None,
    course: bool = False,
) -> Appointment:
    """Book `patient` a visit of `appointment_type` at `start` with the given clinician
    and room or chair (ids), or raise a `SchedulingError` saying why not.

    `course`: a dosing session of a signed plan's course (`stage.booking_allowed`).

    `actor` None is the patient through a signed link (a waitlist offer; the caller
    checked it): they may book what the patient may book for themselves."""
    if actor is not None and not may_book_for(actor, patient, appointment_type):
        raise NotAllowed("You cannot book visits for this patient.")
    by_staff = actor is not None and actor.is_clinic_staff
    decision = booking_allowed(
        patient,
        appointment_type,
        by_staff=by_staff,
        on_date=_local_day(appointment_type, start),
        course=course,
    )
    if not decision:
        raise NotAllowed(decision.reason)
    appointment = Appointment(
        patient=patient,
        appointment_type=appointment_type,
        site=appointment_type.site,
        booked_by=actor,
        status=S.BOOKED,
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
    _save_held(appointment, appointment.save)
    _audit(actor, appointment, AuditAction.CREATE, type=appointment_type.code)
    _replan_reminders(appointment)
    return appointment


@transaction.atomic
def reschedule_appointment(
    *,
    actor: User,
    appointment: Appointment,
    start: dt.datetime,
    clinician: int | None = None,
    room: int | None = None,
    chair: int | None = None,
    reason: str = "",
    via: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Move a booked or confirmed appointment to a new start (and clinician, room or
    chair, which stay as they were unless given). A moved appointment is booked
    again: the patient's confirmation was for the old time. A patient gives a
    reason; the move, with it, goes on the visit's history (`AppointmentChange`)."""
    current = _lock(appointment)
    if not may_manage(actor, current):
        raise NotAllowed("You cannot change this appointment.")
    if current.status not in RESCHEDULABLE:
        raise IllegalTransition(
            f"A {current.get_status_display().lower()} appointment cannot be moved."
        )
    now = now or timezone.now()
    _check_change_window(actor, current, now)
    if actor.role == Role.PATIENT:
        reason = _patient_reason(reason)
    via = via or (
        AppointmentChange.Via.PORTAL if actor.role == Role.PATIENT else AppointmentChange.Via.STAFF
    )
    kind = current.appointment_type
    decision = booking_allowed(
        current.patient, kind, by_staff=actor.is_clinic_staff, on_date=_local_day(kind, start)
    )
    if not decision:
        raise NotAllowed(decision.reason)
    new_chair = chair if chair is not None else current.chair_id
    new_room = room if room is not None else (None if chair is not None else current.room_id)
    before = (current.start, current.clinician_id, current.room_id, current.chair_id)
    _place(
        current,
        kind,
        start=start,
        clinician=clinician if clinician is not None else current.clinician_id,
        room=new_room,
        chair=new_chair,
        now=now,
        exclude=current.pk,
    )
    current.status = S.BOOKED
    current.status_changed_at = timezone.now()
    after = (current.start, current.clinician_id, current.room_id, current.chair_id)
    names = ("start", "clinician", "room", "chair")
    changed = [n for n, a, b in zip(names, before, after, strict=True) if a != b]
    fields = ["start", "end", "hold_start", "hold_end", "clinician", "room", "chair", "status"]
    _save_held(current, lambda: current.save(update_fields=[*fields, "status_changed_at"]))
    _record_move(current, from_start=before[0], by=actor, via=via, reason=reason, at=now)
    # The reason may be personal: the audit row says only whether one was given.
    _audit(
        actor, current, AuditAction.UPDATE, fields=changed, rescheduled=True, reason=bool(reason)
    )
    _replan_reminders(current)
    return current
