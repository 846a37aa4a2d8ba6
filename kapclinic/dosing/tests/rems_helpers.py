"""A finished esketamine session (two 28 mg devices, readings) for the REMS tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kapclinic.dosing.models import Administration, DosingSession, SessionState, VitalReading
from kapclinic.dosing.tests.factories import make_session
from kapclinic.test import Cast
from kapclinic.treatment.models import Drug, Route


def make_esketamine_session(cast: Cast, *, days_ago: int = 1) -> DosingSession:
    session = make_session(cast, state=SessionState.DISCHARGED)
    session.plan.drug = Drug.ESKETAMINE
    session.plan.route = Route.INTRANASAL
    session.plan.save(update_fields=["drug", "route"])
    first = timezone.now().replace(microsecond=0) - dt.timedelta(days=days_ago, hours=3)
    session.first_dose_at = first
    session.discharged_at = first + dt.timedelta(minutes=125)
    session.save(update_fields=["first_dose_at", "discharged_at"])
    for n in range(2):
        Administration.objects.create(
            session=session,
            drug=Drug.ESKETAMINE,
            route=Route.INTRANASAL,
            dose_mg=Decimal("28"),
            lot_number="LOT-ESK-42",
            started_at=first + dt.timedelta(minutes=5 * n),
            given_by=cast.nurse,
        )
    for minutes, systolic, diastolic, baseline in (
        (-10, 128, 82, True),
        (41, 151, 91, False),
        (120, 131, 84, False),
    ):
        VitalReading.objects.create(
            session=session,
            taken_at=first + dt.timedelta(minutes=minutes),
            is_baseline=baseline,
            systolic=systolic,
            diastolic=diastolic,
            heart_rate=74,
            spo2=98,
            recorded_by=cast.nurse,
        )
    return session
