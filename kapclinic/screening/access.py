"""Reading screening records: always through a patient already fetched by the
patients access layer (care-team clinicians; others got a 404 there)."""

from __future__ import annotations

from kapclinic.patients.models import Patient
from kapclinic.screening.models import ScreeningRecord


def screenings_of(patient: Patient) -> list[ScreeningRecord]:
    return list(
        ScreeningRecord.objects.filter(patient=patient).select_related("signed_by", "amends")
    )


def latest_screening(patient: Patient) -> ScreeningRecord | None:
    return ScreeningRecord.objects.filter(patient=patient).select_related("signed_by").first()
