"""Each patient's preparation in their current course, and what readiness and the
pathway board say about it. Two queries for any number of patients."""

from __future__ import annotations

from collections.abc import Iterable

from kapclinic.preparation.models import Preparation
from kapclinic.treatment.course_start import course_starts

NOT_STARTED = "preparation not started"
NOT_FINISHED = "preparation not finished"


def current_preparations(patient_ids: Iterable[int]) -> dict[int, Preparation]:
    """The newest preparation of each patient begun in their current course."""
    ids = list(patient_ids)
    starts = course_starts(ids)
    found: dict[int, Preparation] = {}
    for prep in Preparation.objects.filter(patient_id__in=ids).order_by(
        "patient_id", "-started_at", "-id"
    ):
        start = starts.get(prep.patient_id)
        if prep.patient_id not in found and (start is None or prep.started_at > start):
            found[prep.patient_id] = prep
    return found


def current_preparation(patient_id: int) -> Preparation | None:
    return current_preparations([patient_id]).get(patient_id)


def preparation_problem(patient_id: int) -> str | None:
    """None when the current course's preparation is marked complete."""
    prep = current_preparation(patient_id)
    if prep is None:
        return NOT_STARTED
    return None if prep.is_complete else NOT_FINISHED
