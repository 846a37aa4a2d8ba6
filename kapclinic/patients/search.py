"""Searching the patient list by name, MRN or birth date."""

from __future__ import annotations

from dataclasses import dataclass
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


# At most this many matches the user may open are listed at registration.
DUPLICATES_SHOWN = 10


@dataclass(frozen=True)
class DuplicateCheck:
    """What registration found at the whole clinic for the person being registered.

    `shown` are matches the registering user may open (named, with a link);
    `elsewhere` counts matches outside their scope, which are never named.
    """

    shown: list[Patient]
    elsewhere: int

    @property
    def found(self) -> int:
        return len(self.shown) + self.elsewhere


def check_duplicates(
    visible: QuerySet[Patient], *, birth_date: date, given_name: str, family_name: str
) -> DuplicateCheck:
    """Search the whole clinic, not just `visible` (the registering user's scope): a
    person already registered at another site, or on another clinician's list, is
    still the same person, and a second record would split their history."""
    matches = Patient.objects.filter(birth_date=birth_date, merged_into__isnull=True).filter(
        Q(family_name__iexact=family_name.strip()) | Q(given_name__iexact=given_name.strip())
    )
    in_scope = matches.filter(pk__in=visible.values("pk"))
    shown = list(
        in_scope.select_related("site").order_by("family_name", "given_name", "pk")[
            :DUPLICATES_SHOWN
        ]
    )
    elsewhere = matches.exclude(pk__in=visible.values("pk")).count()
    return DuplicateCheck(shown=shown, elsewhere=elsewhere)
