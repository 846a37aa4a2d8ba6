"""What the databases can hold, so input beyond it is refused before it reaches them.

SQLite and PostgreSQL both store our ids as signed 64-bit integers (BigAutoField),
and PostgreSQL refuses the NUL character in text. A value past these limits is no
record that could exist: it is bad input, answered with a 400 or a form error,
never passed on to fail inside the database driver as a server error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

# Largest value of a 64-bit signed integer: the ceiling of every id column.
MAX_DB_ID = 2**63 - 1
# Longest decimal id the URL converter looks at (MAX_DB_ID has 19 digits).
MAX_ID_DIGITS = len(str(MAX_DB_ID))

NUL = "\x00"


def is_database_id(value: int) -> bool:
    """Whether `value` could be the id of a stored row."""
    return 1 <= value <= MAX_DB_ID


def contains_nul(values: Iterable[Any]) -> bool:
    """Whether any string in `values`, or nested inside them (JSON), holds a NUL."""
    stack = list(values)
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def start_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime | None:
    """Midnight at the start of `day` in `tz`, or None when that instant lies outside
    what a datetime can hold in UTC (the first day of year 1 east of Greenwich).

    None means "no bound": a filter from such a day includes everything.
    """
    try:
        start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
        start.astimezone(dt.UTC)
    except OverflowError:
        return None
    return start


def end_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime | None:
    """Midnight at the start of the day after `day` in `tz` (an exclusive end), or
    None when there is no such instant (the last day of year 9999): no bound."""
    if day >= dt.date.max:
        return None
    return start_of_day(day + dt.timedelta(days=1), tz)
