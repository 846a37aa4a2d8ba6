"""Searching the patient list by name, MRN or birth date."""

from __future__ import annotations

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
