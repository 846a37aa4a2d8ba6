"""Dates the way a clinic's country writes them: read what people type, show dates
so nobody misreads them. No Django imports.

Numeric dates are ambiguous across countries (04/12/1985 is 12 April in the US and
4 December in most other places), so dates are *shown* with the month's name in the
country's order ("Apr 12, 1985" or "12 Apr 1985"), and *read* in the country's
numeric order, with ISO (1985-04-12) always accepted.
"""

from __future__ import annotations

import re
from datetime import date

# Countries that write the month first (04/12/1985 is 12 April); elsewhere the day comes
# first. ISO (1985-04-12) is read the same everywhere.
MONTH_FIRST_COUNTRIES = frozenset(
    {"US", "PR", "GU", "VI", "AS", "MP", "UM", "PH", "FM", "MH", "PW"}
)
_LOCAL_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_first(country: str) -> bool:
    return country.upper() in MONTH_FIRST_COUNTRIES


def local_date_pattern(country: str) -> str:
    """How people in `country` write a date, for help texts and messages."""
    return "MM/DD/YYYY" if month_first(country) else "DD/MM/YYYY"


def read_local_date(text: str, country: str) -> date | str | None:
    """A date written the local way (04/12/1985): the date; None when `text` is not
    shaped like one; or, when it is but names no real day, a message saying so."""
    match = _LOCAL_DATE.match(text)
    if match is None:
        return None
    first, second, year = (int(part) for part in match.groups())
    month, day = (first, second) if month_first(country) else (second, first)
    try:
        return date(year, month, day)
    except ValueError:
        pattern = local_date_pattern(country)
        return f"Could not read {text} as a date. Type it as {pattern} or as YYYY-MM-DD."


def format_local_date(value: date, country: str) -> str:
    """`value` with the month named, in `country`'s order: "Apr 12, 1985" (US) or
    "12 Apr 1985" (day first)."""
    month = _MONTHS[value.month - 1]
    if month_first(country):
        return f"{month} {value.day}, {value.year}"
    return f"{value.day} {month} {value.year}"
