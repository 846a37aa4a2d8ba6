"""Searching the patient list by name, MRN or birth date."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, Func, Q, QuerySet, TextField

from kapclinic.patients.models import Patient


def parse_iso_date(text: str) -> date | None:
    """A YYYY-MM-DD date, or None if `text` is not one."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def is_impossible_date(text: str) -> bool:
    """Whether `text` is shaped like YYYY-MM-DD but is no real date (1985-02-30).

    Searching for it would silently match nothing, so the list page and the API
    refuse it instead.
    """
    looks_like_date = len(text) == 10 and text[:4].isdigit() and text[4] == "-"
    return looks_like_date and parse_iso_date(text) is None


class SearchText(Func):
    """A patient's names and MRN in one string, each separated by a space.

    A word (it has no spaces) is in one of the four fields exactly when it is in
    this string, so one LIKE per word replaces four. On PostgreSQL the migration
    `0002_patient_search_trigram_index` indexes UPPER of this very expression with
    pg_trgm, which is what `icontains` compares: substring search uses the index
    instead of reading every patient. Keep the two in step.
    """

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()

    def __init__(self, **extra: Any) -> None:
        super().__init__(F("given_name"), F("family_name"), F("preferred_name"), F("mrn"), **extra)


def search_patients(patients: QuerySet[Patient], text: str) -> QuerySet[Patient]:
    """Patients whose birth date is `text` (YYYY-MM-DD), or whose names or MRN
    contain every word of it."""
    text = text.strip()
    if not text:
        return patients
    born = parse_iso_date(text)
    if born is not None:
        return patients.filter(birth_date=born)
    patients = patients.alias(search_text=SearchText())
    for word in text.split():
        patients = patients.filter(search_text__icontains=word)
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
