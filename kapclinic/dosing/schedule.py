"""When vital signs are due during a session, and which are overdue.

Pure code (no Django). CLINICAL.md section 4: blood pressure before the dose (the
baseline, taken during the pre-dose checks), about 40 minutes after, and before
discharge; more often for IV infusions (every 15 minutes while the infusion runs)
[unconfirmed: a clinic setting], and at the end of the infusion. A session's times
are minutes after the first dose; the nurse may change them for one session.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# The blood-pressure peak (CLINICAL.md 4) and the REMS observation floor.
PEAK_MINUTES = 40
BEFORE_DISCHARGE_MINUTES = 120
IV_INTERVAL_MINUTES = 15
# A reading this early still counts for its time, and one this late is overdue.
EARLY = timedelta(minutes=5)
GRACE = timedelta(minutes=5)
MAX_MINUTES = 24 * 60
MAX_TIMES = 40


def default_schedule(route: str, infusion_minutes: int | None) -> list[int]:
    """The default times (minutes after the first dose) for a route."""
    times = {PEAK_MINUTES, BEFORE_DISCHARGE_MINUTES}
    if route == "iv":
        length = infusion_minutes or PEAK_MINUTES
        times.update(range(IV_INTERVAL_MINUTES, length, IV_INTERVAL_MINUTES))
        times.add(length)
    return sorted(times)


def parse_schedule(text: str) -> list[int]:
    """Minutes typed by the nurse ("15, 30, 40, 120"), checked and sorted.

    Raises ValueError with a message for the nurse.
    """
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    if not parts:
        raise ValueError("Enter at least one time, in minutes after the first dose.")
    minutes: set[int] = set()
    for part in parts:
        if not part.isdigit():
            raise ValueError(f"“{part[:10]}” is not a number of minutes.")
        value = int(part)
        if not 1 <= value <= MAX_MINUTES:
            raise ValueError(f"{value} is not between 1 and {MAX_MINUTES} minutes.")
        minutes.add(value)
    if len(minutes) > MAX_TIMES:
        raise ValueError(f"Enter at most {MAX_TIMES} times.")
    return sorted(minutes)


@dataclass(frozen=True)
class Due:
    """One scheduled time: when it falls, whether a reading covers it, and if late."""

    minutes: int
    at: datetime
    done: bool
    overdue: bool


@dataclass(frozen=True)
class Window:
    """The span in which a reading covers one scheduled time: from 5 minutes before
    it up to 5 minutes before the next time (open-ended for the last)."""

    minutes: int
    at: datetime
    opens: datetime
    closes: datetime | None


def windows(first_dose_at: datetime, minutes: Sequence[int]) -> list[Window]:
    """Each scheduled time with its window, in order; one reading never covers two."""
    ordered = sorted(set(minutes))
    result: list[Window] = []
    for index, offset in enumerate(ordered):
        at = first_dose_at + timedelta(minutes=offset)
        closes = (
            first_dose_at + timedelta(minutes=ordered[index + 1]) - EARLY
            if index + 1 < len(ordered)
            else None
        )
        result.append(Window(offset, at, at - EARLY, closes))
    return result


def covers(window: Window, taken: datetime) -> bool:
    return taken >= window.opens and (window.closes is None or taken < window.closes)


def dues(spans: Sequence[Window], covered: Iterable[int], *, now: datetime) -> list[Due]:
    """Each scheduled time, given which of them (minutes) a reading covers."""
    done = set(covered)
    return [
        Due(w.minutes, w.at, w.minutes in done, w.minutes not in done and now > w.at + GRACE)
        for w in spans
    ]


def due_times(
    first_dose_at: datetime,
    minutes: Sequence[int],
    taken: Iterable[datetime],
    *,
    now: datetime,
) -> list[Due]:
    """Each scheduled time with whether a reading covers it.

    A reading covers a time if taken from 5 minutes before it up to the next time's
    window; one reading never covers two times. (The board asks the database which
    windows are covered instead of loading every reading: see dosing/board.py.)
    """
    times = list(taken)
    spans = windows(first_dose_at, minutes)
    return dues(spans, (w.minutes for w in spans if any(covers(w, t) for t in times)), now=now)


def next_due(dues: Sequence[Due]) -> Due | None:
    """The earliest time not yet covered (an overdue one first), or None."""
    return next((d for d in dues if not d.done), None)
