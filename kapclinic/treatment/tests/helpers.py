"""Patients ready for a plan, for the plan and course tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.patients.models import BodyMeasurement, PathwayStage, Patient
from kapclinic.screening.models import ScreeningRecord
from kapclinic.treatment.models import Protocol, Route
from kapclinic.treatment.protocols import seed_default_protocols
from kapclinic.treatment.walk import walk_to


def make_eligible(patient: Patient, prescriber: User) -> None:
    """A signed eligible screening and the pathway at "eligibility decided"."""
    walk_to(patient, PathwayStage.ELIGIBILITY, actor=prescriber)
    ScreeningRecord.objects.create(
        patient=patient,
        status=ScreeningRecord.Status.SIGNED,
        facts={},
        rules_outcome="eligible",
        decision=ScreeningRecord.Decision.ELIGIBLE,
        created_by=prescriber,
        signed_by=prescriber,
        signed_at=timezone.now(),
    )


def weigh(patient: Patient, kg: str, *, days_ago: int = 0) -> BodyMeasurement:
    return BodyMeasurement.objects.create(
        patient=patient,
        weight_kg=Decimal(kg),
        measured_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def protocol(patient: Patient, route: str = Route.IV) -> Protocol:
    seed_default_protocols(patient.site, actor=None)
    return Protocol.objects.get(site=patient.site, route=route)


def plan_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "amount": Decimal("0.5"),
        "phase": "induction",
        "frequency": "Twice a week for three weeks",
        "sessions_planned": 6,
        "reevaluate_on": timezone.localdate() + dt.timedelta(days=42),
        "notes": "",
    }
    data.update(overrides)
    return data
