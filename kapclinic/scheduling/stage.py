"""What a patient's place on the pathway lets them book: the one hook the pathway extends.

Every booking and reschedule asks `booking_allowed`, whoever books, so the pathway
issue can tighten the rules (e.g. dosing only once the plan is signed, consent is
current and screening approved) in this one function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.scheduling.models import AppointmentType, TypeCode
from kapclinic.treatment.readiness import dosing_readiness

# Patients who have not had a consultation yet.
NEW_PATIENT_STAGES = frozenset({PathwayStage.ENQUIRY})
# A course may be booked from the plan's signature on; these readiness steps follow
# the plan and are finished before the first dose.
COURSE_STAGES = frozenset(
    {
        PathwayStage.TREATMENT_PLAN,
        PathwayStage.CONSENT,
        PathwayStage.PREPARATION,
        PathwayStage.DOSING,
        PathwayStage.MAINTENANCE,
    }
)
STEPS_AFTER_THE_PLAN = frozenset({"consent", "preparation", "contact", "stage"})


@dataclass(frozen=True)
class BookingDecision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def booking_allowed(
    patient: Patient,
    appointment_type: AppointmentType,
    *,
    by_staff: bool = False,
    on_date: date | None = None,
    course: bool = False,
) -> BookingDecision:
    """Whether `patient` may have a visit of `appointment_type` booked (by staff, or
    by the patient themselves when `by_staff` is false), with the reason if not.

    `on_date` is the visit's own date at its site (default today): a course booked
    weeks ahead is checked for the day of each dose, e.g. against the plan's
    re-evaluation date.

    `course` is a dosing session booked by staff as part of a signed plan's course:
    consent and preparation, which come after the plan, may still be outstanding
    (they are done before the first dose, and the session re-checks readiness on
    the day); screening and the plan itself may not."""
    if not appointment_type.is_active:
        return BookingDecision(False, "This kind of visit is not offered at the moment.")
    new = patient.stage in NEW_PATIENT_STAGES
    if new and appointment_type.code != TypeCode.INITIAL_CONSULTATION:
        return BookingDecision(False, "A new patient starts with an initial consultation.")
    if appointment_type.is_dosing and not by_staff:
        return BookingDecision(False, "Dosing sessions are booked by the clinic team.")
    if not by_staff and not appointment_type.patient_bookable:
        return BookingDecision(False, "Please ask the clinic to book this kind of visit.")
    if appointment_type.is_dosing:
        # A dosing session is booked only for a patient who could be dosed on its
        # day; the session re-checks readiness on the day before any dose.
        readiness = dosing_readiness(patient, on_date or timezone.localdate())
        missing = {step.step for step in readiness.missing}
        ahead = course and by_staff and patient.stage in COURSE_STAGES
        if missing and not (ahead and missing <= STEPS_AFTER_THE_PLAN):
            return BookingDecision(False, readiness.summary())
    return BookingDecision(True)
