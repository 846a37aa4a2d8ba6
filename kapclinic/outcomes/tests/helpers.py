"""Small builders for the outcomes tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.dosing.models import DosingSession, SessionState
from kapclinic.outcomes import actions
from kapclinic.outcomes.models import QuestionnaireAssignment
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import Appointment, AppointmentType, Resource, TypeCode
from kapclinic.test import Cast
from kapclinic.treatment.models import DoseBasis, Drug, PlanStatus, Protocol, Route, TreatmentPlan

PHQ9_SAFE = [1, 1, 1, 1, 1, 1, 1, 1, 0]
PHQ9_ITEM9 = [1, 1, 1, 1, 1, 1, 1, 1, 1]


def assign_phq9(
    cast: Cast, instrument: str = "phq9", actor: User | None = None
) -> QuestionnaireAssignment:
    now = timezone.now()
    return actions.assign(
        actor=actor or cast.prescriber,
        patient=cast.patient,
        instrument=instrument,
        due_at=now,
        expires_at=now + dt.timedelta(days=7),
    )


def make_dose(
    cast: Cast, start: dt.datetime, *, status: str = "booked", patient: Patient | None = None
) -> Appointment:
    """An IV dosing appointment (two hours) for the cast's patient with the prescriber."""
    kind, _ = AppointmentType.objects.get_or_create(
        site=cast.site,
        code=TypeCode.DOSING_IV,
        defaults={
            "name": "IV ketamine session",
            "duration_minutes": 40,
            "provider_roles": ["prescriber"],
            "resource": Resource.CHAIR,
        },
    )
    end = start + dt.timedelta(hours=2)
    return Appointment.objects.create(
        patient=patient or cast.patient,
        appointment_type=kind,
        site=cast.site,
        clinician=cast.prescriber,
        start=start,
        end=end,
        hold_start=start,
        hold_end=end,
        status=status,
    )


def make_session(cast: Cast, appointment: Appointment, discharged_at: dt.datetime) -> DosingSession:
    """A discharged dosing session for `appointment`, on a signed IV plan."""
    protocol = Protocol.objects.create(
        site=cast.site,
        name="IV ketamine 0.5 mg/kg",
        route=Route.IV,
        drug=Drug.KETAMINE,
        dose_basis=DoseBasis.PER_KG,
        usual_dose=Decimal("0.5"),
        max_dose_mg=Decimal("60"),
        sessions_in_course=6,
        max_doses_per_week=3,
        review_after_sessions=6,
    )
    plan = TreatmentPlan.objects.create(
        patient=appointment.patient,
        protocol=protocol,
        status=PlanStatus.SIGNED,
        route=Route.IV,
        drug=Drug.KETAMINE,
        dose_mg=Decimal("35"),
        max_dose_mg=Decimal("60"),
        sessions_planned=6,
        min_days_between_doses=1,
        max_doses_per_week=3,
        created_by=cast.prescriber,
        signed_by=cast.prescriber,
        signed_at=appointment.start - dt.timedelta(days=3),
    )
    return DosingSession.objects.create(
        appointment=appointment,
        patient=appointment.patient,
        site=appointment.site,
        plan=plan,
        state=SessionState.DISCHARGED,
        first_dose_at=appointment.start,
        discharged_at=discharged_at,
    )
