"""Dosing sessions made directly for tests: a seeded protocol, a signed plan, a dosing
appointment on a monitored chair, and the session in the state the test needs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kapclinic.clinics.models import Chair, Room
from kapclinic.dosing.models import DosingSession, SessionState
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import Appointment, AppointmentType, Resource, TypeCode
from kapclinic.test import Cast
from kapclinic.treatment.models import (
    DoseBasis,
    Drug,
    PlanStatus,
    Protocol,
    Route,
    TreatmentPlan,
)


def make_iv_protocol(cast: Cast) -> Protocol:
    protocol, _ = Protocol.objects.get_or_create(
        site=cast.site,
        route=Route.IV,
        name="IV ketamine 0.5 mg/kg over 40 minutes",
        defaults={
            "drug": Drug.KETAMINE,
            "dose_basis": DoseBasis.PER_KG,
            "usual_dose": Decimal("0.5"),
            "max_dose_mg": Decimal("80"),
            "infusion_minutes": 40,
            "sessions_in_course": 6,
            "min_days_between_doses": 1,
            "max_doses_per_week": 3,
            "review_after_sessions": 6,
        },
    )
    return protocol


def make_signed_plan(cast: Cast, patient: Patient | None = None) -> TreatmentPlan:
    """The patient's signed IV plan in force, made (as a new version) if there is none."""
    patient = patient or cast.patient
    current = (
        TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.SIGNED)
        .order_by("-version")
        .first()
    )
    if current is not None and current.route == Route.IV:
        return current
    protocol = make_iv_protocol(cast)
    now = timezone.now()
    return TreatmentPlan.objects.create(
        patient=patient,
        protocol=protocol,
        version=(TreatmentPlan.objects.filter(patient=patient).count() + 1),
        status=PlanStatus.SIGNED,
        route=Route.IV,
        drug=Drug.KETAMINE,
        dose_mg=Decimal("35.00"),
        dose_per_kg=Decimal("0.5"),
        weight_kg=Decimal("70.0"),
        weight_measured_at=now - dt.timedelta(days=3),
        max_dose_mg=protocol.max_dose_mg,
        infusion_minutes=40,
        sessions_planned=6,
        min_days_between_doses=1,
        max_doses_per_week=3,
        created_by=cast.prescriber,
        signed_by=cast.prescriber,
        signed_at=now,
    )


def make_session(
    cast: Cast,
    *,
    state: str = SessionState.PRE_CHECKS,
    patient: Patient | None = None,
    start: dt.datetime | None = None,
) -> DosingSession:
    """A session for an IV dosing visit starting at `start` (default: 10 minutes ago,
    after the last dosing appointment so repeated calls never overlap)."""
    patient = patient or cast.patient
    plan = make_signed_plan(cast, patient)
    room, _ = Room.objects.get_or_create(site=cast.site, name="Dosing Room", kind=Room.Kind.DOSING)
    chair = Chair.objects.create(room=room, name=f"Chair {Chair.objects.count() + 1}")
    kind, _ = AppointmentType.objects.get_or_create(
        site=cast.site,
        code=TypeCode.DOSING_IV,
        defaults={
            "name": "IV ketamine session",
            "duration_minutes": 40,
            "observation_minutes": 120,
            "provider_roles": ["nurse", "prescriber"],
            "resource": Resource.CHAIR,
        },
    )
    if start is None:
        start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
        last = (
            Appointment.objects.filter(clinician=cast.nurse)
            .order_by("-hold_end")
            .values_list("hold_end", flat=True)
            .first()
        )
        if last is not None and last > start:
            start = last
    end = start + dt.timedelta(minutes=160)
    appointment = Appointment.objects.create(
        patient=patient,
        appointment_type=kind,
        site=cast.site,
        clinician=cast.nurse,
        chair=chair,
        start=start,
        end=end,
        hold_start=start,
        hold_end=end,
        status="checked_in",
    )
    return DosingSession.objects.create(
        appointment=appointment,
        patient=patient,
        site=cast.site,
        plan=plan,
        state=state,
        nurse=cast.nurse,
        prescriber_on_site=cast.prescriber,
    )
