"""What the pathway board says about preparation, from the records: whether a
preparation session is booked and whether the preparation is finished. Three
queries for any number of patients."""

from __future__ import annotations

from collections.abc import Iterable

from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.preparation.status import current_preparations
from kapclinic.scheduling.models import Appointment, AppointmentStatus, TypeCode

CHECKED_STAGES = frozenset({PathwayStage.CONSENT, PathwayStage.PREPARATION})
NOT_BOOKED = "preparation not booked"
NOT_STARTED = "preparation session booked, not started"
NOT_FINISHED = "preparation not finished"
FINISHED = "preparation finished, dosing not started"


def preparation_waiting(patients: Iterable[Patient]) -> dict[int, str]:
    """A waiting reason for each patient at the consent or preparation step."""
    ids = [p.pk for p in patients if p.stage in CHECKED_STAGES]
    if not ids:
        return {}
    preparations = current_preparations(ids)
    booked = set(
        Appointment.objects.filter(patient_id__in=ids, appointment_type__code=TypeCode.PREPARATION)
        .exclude(status__in=[AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
        .values_list("patient_id", flat=True)
    )
    reasons: dict[int, str] = {}
    for pk in ids:
        prep = preparations.get(pk)
        if prep is None:
            reasons[pk] = NOT_STARTED if pk in booked else NOT_BOOKED
        else:
            reasons[pk] = FINISHED if prep.is_complete else NOT_FINISHED
    return reasons
