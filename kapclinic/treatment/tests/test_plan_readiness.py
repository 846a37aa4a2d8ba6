"""The plan step of readiness uses the plan record, dated on the day of the dose."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kapclinic.consent.walk import sign_and_countersign
from kapclinic.preparation.walk import completed_preparation
from kapclinic.scheduling import actions as scheduling
from kapclinic.scheduling.models import Appointment
from kapclinic.scheduling.stage import booking_allowed
from kapclinic.scheduling.tests.conftest import at, build_schedule
from kapclinic.test import Cast
from kapclinic.treatment import actions
from kapclinic.treatment.models import PlanStatus, TreatmentPlan
from kapclinic.treatment.plan_actions import save_draft, sign_plan
from kapclinic.treatment.readiness import dosing_readiness
from kapclinic.treatment.tests.helpers import make_eligible, plan_data, protocol, weigh


@pytest.fixture
def ready(cast: Cast) -> Cast:
    """A patient in the dosing phase with a real signed plan, re-evaluated in 20 days."""
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70")
    plan = save_draft(
        cast.patient,
        actor=cast.prescriber,
        protocol=protocol(cast.patient),
        data=plan_data(reevaluate_on=timezone.localdate() + dt.timedelta(days=20)),
    )
    sign_plan(plan, actor=cast.prescriber)
    # Consent and preparation as records, as the pages make them (readiness reads them).
    sign_and_countersign(cast.patient, actor=cast.prescriber)
    actions.start_preparation(cast.patient, actor=cast.prescriber)
    completed_preparation(cast.patient, actor=cast.prescriber)
    actions.start_dosing(cast.patient, actor=cast.prescriber)
    return cast


def _steps(cast: Cast, day: dt.date) -> list[str]:
    return [m.step for m in dosing_readiness(cast.patient, day).missing]


def test_ready_up_to_the_reevaluation_date(ready: Cast) -> None:
    today = timezone.localdate()
    assert _steps(ready, today) == []
    assert _steps(ready, today + dt.timedelta(days=20)) == []


def test_after_the_reevaluation_date_the_plan_step_is_missing(ready: Cast) -> None:
    day = timezone.localdate() + dt.timedelta(days=21)
    readiness = dosing_readiness(ready.patient, day)
    assert [m.step for m in readiness.missing] == ["plan"]
    assert "due for re-evaluation" in readiness.summary()


def test_a_plan_signed_outside_the_actions_does_not_count_once_superseded(ready: Cast) -> None:
    TreatmentPlan.objects.filter(patient=ready.patient).update(status=PlanStatus.SUPERSEDED)
    assert _steps(ready, timezone.localdate()) == ["plan"]


def test_a_new_version_signed_later_extends_readiness(ready: Cast) -> None:
    later = timezone.localdate() + dt.timedelta(days=60)
    plan = save_draft(
        ready.patient,
        actor=ready.prescriber,
        protocol=protocol(ready.patient),
        data=plan_data(amount=Decimal("0.4"), reevaluate_on=later),
    )
    sign_plan(plan, actor=ready.prescriber)
    assert _steps(ready, later) == []


def test_booking_checks_readiness_on_the_visits_own_date(ready: Cast) -> None:
    schedule = build_schedule(ready)  # its walk to dosing is a no-op here
    dosing = schedule.dosing
    today = timezone.localdate()
    assert booking_allowed(ready.patient, dosing, by_staff=True, on_date=today)
    refused = booking_allowed(
        ready.patient, dosing, by_staff=True, on_date=today + dt.timedelta(days=25)
    )
    assert not refused and "re-evaluation" in refused.reason


def test_booking_a_dose_after_reevaluation_is_refused(ready: Cast) -> None:
    """Fails on the old code, which checked readiness for today only."""
    schedule = build_schedule(ready)  # its walk to dosing is a no-op here
    day = _weekday(timezone.localdate() + dt.timedelta(days=28))
    with pytest.raises(scheduling.NotAllowed, match="re-evaluation"):
        scheduling.book_appointment(
            actor=ready.nurse,
            patient=ready.patient,
            appointment_type=schedule.dosing,
            start=at(day, 9),
            clinician=ready.nurse.pk,
            chair=schedule.chair1.pk,
        )
    assert not Appointment.objects.exists()
    early = _weekday(timezone.localdate() + dt.timedelta(days=7))
    booked = scheduling.book_appointment(
        actor=ready.nurse,
        patient=ready.patient,
        appointment_type=schedule.dosing,
        start=at(early, 9),
        clinician=ready.nurse.pk,
        chair=schedule.chair1.pk,
    )
    assert booked.pk is not None


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day
