"""The demo clinic's schedule: visit types, a consulting room, working hours, and four
weeks of appointments (two back, two ahead) in every status.

Composed into `seed_demo` after the patients (kapclinic/patients/demo.py). Idempotent:
types, rooms and hours are found or made; appointments are made only when the demo
sites have none. Deterministic for a seed and a date. Slots are picked by the same
engine that serves bookings, so the demo never double-books; like the rest of the
demo data it is written directly, without audit rows.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.clinics.models import Room, Site
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.scheduling.calendar import load_calendar
from kapclinic.scheduling.demo_followups import build_demo_followups
from kapclinic.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Resource,
    TypeCode,
    WorkingHours,
)
from kapclinic.scheduling.slots import Calendar, Interval, search

DAYS_BACK = 14
DAYS_AHEAD = 14
CONSULTING_ROOM = "Consulting Room"
_DOSING_NOTE = (
    "Follow the fasting instructions your care team gave you for this route. Arrange "
    "for someone to take you home, and do not drive until the next day after a night's "
    "sleep. Plan to stay at least two hours after the dose."
)


@dataclass(frozen=True)
class TypeSpec:
    code: TypeCode
    minutes: int
    roles: tuple[str, ...]
    resource: Resource
    bookable: bool = False
    before: int = 0
    after: int = 10
    credentials: tuple[str, ...] = ()
    instructions: str = ""


def _dosing(code: TypeCode, dose_minutes: int) -> TypeSpec:
    """A dosing session: a nurse with a current licence, a monitored chair, 15 minutes
    either side to settle in and to clean the chair."""
    return TypeSpec(
        code,
        dose_minutes,
        ("nurse",),
        Resource.CHAIR,
        before=15,
        after=15,
        credentials=("nursing",),
        instructions=_DOSING_NOTE,
    )


T = TypeCode
TYPES = (
    TypeSpec(
        T.INITIAL_CONSULTATION,
        60,
        ("prescriber",),
        Resource.ROOM,
        bookable=True,
        instructions="Bring a list of your current medicines.",
    ),
    TypeSpec(T.SCREENING, 90, ("prescriber",), Resource.ROOM),
    TypeSpec(T.PREPARATION, 60, ("therapist",), Resource.ROOM, bookable=True),
    _dosing(T.DOSING_IV, 40),
    _dosing(T.DOSING_IM, 20),
    _dosing(T.DOSING_ORAL, 30),
    _dosing(T.DOSING_ESKETAMINE, 15),
    TypeSpec(T.INTEGRATION, 60, ("therapist",), Resource.ROOM, bookable=True),
    TypeSpec(T.REVIEW, 45, ("prescriber",), Resource.ROOM),
    TypeSpec(
        T.FOLLOW_UP,
        30,
        ("prescriber", "therapist"),
        Resource.NONE,
        bookable=True,
        after=0,
        instructions="A video call; the link comes by e-mail.",
    ),
)
_TYPE_NAMES = {
    T.DOSING_IV: "IV ketamine session",
    T.DOSING_IM: "IM ketamine session",
    T.DOSING_ORAL: "Sublingual ketamine session",
    T.DOSING_ESKETAMINE: "Esketamine nasal spray session",
}

# Per site and weekday: which visits to book, and the stages of patients who have them.
DAILY = (
    (T.DOSING_IV, (PathwayStage.DOSING,)),
    (T.DOSING_ESKETAMINE, (PathwayStage.DOSING, PathwayStage.MAINTENANCE)),
    (T.DOSING_IM, (PathwayStage.MAINTENANCE, PathwayStage.DOSING)),
    (T.INTEGRATION, (PathwayStage.DOSING,)),
    (T.INITIAL_CONSULTATION, (PathwayStage.ENQUIRY, PathwayStage.CONSULTATION)),
    (T.PREPARATION, (PathwayStage.PREPARATION, PathwayStage.CONSENT)),
    (T.FOLLOW_UP, (PathwayStage.FOLLOW_UP, PathwayStage.REVIEW)),
)
_S = AppointmentStatus
_CANCEL_REASONS = ("Patient unwell", "Transport fell through", "Clinic rescheduled")
_LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass
class DemoSchedule:
    types_created: int = 0
    appointments_created: int = 0
    followups: dict[str, int] = field(default_factory=dict)


def build_demo_schedule(
    sites: dict[str, Site], front_desk: dict[str, User], *, seed: int = 1
) -> DemoSchedule:
    """Types, room and hours for each demo site, then appointments if there are none.

    `front_desk` maps a site key to the person recorded as having booked its visits.
    """
    result = DemoSchedule()
    with transaction.atomic():
        for site in sites.values():
            result.types_created += _ensure_types(site)
            Room.objects.get_or_create(
                site=site, name=CONSULTING_ROOM, defaults={"kind": Room.Kind.CONSULTATION}
            )
            _ensure_hours(site)
        if not Appointment.objects.filter(site__in=sites.values()).exists():
            for n, (key, site) in enumerate(sorted(sites.items())):
                rng = random.Random(f"{seed}-{n}")  # noqa: S311  # synthetic data, not secrets
                result.appointments_created += _book_site(site, front_desk[key], rng)
        ordered = [site for _, site in sorted(sites.items())]
        result.followups = build_demo_followups(ordered)
    return result


def _ensure_types(site: Site) -> int:
    made = 0
    for spec in TYPES:
        _, created = AppointmentType.objects.get_or_create(
            site=site,
            code=spec.code,
            defaults={
                "name": _TYPE_NAMES.get(spec.code, spec.code.label),
                "duration_minutes": spec.minutes,
                "buffer_before_minutes": spec.before,
                "buffer_after_minutes": spec.after,
                "provider_roles": list(spec.roles),
                "credential_kinds": list(spec.credentials),
                "resource": spec.resource,
                "patient_bookable": spec.bookable,
                "instructions": spec.instructions,
            },
        )
        made += created
    return made


def _ensure_hours(site: Site) -> None:
    """Weekdays for every clinician at the site; someone working at two sites splits
    the week (Monday to Wednesday at the first, Thursday and Friday at the second)."""
    clinicians = User.objects.filter(
        sites=site, role__in=(Role.PRESCRIBER, Role.NURSE, Role.THERAPIST), is_active=True
    ).prefetch_related("sites")
    for user in clinicians:
        if WorkingHours.objects.filter(staff=user, site=site).exists():
            continue
        their_sites = sorted(s.pk for s in user.sites.all())
        weekdays = range(5)
        if len(their_sites) > 1:
            weekdays = range(3) if site.pk == their_sites[0] else range(3, 5)
        start, end = (8, 18) if user.role == Role.NURSE else (9, 17)
        WorkingHours.objects.bulk_create(
            WorkingHours(
                staff=user,
                site=site,
                weekday=day,
                start_time=dt.time(start),
                end_time=dt.time(end),
            )
            for day in weekdays
        )


def _share(calendars: list[Calendar]) -> None:
    """Give every calendar the same busy lists, so a visit booked for one type
    blocks its clinician, room and chair for all the others."""
    busy: dict[int, list[Interval]] = {}
    rooms: dict[int, list[Interval]] = {}
    chairs: dict[int, list[Interval]] = {}
    for cal in calendars:
        cal.busy, cal.room_busy, cal.chair_busy = busy, rooms, chairs


def _book_site(site: Site, booker: User, rng: random.Random) -> int:
    zone = ZoneInfo(site.time_zone)
    today = timezone.now().astimezone(zone).date()
    first, last = today - dt.timedelta(days=DAYS_BACK), today + dt.timedelta(days=DAYS_AHEAD)
    kinds = {
        k.code: k
        for k in AppointmentType.objects.filter(site=site).select_related("site__settings")
    }
    calendars = {code: load_calendar(kind, first, last) for code, kind in kinds.items()}
    _share(list(calendars.values()))
    patients = list(Patient.objects.filter(site=site).order_by("mrn").values_list("pk", "stage"))
    if not patients:
        return 0
    now = timezone.now()
    rows: list[Appointment] = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            for code, stages in DAILY:
                row = _book_one(kinds[code], calendars[code], day, stages, patients, rng)
                if row is not None:
                    row.booked_by = booker
                    rows.append(row)
        day += dt.timedelta(days=1)
    _set_statuses(rows, now, rng)
    Appointment.objects.bulk_create(rows)
    return len(rows)


def _book_one(
    kind: AppointmentType,
    cal: Calendar,
    day: dt.date,
    stages: tuple[str, ...],
    patients: list[tuple[int, str]],
    rng: random.Random,
) -> Appointment | None:
    slots = search(cal, day, day, now=_LONG_AGO)
    if not slots:
        return None
    slot = rng.choice(slots)
    fitting = [pk for pk, stage in patients if stage in stages] or [pk for pk, _ in patients]
    start, end = slot.start.astimezone(dt.UTC), slot.end.astimezone(dt.UTC)
    hold_start = start - dt.timedelta(minutes=kind.buffer_before_minutes)
    hold_end = end + dt.timedelta(minutes=kind.buffer_after_minutes)
    hold = (int(hold_start.timestamp()), int(hold_end.timestamp()))
    cal.busy.setdefault(slot.clinician, []).append(hold)
    if slot.chair is not None:
        cal.chair_busy.setdefault(slot.chair, []).append(hold)
    elif slot.room is not None:
        cal.room_busy.setdefault(slot.room, []).append(hold)
    return Appointment(
        patient_id=rng.choice(fitting),
        appointment_type=kind,
        site_id=kind.site_id,
        clinician_id=slot.clinician,
        room_id=slot.room,
        chair_id=slot.chair,
        start=start,
        end=end,
        hold_start=hold_start,
        hold_end=hold_end,
    )


def _set_statuses(rows: list[Appointment], now: dt.datetime, rng: random.Random) -> None:
    """Past visits mostly completed, some no-shows and cancellations; today's in their
    day's states; future ones booked or confirmed, a few cancelled."""
    for row in rows:
        roll = rng.random()
        if row.end <= now:
            status = _S.COMPLETED if roll < 0.8 else _S.NO_SHOW if roll < 0.9 else _S.CANCELLED
        elif row.start <= now:
            status = _S.IN_PROGRESS
        elif row.start - now < dt.timedelta(hours=2):
            status = _S.CHECKED_IN if roll < 0.5 else _S.CONFIRMED
        else:
            status = _S.CONFIRMED if roll < 0.45 else _S.BOOKED if roll < 0.9 else _S.CANCELLED
        row.status = status
        row.status_changed_at = now
        if status == _S.CANCELLED:
            row.cancel_reason = rng.choice(_CANCEL_REASONS)
    # Whatever the hour the demo is seeded, every status appears at least once: the
    # soonest future visit checked in early, the latest past one still in progress
    # (not closed yet), the earliest past ones a no-show and a cancellation.
    future = sorted((r for r in rows if r.start > now), key=lambda r: r.start)
    past = sorted((r for r in rows if r.end <= now), key=lambda r: r.start)
    wanted = [
        (future[:1], _S.CHECKED_IN),
        (past[-1:], _S.IN_PROGRESS),
        (past[:1], _S.NO_SHOW),
        (past[1:2], _S.CANCELLED),
    ]
    for picks, status in wanted:
        if picks and not any(r.status == status for r in rows):
            picks[0].status = status
            picks[0].cancel_reason = _CANCEL_REASONS[0] if status == _S.CANCELLED else ""
