"""The availability engine: which visits of one type can be booked, and when.

Plain Python, no Django: `kapclinic/scheduling/calendar.py` loads everything a
search needs for the whole date range in a fixed number of queries and hands it
over as a `Calendar`; this module does the rest in memory, so the cost of a longer
range is arithmetic, not queries.

Rules (the same for searching and for checking one requested slot, so a slot that
is never offered is never bookable either):
- the visit (start to end) lies inside one of the clinician's working windows at
  the site (weekly hours turned into real instants in the site's time zone);
- the held span (start minus the buffer before, end plus the buffer after) overlaps
  none of the clinician's other held spans or time off, no closure of the site,
  and none of the chosen room's or chair's held spans;
- a dosing session also needs a prescriber working at the site, not on time off,
  for the whole visit (the prescriber may be seeing other patients meanwhile);
- nothing in the past.

Instants are handled as whole seconds since the epoch (UTC) for speed and turned
back into aware datetimes only for the slots returned. Wall-clock times become
instants with zoneinfo: on the day clocks go forward an hour of a working block
does not exist, on the day they go back an hour happens twice, and the windows
are exactly as long as the real time worked.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# Slots start on the quarter hour. Every time zone in use is offset from UTC by a
# whole number of quarter hours, so a UTC quarter hour is a local one too.
STEP_SECONDS = 15 * 60

Interval = tuple[int, int]  # [start, end) in epoch seconds


@dataclass(frozen=True)
class WeeklyBlock:
    """A working block on one weekday (0 is Monday), in the site's local time."""

    weekday: int
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class TypeSpec:
    """What the engine needs to know about an appointment type at a site."""

    code: str
    span_minutes: int  # start to end, observation included for dosing
    buffer_before_minutes: int
    buffer_after_minutes: int
    resource: str  # "none", "room" or "chair"
    needs_prescriber_on_site: bool


@dataclass
class Calendar:
    """Everything about one site relevant to one search, loaded up front.

    `clinicians` are the staff who may give this type here, in the order "anyone"
    tries them; `hours` holds weekly blocks at this site for them and for the
    site's prescribers; `busy` holds each person's held spans (at any site) and
    time off; `rooms` and `chairs` are the usable ones in order, with their held
    spans in `room_busy` and `chair_busy`.
    """

    time_zone: str
    type: TypeSpec
    clinicians: list[int]
    prescribers: list[int] = field(default_factory=list)
    hours: dict[int, list[WeeklyBlock]] = field(default_factory=dict)
    busy: dict[int, list[Interval]] = field(default_factory=dict)
    time_off: dict[int, list[Interval]] = field(default_factory=dict)
    closures: list[Interval] = field(default_factory=list)
    rooms: list[int] = field(default_factory=list)
    room_busy: dict[int, list[Interval]] = field(default_factory=dict)
    chairs: list[tuple[int, int]] = field(default_factory=list)  # (chair, its room)
    chair_busy: dict[int, list[Interval]] = field(default_factory=dict)


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # aware, in the site's time zone
    end: dt.datetime
    clinician: int
    room: int | None
    chair: int | None


@dataclass(frozen=True)
class Refusal:
    """Why a requested slot cannot be booked.

    `kind` is "taken" (a resource is booked then), "unavailable" (nobody or
    nothing to provide it then) or "invalid" (the request names something that
    cannot give this visit); `resource` and `resource_id` say which one.
    """

    kind: str
    reason: str
    resource: str = ""
    resource_id: int | None = None


class Busy:
    """Sorted, merged busy intervals with an O(log n) overlap test."""

    __slots__ = ("ends", "starts")

    def __init__(self, intervals: Iterable[Interval]) -> None:
        merged = merge(intervals)
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def overlaps(self, start: int, end: int) -> bool:
        # The first interval ending after `start` is the only one that can overlap.
        i = bisect_right(self.ends, start)
        return i < len(self.starts) and self.starts[i] < end

    def pairs(self) -> list[Interval]:
        return list(zip(self.starts, self.ends, strict=True))

    def contains(self, start: int, end: int) -> bool:
        """Whether one interval covers all of [start, end) (used for working windows)."""
        i = bisect_right(self.starts, start) - 1
        return i >= 0 and self.ends[i] >= end


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and join overlapping or touching intervals."""
    out: list[list[int]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def subtract(windows: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """The parts of `windows` outside every interval in `holes`."""
    cuts = merge(holes)
    out: list[Interval] = []
    for start, end in windows:
        for a, b in cuts:
            if b <= start or a >= end:
                continue
            if a > start:
                out.append((start, a))
            start = max(start, b)
        if start < end:
            out.append((start, end))
    return out


def to_epoch(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times must carry their offset")
    return int(moment.timestamp())


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def working_windows(
    blocks: Sequence[WeeklyBlock], tz: ZoneInfo, first: dt.date, last: dt.date
) -> list[Interval]:
    """The weekly blocks as real instants for each local date from `first` to `last`."""
    by_day: dict[int, list[WeeklyBlock]] = {}
    for block in blocks:
        by_day.setdefault(block.weekday, []).append(block)
    out: list[Interval] = []
    for day in days(first, last):
        for block in by_day.get(day.weekday(), ()):
            start = int(dt.datetime.combine(day, block.start, tzinfo=tz).timestamp())
            end = int(dt.datetime.combine(day, block.end, tzinfo=tz).timestamp())
            if end > start:
                out.append((start, end))
    return merge(out)


def range_bounds(time_zone: str, first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants from local midnight starting `first` to local midnight after `last`."""
    tz = ZoneInfo(time_zone)
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return start, end.astimezone(dt.UTC)


class _Prepared:
    """A calendar turned into bisectable lists for the dates searched."""

    def __init__(self, cal: Calendar, first: dt.date, last: dt.date) -> None:
        self.tz = ZoneInfo(cal.time_zone)
        self.cal = cal
        spec = cal.type
        self.span = spec.span_minutes * 60
        self.before = spec.buffer_before_minutes * 60
        self.after = spec.buffer_after_minutes * 60
        people = set(cal.clinicians) | set(cal.prescribers)
        self.windows = {
            p: Busy(working_windows(cal.hours.get(p, ()), self.tz, first, last)) for p in people
        }
        self.off = {p: Busy(cal.time_off.get(p, ())) for p in people}
        # When some prescriber is on site: their windows less their time off, joined,
        # so a session may run across one prescriber handing over to the next.
        self.prescriber_present = Busy(
            span
            for p in cal.prescribers
            for span in subtract(
                zip(self.windows[p].starts, self.windows[p].ends, strict=True),
                cal.time_off.get(p, ()),
            )
        )
        # A clinician is blocked by their own held visits and by time off.
        self.blocked = {
            p: Busy([*cal.busy.get(p, ()), *cal.time_off.get(p, ())]) for p in cal.clinicians
        }
        # Where a visit (start to end, buffers aside) may lie for each clinician: inside
        # a working window and clear of every blocked span widened by this type's
        # buffers (a held span overlaps a block exactly when the visit overlaps the
        # block widened by the buffer after before it and the buffer before after
        # it). One bisect then answers "is this clinician free for this visit".
        self.free = {
            p: Busy(
                subtract(
                    zip(self.windows[p].starts, self.windows[p].ends, strict=True),
                    ((a - self.after, b + self.before) for a, b in self.blocked[p].pairs()),
                )
            )
            for p in cal.clinicians
        }
        self.closed = Busy(cal.closures)
        self.room_busy = {r: Busy(cal.room_busy.get(r, ())) for r in cal.rooms}
        self.chair_busy = {c: Busy(cal.chair_busy.get(c, ())) for c, _ in cal.chairs}
        self.chair_room = dict(cal.chairs)

    def prescriber_on_site(self, start: int, end: int) -> bool:
        # Their own appointments do not take a prescriber off site; time off does.
        return self.prescriber_present.contains(start, end)

    def free_resource(self, hold_start: int, hold_end: int) -> tuple[int | None, int | None] | None:
        """The first free (room, chair) the type needs, (None, None) if it needs
        neither, or None if it needs one and none is free."""
        kind = self.cal.type.resource
        if kind == "chair":
            for chair, room in self.cal.chairs:
                if not self.chair_busy[chair].overlaps(hold_start, hold_end):
                    return room, chair
            return None
        if kind == "room":
            for room in self.cal.rooms:
                if not self.room_busy[room].overlaps(hold_start, hold_end):
                    return room, None
            return None
        return None, None

    def slot(self, start: int, clinician: int, room: int | None, chair: int | None) -> Slot:
        return Slot(
            start=dt.datetime.fromtimestamp(start, self.tz),
            end=dt.datetime.fromtimestamp(start + self.span, self.tz),
            clinician=clinician,
            room=room,
            chair=chair,
        )


def search(
    cal: Calendar,
    first: dt.date,
    last: dt.date,
    *,
    now: dt.datetime,
    clinician: int | None = None,
) -> list[Slot]:
    """Free slots from local date `first` to `last` (inclusive), in time order.

    Each start time is offered once: with `clinician`, for that clinician; for
    "anyone", with the first free clinician in `cal.clinicians` order. The room or
    chair is the first free one in order.
    """
    p = _Prepared(cal, first, last)
    people = cal.clinicians if clinician is None else [c for c in cal.clinicians if c == clinician]
    earliest = to_epoch(now)
    starts: set[int] = set()
    for person in people:
        for w_start, w_end in zip(p.windows[person].starts, p.windows[person].ends, strict=True):
            aligned = -(-max(w_start, earliest) // STEP_SECONDS) * STEP_SECONDS
            starts.update(range(aligned, w_end - p.span + 1, STEP_SECONDS))
    dosing = cal.type.needs_prescriber_on_site
    free = p.free
    out: list[Slot] = []
    for start in sorted(starts):
        end = start + p.span
        hold = (start - p.before, end + p.after)
        if p.closed.overlaps(*hold):
            continue
        if dosing and not p.prescriber_on_site(start, end):
            continue
        resource = p.free_resource(*hold)
        if resource is None:
            continue
        for person in people:
            if free[person].contains(start, end):
                out.append(p.slot(start, person, *resource))
                break
    return out


def check(
    cal: Calendar,
    start_at: dt.datetime,
    *,
    now: dt.datetime,
    clinician: int,
    room: int | None,
    chair: int | None,
) -> Refusal | None:
    """Why one requested slot cannot be booked, or None if it can.

    The held spans in `cal` must not include the appointment being moved.
    """
    start = to_epoch(start_at)
    local_day = start_at.astimezone(ZoneInfo(cal.time_zone)).date()
    # A visit may run past local midnight only in theory; one day either side covers it.
    p = _Prepared(cal, local_day - dt.timedelta(days=1), local_day + dt.timedelta(days=1))
    end = start + p.span
    hold = (start - p.before, end + p.after)
    kind = cal.type.resource
    if start < to_epoch(now):
        return Refusal("unavailable", "That time has already passed.")
    if clinician not in cal.clinicians:
        return Refusal(
            "invalid", "That clinician does not give this visit here.", "clinician", clinician
        )
    if kind == "chair" and (chair is None or chair not in p.chair_room):
        return Refusal("invalid", "Choose a monitored chair at this site.", "chair", chair)
    if kind == "chair" and room is not None and room != p.chair_room[chair or 0]:
        return Refusal("invalid", "That chair is in another room.", "room", room)
    if kind == "room" and (room is None or room not in p.room_busy or chair is not None):
        return Refusal("invalid", "Choose a room at this site.", "room", room)
    if kind == "none" and (room is not None or chair is not None):
        return Refusal("invalid", "This visit uses no room or chair.")
    if p.closed.overlaps(*hold):
        return Refusal("unavailable", "The clinic is closed then.", "site")
    if cal.type.needs_prescriber_on_site and not p.prescriber_on_site(start, end):
        return Refusal("unavailable", "No prescriber is on site for the whole session then.")
    if not p.windows[clinician].contains(start, end) or p.off[clinician].overlaps(*hold):
        return Refusal("unavailable", "is not working then.", "clinician", clinician)
    if p.blocked[clinician].overlaps(*hold):
        return Refusal("taken", "is already booked then.", "clinician", clinician)
    if chair is not None and p.chair_busy[chair].overlaps(*hold):
        return Refusal("taken", "is already booked then.", "chair", chair)
    if kind == "room" and room is not None and p.room_busy[room].overlaps(*hold):
        return Refusal("taken", "is already booked then.", "room", room)
    return None
