"""Every write to the schedule: booking, moving, and each step of an appointment's life.

Each action is atomic, takes the acting user as keyword-only `actor`, checks that the
actor may act and that the appointment is in a state the step starts from, and
writes one audit row in the same transaction. A refused action changes nothing.

No double booking, by the database: the availability check and the insert run in
one transaction. On SQLite that transaction begins IMMEDIATE (settings.py), taking
the database's write lock before the check, so a second booking waits until the
first has committed and then sees it. On PostgreSQL two transactions can pass the
check at once; the exclusion constraints (migration 0002) refuse the second insert,
and `_save_held` turns that into the same `SlotTaken` error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Chair, Room
from kapclinic.outcomes.summary import refresh_summary
from kapclinic.patients.models import Patient
from kapclinic.scheduling.access import may_book_for, may_manage
from kapclinic.scheduling.calendar import load_calendar
from kapclinic.scheduling.models import (
    DOSING_CODES,
    Appointment,
    AppointmentChange,
    AppointmentStatus,
    AppointmentType,
    BookingPolicy,
)
from kapclinic.scheduling.reminders import plan_reminders_task
from kapclinic.scheduling.slots import Refusal, check
from kapclinic.scheduling.stage import booking_allowed

S = AppointmentStatus
T = TypeVar("T")

# For each status, the statuses it may be reached from.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.CONFIRMED: frozenset({S.BOOKED}),
    S.CHECKED_IN: frozenset({S.BOOKED, S.CONFIRMED}),
    S.IN_PROGRESS: frozenset({S.CHECKED_IN}),
    S.COMPLETED: frozenset({S.IN_PROGRESS}),
    S.CANCELLED: frozenset({S.BOOKED, S.CONFIRMED}),
    S.NO_SHOW: frozenset({S.BOOKED, S.CONFIRMED}),
}
RESCHEDULABLE = frozenset({S.BOOKED, S.CONFIRMED})
# What a patient may do to their own appointment (the rest is the clinic's).
PATIENT_STATUSES = frozenset({S.CONFIRMED, S.CANCELLED})

# PostgreSQL constraint name (migration 0002) -> the resource it protects.
_CONSTRAINT_RESOURCE = {
    "appointment_no_double_booked_clinician": "clinician",
    "appointment_no_double_booked_room": "room",
    "appointment_no_double_booked_chair": "chair",
}


class SchedulingError(Exception):
    """A booking or status change that cannot be made; the message is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(SchedulingError):
    """The actor may not do this (or the patient's pathway stage does not allow it)."""


class InvalidRequest(SchedulingError):
    """The request names something that cannot give this visit (a room at another site)."""


class SlotUnavailable(SchedulingError):
    """Nobody or nothing can provide the visit then (outside hours, closed, no prescriber)."""


class SlotTaken(SlotUnavailable):
    """A clinician, room or chair the visit needs is already held then."""

    def __init__(self, message: str, resource: str) -> None:
        super().__init__(message)
        self.resource = resource


class IllegalTransition(SchedulingError):
    """The appointment is not in a state this step starts from."""


class InsideChangeWindow(NotAllowed):
    """A patient tried to move or cancel a visit that is too close to change online."""


# BookingPolicy.change_window_hours for a site that has no policy row.
DEFAULT_CHANGE_WINDOW_HOURS = 24


def change_window_hours(site_id: int) -> int:
    """How long before a visit at the site its patient may still move or cancel it."""
    hours = (
        BookingPolicy.objects.filter(site=site_id)
        .values_list("change_window_hours", flat=True)
        .first()
    )
    return DEFAULT_CHANGE_WINDOW_HOURS if hours is None else hours


def patient_may_change(appointment: Appointment, *, now: dt.datetime, hours: int) -> bool:
    """Whether the visit is still far enough away for its patient to change it."""
    return appointment.start - now >= dt.timedelta(hours=hours)


def _check_change_window(actor: User | None, appointment: Appointment, now: dt.datetime) -> None:
    """Patients may move or cancel only before the site's window; staff always may
    (they can fill the slot or know why the late change is needed). `actor` None is
    the patient through a signed reminder link, so the window applies."""
    if actor is not None and actor.role != Role.PATIENT:
        return
    hours = change_window_hours(appointment.site_id)
    if not patient_may_change(appointment, now=now, hours=hours):
        raise InsideChangeWindow(
            f"This visit is less than {hours} hours away, so it can no longer be "
            "changed online. Please call the clinic."
        )


def _resource_name(resource: str, pk: int | None) -> str:
    if pk is None:
        return "The clinic"
    if resource == "clinician":
        user = User.objects.filter(pk=pk).first()
        return str(user) if user else "The clinician"
    if resource == "chair":
        chair = Chair.objects.filter(pk=pk).first()
        return chair.name if chair else "The chair"
    if resource == "room":
        room = Room.objects.filter(pk=pk).first()
        return room.name if room else "The room"
    return "The clinic"


def _raise_refusal(refusal: Refusal) -> None:
    message = refusal.reason
    if message[:1].islower():  # "is already booked then." needs the resource's name
        message = f"{_resource_name(refusal.resource, refusal.resource_id)} {message}"
    if refusal.kind == "taken":
        raise SlotTaken(message, refusal.resource)
    if refusal.kind == "invalid":
        raise InvalidRequest(message)
    raise SlotUnavailable(message)


def _taken_by_constraint(error: IntegrityError) -> str | None:
    """The resource named by a PostgreSQL exclusion violation, if that is what it was."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) != "23P01":  # exclusion_violation
        return None
    diag = getattr(cause, "diag", None)
    name = getattr(diag, "constraint_name", "") or ""
    return _CONSTRAINT_RESOURCE.get(name, "clinician")


def _save_held(appointment: Appointment, save: Callable[[], T]) -> T:
    try:
        with transaction.atomic():
            return save()
    except IntegrityError as error:
        resource = _taken_by_constraint(error)
        if resource is None:
            raise
        pk = getattr(appointment, f"{resource}_id")
        raise SlotTaken(
            f"{_resource_name(resource, pk)} was booked by someone else a moment ago.", resource
        ) from error


def _place(
    appointment: Appointment,
    appointment_type: AppointmentType,
    *,
    start: dt.datetime,
    clinician: int,
    room: int | None,
    chair: int | None,
    now: dt.datetime,
    exclude: int | None,
) -> None:
    """Check that the slot can be booked and set the appointment's times and resources."""
    if timezone.is_naive(start):
        raise InvalidRequest("The start time needs its UTC offset, e.g. 2026-03-02T09:00-05:00.")
    site = appointment_type.site
    local_day = start.astimezone(ZoneInfo(site.time_zone)).date()
    cal = load_calendar(appointment_type, local_day, local_day, exclude=exclude)
    if chair is not None and room is None:
        room = dict(cal.chairs).get(chair)
    refusal = check(cal, start, now=now, clinician=clinician, room=room, chair=chair)
    if refusal is not None:
        _raise_refusal(refusal)
    span = dt.timedelta(minutes=cal.type.span_minutes)
    start = start.astimezone(dt.UTC)
    appointment.start, appointment.end = start, start + span
    appointment.hold_start = start - dt.timedelta(minutes=cal.type.buffer_before_minutes)
    appointment.hold_end = appointment.end + dt.timedelta(minutes=cal.type.buffer_after_minutes)
    appointment.clinician_id, appointment.room_id, appointment.chair_id = clinician, room, chair


def _patient_reason(reason: str) -> str:
    """A patient moving a visit says why (kept on the visit's history for staff)."""
    reason = reason.strip()
    if not reason:
        raise InvalidRequest("Give a reason for moving the visit.")
    return reason[:300]


def _record_move(
    appointment: Appointment,
    *,
    from_start: dt.datetime,
    by: User | None,
    via: str,
    reason: str,
    at: dt.datetime,
) -> None:
    if from_start == appointment.start:
        return
    AppointmentChange.objects.create(
        appointment=appointment,
        at=at,
        by=by,
        via=via,
        from_start=from_start,
        to_start=appointment.start,
        reason=reason.strip()[:300],
    )


def _local_day(appointment_type: AppointmentType, start: dt.datetime) -> dt.date | None:
    """The visit's date at its site, for the pathway's check of that day (None for a
    time without its offset, which `_place` then refuses)."""
    if timezone.is_naive(start):
        return None
    return start.astimezone(ZoneInfo(appointment_type.site.time_zone)).date()


def _replan_reminders(appointment: Appointment) -> None:
    """Once the change has committed, bring the visit's reminders in step with it
    (new due times after a move, none after a cancellation)."""
    pk = appointment.pk
    transaction.on_commit(lambda: plan_reminders_task.enqueue(pk))


def _offer_to_waitlist(appointment: Appointment) -> None:
    """Once a cancellation has committed, offer the freed time to waiting patients."""
    # Imported here: the waitlist books through this module.
    from kapclinic.scheduling.waitlist import offer_freed_slot_task

    pk = appointment.pk
    transaction.on_commit(lambda: offer_freed_slot_task.enqueue(pk))


def _audit(
    actor: User | None, appointment: Appointment, action: AuditAction, **detail: Any
) -> None:
    record(
        actor=actor,
        action=action,
        patient=appointment.patient,
        obj=appointment,
        detail={"status": appointment.status, **detail},
    )


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


def _lock(appointment: Appointment) -> Appointment:
    """The appointment re-read under a row lock, so two changes cannot interleave."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("appointment_type__site__settings", "patient", "site")
        .get(pk=appointment.pk)
    )


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


@transaction.atomic
def change_status(
    *,
    actor: User | None,
    appointment: Appointment,
    to: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Move an appointment along its state machine (TRANSITIONS), or refuse and change
    nothing. Cancelling needs a reason; a no-show can be marked once the visit was due.

    `actor` None is the patient acting through a signed link from a reminder (the
    caller has checked the link); they may do what a signed-in patient may."""
    current = _lock(appointment)
    if actor is not None and not may_manage(actor, current):
        raise NotAllowed("You cannot change this appointment.")
    if to not in TRANSITIONS:
        raise InvalidRequest("Unknown appointment status.")
    if (actor is None or actor.role == Role.PATIENT) and to not in PATIENT_STATUSES:
        raise NotAllowed("Please ask the clinic to make this change.")
    if current.status not in TRANSITIONS[to]:
        raise IllegalTransition(
            f"A {current.get_status_display().lower()} appointment cannot be marked "
            f"{S(to).label.lower()}."
        )
    reason = reason.strip()
    if to == S.CANCELLED and not reason:
        raise InvalidRequest("Give a reason for cancelling.")
    if to == S.CANCELLED:
        _check_change_window(actor, current, now or timezone.now())
    if to == S.NO_SHOW and current.start > (now or timezone.now()):
        raise IllegalTransition("A visit that has not started yet cannot be a no-show.")
    was = current.status
    current.status = to
    current.status_changed_at = now or timezone.now()
    fields = ["status", "status_changed_at"]
    if to == S.CANCELLED:
        current.cancel_reason = reason[:300]
        fields.append("cancel_reason")
    current.save(update_fields=fields)
    completed = S.COMPLETED in (was, to)
    if completed and current.appointment_type.code in DOSING_CODES:
        # A completed dosing visit without a dosing record counts as a dose.
        refresh_summary([current.patient_id])
    # The cancellation reason may be personal: the audit row names the field only.
    _audit(actor, current, AuditAction.UPDATE, fields=fields)
    if to in (S.CANCELLED, S.NO_SHOW):
        _replan_reminders(current)
    if to == S.CANCELLED:
        _offer_to_waitlist(current)
    return current


def confirm(*, actor: User, appointment: Appointment) -> Appointment:
    return change_status(actor=actor, appointment=appointment, to=S.CONFIRMED)


def check_in(*, actor: User, appointment: Appointment) -> Appointment:
    return change_status(actor=actor, appointment=appointment, to=S.CHECKED_IN)


def start_visit(*, actor: User, appointment: Appointment) -> Appointment:
    return change_status(actor=actor, appointment=appointment, to=S.IN_PROGRESS)


def complete(*, actor: User, appointment: Appointment) -> Appointment:
    return change_status(actor=actor, appointment=appointment, to=S.COMPLETED)


def cancel(*, actor: User, appointment: Appointment, reason: str) -> Appointment:
    return change_status(actor=actor, appointment=appointment, to=S.CANCELLED, reason=reason)


def mark_no_show(
    *, actor: User, appointment: Appointment, now: dt.datetime | None = None
) -> Appointment:
    return change_status(actor=actor, appointment=appointment, to=S.NO_SHOW, now=now)


# The public "Book an appointment" page and its e-mailed manage link. There is no
# signed-in actor: the audit rows name no user, and the link's signature (or the
# slot's freshness, for a new booking) is what lets the change happen.


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
    from kapclinic.scheduling.models import PublicBooking

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
    return appointment


def _audit_public(appointment: Appointment, action: AuditAction, **detail: Any) -> None:
    record(
        actor=None,
        action=action,
        patient=appointment.patient,
        obj=appointment,
        detail={"status": appointment.status, "via": "manage_link", **detail},
    )


def change_window(appointment: Appointment) -> dt.timedelta:
    """How late before the visit a patient may still change it themselves."""
    from kapclinic.scheduling.models import BookingPolicy

    policy = BookingPolicy.objects.filter(site_id=appointment.site_id).first()
    return dt.timedelta(hours=policy.change_window_hours if policy else 24)


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
    from kapclinic.scheduling.models import PublicBooking

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
    return current
