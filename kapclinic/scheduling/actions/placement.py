"""Putting a visit at a time: the availability check, the double-booking guard, and
the row lock under which a booked visit changes.

Every action that books or moves a visit places it here (`_place`) and saves it
through `_save_held`, so the rules for what may be booked, and the way a refusal is
told, are the same on every path: staff pages, the portal, the API, the public page
and its manage link.

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
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.clinics.models import Chair, Room
from kapclinic.scheduling.actions.errors import InvalidRequest, SlotTaken, SlotUnavailable
from kapclinic.scheduling.calendar import load_calendar
from kapclinic.scheduling.models import Appointment, AppointmentType
from kapclinic.scheduling.slots import Refusal, check

T = TypeVar("T")

# PostgreSQL constraint name (migration 0002) -> the resource it protects.
_CONSTRAINT_RESOURCE = {
    "appointment_no_double_booked_clinician": "clinician",
    "appointment_no_double_booked_room": "room",
    "appointment_no_double_booked_chair": "chair",
}


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


def _local_day(appointment_type: AppointmentType, start: dt.datetime) -> dt.date | None:
    """The visit's date at its site, for the pathway's check of that day (None for a
    time without its offset, which `_place` then refuses)."""
    if timezone.is_naive(start):
        return None
    return start.astimezone(ZoneInfo(appointment_type.site.time_zone)).date()


def _lock(appointment: Appointment) -> Appointment:
    """The appointment re-read under a row lock, so two changes cannot interleave."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("appointment_type__site__settings", "patient", "site")
        .get(pk=appointment.pk)
    )
