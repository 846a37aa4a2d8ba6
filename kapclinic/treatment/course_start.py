"""When each patient's current course began: after their latest exit or re-entry.

Records that belong to one course (consent, preparation) count only if made after
it began, so an old consent or a finished preparation never carries over to a
patient who left the pathway and came back. The transition names are those of
`readiness.COURSE_RESETS` (a test keeps the two equal; readiness imports the
records' modules, so this one cannot import readiness).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Max

from kapclinic.treatment.models import PathwayTransition

COURSE_RESET_NAMES = frozenset(
    {"decide_ineligible", "withdraw", "rescreen", "return_after_withdrawal"}
)


def course_starts(patient_ids: Iterable[int]) -> dict[int, datetime]:
    """The moment each patient's current course began; absent: their first course."""
    rows = (
        PathwayTransition.objects.filter(
            patient_id__in=list(patient_ids), name__in=COURSE_RESET_NAMES
        )
        .values("patient_id")
        .annotate(latest=Max("occurred_at"))
        .values_list("patient_id", "latest")
    )
    return dict(rows)
