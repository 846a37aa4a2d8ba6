"""Reading intakes: always through a patient already fetched by the patients access
layer (the patient themselves through `get_own_patient`, care-team clinicians
through `get_patient_for_staff`), which answers 404 for anyone else."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from kapclinic.intake.models import Intake
from kapclinic.intake.sections import SECTIONS
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.scheduling.models import AppointmentStatus, TypeCode
from kapclinic.treatment.models import PathwayTransition

# Transitions that bring a patient back onto the pathway: a new course, a new intake.
RE_ENTRIES = ("rescreen", "return_after_withdrawal")
# Stages at which the patient fills in the intake: before and during screening.
OPEN_STAGES = frozenset({PathwayStage.CONSULTATION, PathwayStage.SCREENING})
_UPCOMING = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED, AppointmentStatus.CHECKED_IN)


def current_course(patient: Patient) -> int:
    """The number of the patient's current course: 1, plus one per re-entry."""
    return 1 + PathwayTransition.objects.filter(patient=patient, name__in=RE_ENTRIES).count()


def current_intake(patient: Patient, course: int | None = None) -> Intake | None:
    """The intake of the patient's current course (or of `course`), if one was started."""
    if course is None:
        course = current_course(patient)
    return Intake.objects.filter(patient=patient, course=course).first()


def has_booked_consultation(patient: Patient) -> bool:
    return patient.appointments.filter(
        appointment_type__code=TypeCode.INITIAL_CONSULTATION,
        status__in=_UPCOMING,
        end__gte=timezone.now(),
    ).exists()


def intake_open(patient: Patient) -> bool:
    """Whether the patient is asked for an intake now: at consultation or screening,
    or at enquiry with a consultation booked."""
    if patient.stage in OPEN_STAGES:
        return True
    return patient.stage == PathwayStage.ENQUIRY and has_booked_consultation(patient)


@dataclass(frozen=True)
class SectionState:
    """One section as the patient's progress shows it."""

    code: str
    title: str
    done: bool
    missing: tuple[str, ...]


def progress(intake: Intake | None) -> list[SectionState]:
    """Every section, in order, with whether it is done and what it still needs."""
    states = []
    for section in SECTIONS:
        values = intake.section_answers(section.code) if intake is not None else {}
        missing = tuple(section.missing(values))
        states.append(SectionState(section.code, section.title, not missing, missing))
    return states


def sections_done(intake: Intake | None) -> int:
    return sum(1 for state in progress(intake) if state.done)


def submitted_intakes(patient: Patient) -> list[Intake]:
    """The patient's submitted intakes, the current course's first."""
    return list(
        Intake.objects.filter(patient=patient, status=Intake.Status.SUBMITTED).order_by("-course")
    )


def sent_this_course() -> Exists:
    """For a query over patients: whether the intake of their current course has been
    sent. An intake belongs to the current course when no re-entry came after it was
    started (a re-entry starts the next course and its new intake)."""
    later_re_entry = PathwayTransition.objects.filter(
        patient=OuterRef("patient"), name__in=RE_ENTRIES, occurred_at__gt=OuterRef("created_at")
    )
    return Exists(
        Intake.objects.filter(patient=OuterRef("pk"), status=Intake.Status.SUBMITTED).exclude(
            Exists(later_re_entry)
        )
    )
