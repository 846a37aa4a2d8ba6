"""Loading what the availability engine needs from the database, in a fixed number of queries.

`load_calendar` runs the same seven queries whether the range is a day or two
months long (a test pins it), then the pure engine in `slots.py` does the rest.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from kapclinic.accounts.models import Role, StaffCredential, User
from kapclinic.clinics.models import Chair, Room
from kapclinic.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentType,
    Closure,
    Resource,
    TimeOff,
    WorkingHours,
)
from kapclinic.scheduling.slots import (
    Calendar,
    Interval,
    Slot,
    TypeSpec,
    WeeklyBlock,
    range_bounds,
    search,
    to_epoch,
)

# Rooms a visit that needs "a room" may use; dosing rooms are for their chairs.
VISIT_ROOM_KINDS = (Room.Kind.CONSULTATION, Room.Kind.GROUP)


def type_spec(appointment_type: AppointmentType) -> TypeSpec:
    """The engine's view of a type; needs `site__settings` loaded."""
    return TypeSpec(
        code=appointment_type.code,
        span_minutes=appointment_type.span_minutes(
            appointment_type.site.settings.min_observation_minutes
        ),
        buffer_before_minutes=appointment_type.buffer_before_minutes,
        buffer_after_minutes=appointment_type.buffer_after_minutes,
        resource=appointment_type.resource,
        needs_prescriber_on_site=appointment_type.is_dosing,
    )


def eligible_clinicians(appointment_type: AppointmentType, on: dt.date) -> QuerySet[User]:
    """Active staff at the type's site in one of its roles, holding a credential of a
    required kind that is current on `on` (if the type requires one)."""
    users = User.objects.filter(
        is_active=True, role__in=appointment_type.provider_roles, sites=appointment_type.site_id
    )
    if appointment_type.credential_kinds:
        current = StaffCredential.objects.filter(
            user=OuterRef("pk"), kind__in=appointment_type.credential_kinds
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        users = users.filter(Exists(current))
    return users.order_by("full_name", "pk")


def load_calendar(
    appointment_type: AppointmentType,
    first: dt.date,
    last: dt.date,
    *,
    exclude: int | None = None,
) -> Calendar:
    """Everything at the type's site from `first` to `last` (local dates, inclusive),
    without the appointment `exclude` (the one being moved)."""
    site = appointment_type.site
    spec = type_spec(appointment_type)
    # A day's margin each side catches visits and buffers that cross local midnight.
    lo, hi = range_bounds(site.time_zone, first - dt.timedelta(days=1), last + dt.timedelta(days=1))
    clinicians = list(eligible_clinicians(appointment_type, last).values_list("pk", flat=True))
    prescribers: list[int] = []
    if spec.needs_prescriber_on_site:
        prescribers = list(
            User.objects.filter(is_active=True, role=Role.PRESCRIBER, sites=site.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    people = set(clinicians) | set(prescribers)
    cal = Calendar(
        time_zone=site.time_zone, type=spec, clinicians=clinicians, prescribers=prescribers
    )
    hours: defaultdict[int, list[WeeklyBlock]] = defaultdict(list)
    for staff_id, weekday, start, end in WorkingHours.objects.filter(
        site=site.pk, staff__in=people
    ).values_list("staff_id", "weekday", "start_time", "end_time"):
        hours[staff_id].append(WeeklyBlock(weekday, start, end))
    cal.hours = dict(hours)
    cal.time_off = _spans(
        TimeOff.objects.filter(staff__in=people, start__lt=hi, end__gt=lo).values_list(
            "staff_id", "start", "end"
        )
    )
    cal.closures = [
        (to_epoch(a), to_epoch(b))
        for a, b in Closure.objects.filter(site=site.pk, start__lt=hi, end__gt=lo).values_list(
            "start", "end"
        )
    ]
    if spec.resource == Resource.CHAIR:
        cal.chairs = list(
            Chair.objects.filter(
                room__site=site.pk, is_active=True, room__is_active=True, monitored=True
            )
            .order_by("room__name", "name", "pk")
            .values_list("pk", "room_id")
        )
    elif spec.resource == Resource.ROOM:
        cal.rooms = list(
            Room.objects.filter(site=site.pk, is_active=True, kind__in=VISIT_ROOM_KINDS)
            .order_by("name", "pk")
            .values_list("pk", flat=True)
        )
    held = Appointment.objects.filter(
        status__in=ACTIVE_STATUSES, hold_start__lt=hi, hold_end__gt=lo
    ).filter(Q(clinician__in=clinicians) | Q(site=site.pk))
    if exclude is not None:
        held = held.exclude(pk=exclude)
    busy: defaultdict[int, list[Interval]] = defaultdict(list)
    room_busy: defaultdict[int, list[Interval]] = defaultdict(list)
    chair_busy: defaultdict[int, list[Interval]] = defaultdict(list)
    for clinician, room, chair, a, b in held.values_list(
        "clinician_id", "room_id", "chair_id", "hold_start", "hold_end"
    ):
        span = (to_epoch(a), to_epoch(b))
        busy[clinician].append(span)
        if chair is not None:
            chair_busy[chair].append(span)
        elif room is not None:
            room_busy[room].append(span)
    cal.busy, cal.room_busy, cal.chair_busy = dict(busy), dict(room_busy), dict(chair_busy)
    return cal


def _spans(rows: Iterable[tuple[int, dt.datetime, dt.datetime]]) -> dict[int, list[Interval]]:
    out: defaultdict[int, list[Interval]] = defaultdict(list)
    for person, a, b in rows:
        out[person].append((to_epoch(a), to_epoch(b)))
    return dict(out)


def find_slots(
    appointment_type: AppointmentType,
    first: dt.date,
    last: dt.date,
    *,
    now: dt.datetime,
    clinician: int | None = None,
) -> list[Slot]:
    """Free slots for the type from `first` to `last` (its site's local dates)."""
    cal = load_calendar(appointment_type, first, last)
    return search(cal, first, last, now=now, clinician=clinician)
