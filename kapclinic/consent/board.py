"""What the pathway board says about consent, from the signed records.

Patients waiting for consent (the treatment-plan step) and patients in the dosing
phase, whose consent a newer form version can put out of date, are checked in four
queries whatever their number (`status.consent_problems`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from kapclinic.consent.status import consent_problems
from kapclinic.patients.models import PathwayStage, Patient

CHECKED_STAGES = frozenset(
    {
        PathwayStage.TREATMENT_PLAN,
        PathwayStage.DOSING,
        PathwayStage.REVIEW,
        PathwayStage.MAINTENANCE,
    }
)
OUT_OF_DATE = "consent out of date"
AWAITING_COUNTERSIGNATURE = "consent awaiting countersignature"


def consent_waiting(patients: Iterable[Patient]) -> dict[int, str]:
    """A waiting reason for each patient whose consent holds them up (others absent)."""
    ids = [p.pk for p in patients if p.stage in CHECKED_STAGES]
    if not ids:
        return {}
    reasons: dict[int, str] = {}
    for pk, problem in consent_problems(ids, timezone.localdate()).items():
        if problem is None:
            continue
        if problem.startswith(OUT_OF_DATE):
            reasons[pk] = OUT_OF_DATE
        elif "countersignature" in problem:
            reasons[pk] = AWAITING_COUNTERSIGNATURE
    return reasons
