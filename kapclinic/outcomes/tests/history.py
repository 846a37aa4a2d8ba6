"""Builders for score histories, plans and doses in the trajectory, safety and
analytics tests. Dosing rows are created directly: the dosing pages that write them
are built in parallel, and these tests only read them. Each builder refreshes the
patient's outcome summary, as the actions that write these rows do."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.clinics.models import Site
from kapclinic.dosing.models import Administration, DosingSession, SessionState, VitalReading
from kapclinic.outcomes.instruments import INSTRUMENTS
from kapclinic.outcomes.models import QuestionnaireResponse
from kapclinic.outcomes.summary import refresh_summary
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Resource,
    TypeCode,
)
from kapclinic.test import Cast
from kapclinic.treatment.models import DoseBasis, Drug, PlanStatus, Protocol, Route, TreatmentPlan

NOW = timezone.now().replace(microsecond=0)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def add_score(
    patient: Patient, code: str, total: int, when: dt.datetime, *, by: User
) -> QuestionnaireResponse:
    """A stored score with plausible answers (the trajectory reads only the total)."""
    inst = INSTRUMENTS[code]
    scored = [item for item in inst.items if item.scored]
    answers: list[int] = []
    left = total
    for _ in scored:
        value = min(left, inst.answer_max)
        answers.append(value)
        left -= value
    response = QuestionnaireResponse.objects.create(
        patient=patient,
        instrument=code,
        answers=answers,
        total=total,
        severity=inst.band_for(total) or "",
        entered_by="staff",
        entered_by_user=by,
        completed_at=when,
    )
    refresh_summary([patient.pk])
    return response


def make_protocol(site: Site, *, route: str = Route.IV, name: str = "IV ketamine") -> Protocol:
    return Protocol.objects.create(
        site=site,
        name=name,
        route=route,
        drug=Drug.KETAMINE,
        dose_basis=DoseBasis.FIXED,
        usual_dose=Decimal("35"),
        max_dose_mg=Decimal("100"),
        sessions_in_course=6,
        max_doses_per_week=2,
        review_after_sessions=6,
    )


def make_plan(
    patient: Patient, prescriber: User, protocol: Protocol | None = None, **fields: object
) -> TreatmentPlan:
    protocol = protocol or make_protocol(patient.site)
    values: dict[str, object] = {
        "route": protocol.route,
        "drug": protocol.drug,
        "dose_mg": Decimal("35"),
        "max_dose_mg": Decimal("100"),
        "sessions_planned": 6,
        "min_days_between_doses": 2,
        "max_doses_per_week": 2,
        "status": PlanStatus.SIGNED,
        "signed_by": prescriber,
        "signed_at": days_ago(400),
        **fields,
    }
    version = TreatmentPlan.objects.filter(patient=patient).count() + 1
    plan = TreatmentPlan.objects.create(
        patient=patient, protocol=protocol, created_by=prescriber, version=version, **values
    )
    refresh_summary([patient.pk])
    return plan


def _dosing_type(site: Site) -> AppointmentType:
    kind, _ = AppointmentType.objects.get_or_create(
        site=site,
        code=TypeCode.DOSING_IV,
        defaults={
            "name": "IV ketamine session",
            "duration_minutes": 60,
            "provider_roles": ["nurse"],
            "resource": Resource.NONE,
            "patient_bookable": False,
        },
    )
    return kind


def dosing_appointment(
    patient: Patient, clinician: User, when: dt.datetime, *, status: str = "completed"
) -> Appointment:
    """A dosing visit. Callers give each one its own time, so one clinician's visits
    never overlap (PostgreSQL's exclusion constraint)."""
    appointment = Appointment.objects.create(
        patient=patient,
        appointment_type=_dosing_type(patient.site),
        site=patient.site,
        clinician=clinician,
        start=when,
        end=when + dt.timedelta(minutes=60),
        hold_start=when,
        hold_end=when + dt.timedelta(minutes=60),
        status=status,
    )
    refresh_summary([patient.pk])
    return appointment


def dose(
    plan: TreatmentPlan,
    nurse: User,
    when: dt.datetime,
    *,
    mg: str = "35",
    state: str = SessionState.DISCHARGED,
    vitals: tuple[tuple[int, int], ...] = (),
) -> DosingSession:
    """A dosing session with its appointment, one administration of ``mg`` at ``when``
    (none for an aborted session) and vital readings, the first as the baseline."""
    patient = plan.patient
    appointment = dosing_appointment(patient, nurse, when, status=AppointmentStatus.COMPLETED)
    given = state != SessionState.ABORTED
    session = DosingSession.objects.create(
        appointment=appointment,
        patient=patient,
        site=patient.site,
        plan=plan,
        state=state,
        nurse=nurse,
        first_dose_at=when if given else None,
    )
    if given:
        Administration.objects.create(
            session=session,
            drug=plan.drug,
            route=plan.route,
            dose_mg=Decimal(mg),
            lot_number="LOT-1",
            started_at=when,
            given_by=nurse,
        )
    for index, (systolic, diastolic) in enumerate(vitals):
        VitalReading.objects.create(
            session=session,
            taken_at=when + dt.timedelta(minutes=10 * index - 5),
            is_baseline=index == 0,
            systolic=systolic,
            diastolic=diastolic,
            recorded_by=nurse,
        )
    refresh_summary([patient.pk])
    return session


def score_history(cast: Cast) -> None:
    """The cast's patient: PHQ-9 from 19 to 8 around three dosing sessions (for the
    browser tests' trajectory and safety pages)."""
    patient, prescriber, nurse = cast.patient, cast.prescriber, cast.nurse
    add_score(patient, "phq9", 19, days_ago(40), by=prescriber)
    plan = make_plan(patient, prescriber)
    for k in range(3):
        dose(plan, nurse, days_ago(30 - 3 * k), vitals=((126, 80), (148, 90)))
    for k, total in enumerate((14, 11, 8)):
        add_score(patient, "phq9", total, days_ago(20 - 7 * k), by=prescriber)
