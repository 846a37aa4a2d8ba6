"""Dosing readiness: every missing step named, and scheduling's dosing gate uses it."""

from __future__ import annotations

import datetime as dt

import pytest

from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.preparation.walk import completed_preparation
from kapclinic.scheduling.models import AppointmentType, Resource, TypeCode
from kapclinic.scheduling.stage import booking_allowed
from kapclinic.test import Cast
from kapclinic.treatment import actions
from kapclinic.treatment.readiness import dosing_readiness
from kapclinic.treatment.walk import walk_to

DAY = dt.date(2026, 12, 7)


def _missing(patient: Patient) -> list[str]:
    return [step.step for step in dosing_readiness(patient, DAY).missing]


def test_new_patient_misses_every_step(cast: Cast) -> None:
    readiness = dosing_readiness(cast.patient, DAY)
    assert not readiness
    assert _missing(cast.patient) == [
        "screening",
        "plan",
        "consent",
        "preparation",
        "contact",
        "stage",
    ]
    assert "screening not approved" in readiness.summary()
    assert "07 Dec 2026" in readiness.summary()


@pytest.mark.parametrize(
    ("stage", "missing"),
    [
        (PathwayStage.ELIGIBILITY, ["plan", "consent", "preparation", "contact", "stage"]),
        (PathwayStage.TREATMENT_PLAN, ["consent", "preparation", "contact", "stage"]),
        (PathwayStage.CONSENT, ["preparation", "contact", "stage"]),
        (PathwayStage.PREPARATION, ["preparation", "contact"]),
        (PathwayStage.DOSING, []),
        (PathwayStage.MAINTENANCE, []),
    ],
)
def test_each_step_counts(cast: Cast, stage: str, missing: list[str]) -> None:
    walk_to(cast.patient, stage, actor=cast.prescriber)
    assert _missing(cast.patient) == missing


def test_stage_set_without_its_history_is_not_ready(cast: Cast) -> None:
    # A stage written around the actions carries no signed steps: never ready.
    Patient.objects.filter(pk=cast.patient.pk).update(stage=PathwayStage.DOSING)
    cast.patient.refresh_from_db()
    assert _missing(cast.patient) == ["screening", "plan", "consent", "preparation", "contact"]


def test_leaving_and_returning_clears_the_old_approvals(cast: Cast) -> None:
    walk_to(cast.patient, PathwayStage.DOSING, actor=cast.prescriber)
    actions.withdraw(cast.patient, actor=cast.prescriber, reason="Moved away.")
    actions.return_after_withdrawal(cast.patient, actor=cast.prescriber, reason="Back home.")
    walk_to(cast.patient, PathwayStage.SCREENING, actor=cast.prescriber)
    # The emergency contact recorded in the first course still stands.
    assert _missing(cast.patient) == ["screening", "plan", "consent", "preparation", "stage"]


def _dosing_type(cast: Cast) -> AppointmentType:
    return AppointmentType.objects.create(
        site=cast.site,
        code=TypeCode.DOSING_IM,
        name="IM dosing",
        duration_minutes=40,
        resource=Resource.CHAIR,
        provider_roles=["nurse"],
    )


def test_staff_book_dosing_only_when_ready(cast: Cast) -> None:
    dosing = _dosing_type(cast)
    walk_to(cast.patient, PathwayStage.PREPARATION, actor=cast.prescriber)
    decision = booking_allowed(cast.patient, dosing, by_staff=True)
    assert not decision
    assert decision.reason == (
        "Not ready for dosing: preparation not started; no emergency contact on the record."
    )
    completed_preparation(cast.patient, actor=cast.prescriber)
    actions.start_dosing(cast.patient, actor=cast.prescriber)
    assert booking_allowed(cast.patient, dosing, by_staff=True)


def test_patient_never_books_dosing_even_when_ready(cast: Cast) -> None:
    dosing = _dosing_type(cast)
    walk_to(cast.patient, PathwayStage.DOSING, actor=cast.prescriber)
    decision = booking_allowed(cast.patient, dosing, by_staff=False)
    assert not decision
    assert decision.reason == "Dosing sessions are booked by the clinic team."


def test_an_emergency_contact_is_needed_before_a_dose(cast: Cast) -> None:
    walk_to(cast.patient, PathwayStage.DOSING, actor=cast.prescriber)
    assert dosing_readiness(cast.patient, DAY)
    # Only an emergency contact counts; a family doctor on the record is not one.
    cast.patient.contacts.update(is_emergency=False)
    readiness = dosing_readiness(cast.patient, DAY)
    assert _missing(cast.patient) == ["contact"]
    assert readiness.summary() == "Not ready for dosing: no emergency contact on the record."
