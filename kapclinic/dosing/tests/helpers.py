"""Shared steps for dosing tests: a patient ready today, a session with its checks done."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kapclinic.clinics.models import Chair, Room
from kapclinic.consent.walk import sign_and_countersign
from kapclinic.dosing import actions
from kapclinic.dosing.models import DosingSession, SessionState
from kapclinic.dosing.readings import record_readings
from kapclinic.dosing.tests.factories import make_session, make_signed_plan
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.scheduling.models import Appointment, AppointmentType, Resource, TypeCode
from kapclinic.test import Cast
from kapclinic.treatment.models import Route
from kapclinic.treatment.walk import walk_to

# Every modified Aldrete item at its best (total 10).
ALDRETE_10: dict[str, int | None] = dict.fromkeys(
    ["activity", "respiration", "circulation", "consciousness", "oxygen_saturation"], 2
)
NORMAL: dict[str, Any] = {
    "systolic": 122,
    "diastolic": 78,
    "heart_rate": 72,
    "spo2": 98,
    "resp_rate": 14,
}


def make_ready(cast: Cast, patient: Patient | None = None) -> None:
    """Walk the patient through the pathway to the dosing phase (readiness: ready).

    The walk signs consent for its own plan's route; the sessions these tests make
    follow a newer IV plan (`factories.make_signed_plan`), so the patient consents to
    IV treatment too, as a clinic would have them do on a change of route.
    """
    patient = patient or cast.patient
    walk_to(patient, PathwayStage.DOSING, actor=cast.prescriber)
    make_signed_plan(cast, patient)
    sign_and_countersign(patient, actor=cast.prescriber, route=Route.IV)


def complete_checks(
    cast: Cast, session: DosingSession, baseline: dict[str, Any] | None = None
) -> None:
    """Fill in the whole pre-dose checklist and a normal baseline."""
    actions.save_checklist(
        actor=cast.nurse,
        session=session,
        identity_confirmed=True,
        no_interacting_substances=True,
        transport_name="Sam Driver",
        transport_phone="+1 312 555 0199",
        last_food_at=timezone.now() - dt.timedelta(hours=3),
        last_liquid_at=timezone.now() - dt.timedelta(hours=1),
    )
    record_readings(
        session=session, readings=[baseline or NORMAL], actor=cast.nurse, is_baseline=True
    )


def dosing_session(cast: Cast) -> DosingSession:
    """A session of a ready patient, its checks complete, dosing started."""
    make_ready(cast)
    session = make_session(cast, state=SessionState.PRE_CHECKS)
    complete_checks(cast, session)
    return actions.start_dosing(actor=cast.nurse, session=session)


def give(cast: Cast, session: DosingSession, mg: str, *, minutes_ago: int = 0) -> Any:
    now = timezone.now()
    return actions.record_administration(
        actor=cast.nurse,
        session=session,
        entry=actions.DoseEntry(
            dose_mg=Decimal(mg),
            lot_number="LOT-42",
            started_at=now - dt.timedelta(minutes=minutes_ago),
            rate_mg_per_hour=Decimal("52.5"),
        ),
    )


def checked_in_visit(cast: Cast) -> Appointment:
    """A checked-in IV dosing visit of the cast's patient now, on a signed plan."""
    make_signed_plan(cast)
    room, _ = Room.objects.get_or_create(site=cast.site, name="Dosing Room", kind=Room.Kind.DOSING)
    chair = Chair.objects.create(room=room, name="Chair 9")
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
    start = timezone.now().replace(microsecond=0)
    return Appointment.objects.create(
        patient=cast.patient,
        appointment_type=kind,
        site=cast.site,
        clinician=cast.nurse,
        chair=chair,
        start=start,
        end=start + dt.timedelta(minutes=160),
        hold_start=start,
        hold_end=start + dt.timedelta(minutes=160),
        status="checked_in",
    )
