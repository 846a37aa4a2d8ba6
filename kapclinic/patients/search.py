"""Searching the patient list by name, MRN or birth date."""

from __future__ import annotations

import re
from datetime import date

from django.db.models import Q, QuerySet

from kapclinic.patients.models import Patient


def parse_iso_date(text: str) -> date | None:
    """A YYYY-MM-DD date, or None if `text` is not one."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# Countries that write the month first (04/12/1985 is 12 April); elsewhere the day comes
# first. ISO (1985-04-12) is read the same everywhere.
MONTH_FIRST_COUNTRIES = frozenset(
    {"US", "PR", "GU", "VI", "AS", "MP", "UM", "PH", "FM", "MH", "PW"}
)
_LOCAL_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def local_date_pattern(country: str) -> str:
    """How people in `country` write a date, for help texts and messages."""
    return "MM/DD/YYYY" if country.upper() in MONTH_FIRST_COUNTRIES else "DD/MM/YYYY"


def read_local_date(text: str, country: str) -> date | str | None:
    """A date written the local way (04/12/1985): the date; None when `text` is not
    shaped like one; or, when it is but names no real day, a message saying so."""
    match = _LOCAL_DATE.match(text)
    if match is None:
        return None
    first, second, year = (int(part) for part in match.groups())
    month, day = (first, second) if country.upper() in MONTH_FIRST_COUNTRIES else (second, first)
    try:
        return date(year, month, day)
    except ValueError:
        pattern = local_date_pattern(country)
        return f"Could not read {text} as a date. Type it as {pattern} or as YYYY-MM-DD."


def is_impossible_date(text: str) -> bool:
    """Whether `text` is shaped like YYYY-MM-DD but is no real date (1985-02-30).

    Searching for it would silently match nothing, so the list page and the API
    refuse it instead.
    """
    looks_like_date = len(text) == 10 and text[:4].isdigit() and text[4] == "-"
    return looks_like_date and parse_iso_date(text) is None


def search_patients(patients: QuerySet[Patient], text: str) -> QuerySet[Patient]:
    """Patients whose birth date is `text` (YYYY-MM-DD), or whose names or MRN
    contain every word of it."""
    text = text.strip()
    if not text:
        return patients
    born = parse_iso_date(text)
    if born is not None:
        return patients.filter(birth_date=born)
    for word in text.split():
        patients = patients.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(mrn__icontains=word)
        )
    return patients


def possible_duplicates(
    patients: QuerySet[Patient], *, birth_date: date, given_name: str, family_name: str
) -> list[Patient]:
    """Existing patients who may be the person being registered: same birth date and
    the same given or family name (a changed surname still matches on given name).

    Duplicate records split a person's history in two, so registration shows these
    before creating a new record.
    """
    matches = patients.filter(birth_date=birth_date).filter(
        Q(family_name__iexact=family_name.strip()) | Q(given_name__iexact=given_name.strip())
    )
    return list(matches.select_related("site").order_by("family_name", "given_name")[:10])
