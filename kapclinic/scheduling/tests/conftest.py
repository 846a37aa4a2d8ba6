"""A small schedule on the shared cast's site A (America/New_York).

Rooms: "Consulting Room" and a dosing room with two monitored chairs. Types: initial
consultation (60 min + 10 min after, prescriber or therapist, a room, self-bookable),
IM dosing (40 min dose + the site's 120 min observation, 15 min buffers, nurse or
prescriber, a chair), follow-up (30 min, prescriber, no room). Weekday hours:
prescriber 09:00-17:00, nurse 08:00-18:00, therapist 09:00-17:00.
All dates are in 2030, so "now" is always before them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from kapclinic.clinics.models import Chair, Room
from kapclinic.patients.models import PathwayStage
from kapclinic.scheduling.models import AppointmentType, Resource, TypeCode, WorkingHours
from kapclinic.test import Cast
from kapclinic.treatment.walk import walk_to

NY = ZoneInfo("America/New_York")
MONDAY = dt.date(2030, 1, 7)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A wall-clock time at site A."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NY)


@dataclass
class Schedule:
    cast: Cast
    consulting_room: Room
    dosing_room: Room
    chair1: Chair
    chair2: Chair
    consultation: AppointmentType
    dosing: AppointmentType
    follow_up: AppointmentType


def add_hours(user, site, start: int, end: int, weekdays=range(5)) -> None:
    WorkingHours.objects.bulk_create(
        WorkingHours(
            staff=user, site=site, weekday=d, start_time=dt.time(start), end_time=dt.time(end)
        )
        for d in weekdays
    )


def build_schedule(cast: Cast) -> Schedule:
    site = cast.site
    consulting = Room.objects.create(site=site, name="Consulting Room", kind=Room.Kind.CONSULTATION)
    dosing_room = Room.objects.create(site=site, name="Cedar Room", kind=Room.Kind.DOSING)
    chair1 = Chair.objects.create(room=dosing_room, name="Chair 1")
    chair2 = Chair.objects.create(room=dosing_room, name="Chair 2")
    consultation = AppointmentType.objects.create(
        site=site,
        code=TypeCode.INITIAL_CONSULTATION,
        name="Initial consultation",
        duration_minutes=60,
        buffer_after_minutes=10,
        provider_roles=["prescriber", "therapist"],
        resource=Resource.ROOM,
        patient_bookable=True,
    )
    dosing = AppointmentType.objects.create(
        site=site,
        code=TypeCode.DOSING_IM,
        name="IM ketamine session",
        duration_minutes=40,
        buffer_before_minutes=15,
        buffer_after_minutes=15,
        provider_roles=["nurse", "prescriber"],
        resource=Resource.CHAIR,
    )
    follow_up = AppointmentType.objects.create(
        site=site,
        code=TypeCode.FOLLOW_UP,
        name="Follow-up call",
        duration_minutes=30,
        provider_roles=["prescriber"],
        resource=Resource.NONE,
        patient_bookable=True,
    )
    add_hours(cast.prescriber, site, 9, 17)
    add_hours(cast.nurse, site, 8, 18)
    add_hours(cast.therapist, site, 9, 17)
    # Through the audited pathway, so the patient is ready for dosing (treatment.readiness).
    walk_to(cast.patient, PathwayStage.DOSING, actor=cast.prescriber)
    return Schedule(cast, consulting, dosing_room, chair1, chair2, consultation, dosing, follow_up)


@pytest.fixture
def schedule(cast: Cast) -> Schedule:
    return build_schedule(cast)
