"""Dosing sessions made directly for tests: the site's seeded IV protocol, a signed plan
(made as the dosing demos make theirs), a dosing appointment on a monitored chair,
and the session in the state the test needs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kapclinic.clinics.models import Chair, Room
from kapclinic.dosing.demo_plans import signed_demo_plan
from kapclinic.dosing.models import DosingSession, SessionState
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import Appointment, AppointmentType, Resource, TypeCode
from kapclinic.test import Cast
from kapclinic.treatment.models import PlanStatus, Protocol, Route, TreatmentPlan
from kapclinic.treatment.protocols import seed_default_protocols


def seeded_iv_protocol(cast: Cast) -> Protocol:
    """The site's IV protocol from the seeded defaults (seeded here if missing)."""
    seed_default_protocols(cast.site, actor=None)
    return Protocol.objects.filter(site=cast.site, route=Route.IV).order_by("pk")[0]


def make_signed_plan(cast: Cast, patient: Patient | None = None) -> TreatmentPlan:
    """The patient's signed IV plan in force, else a new signed version following the
    seeded IV protocol (0.5 mg/kg at 70 kg: 35 mg) that replaces the plan in force."""
    patient = patient or cast.patient
    current = (
        TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.SIGNED)
        .order_by("-version")
        .first()
    )
    if current is not None and current.route == Route.IV:
        return current
    return signed_demo_plan(
        patient,
        seeded_iv_protocol(cast),
        prescriber=cast.prescriber,
        signed_at=timezone.now(),
        replace_in_force=True,
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
