"""The migration that fills the outcome summary (outcomes 0004) computes, from its own
frozen statement, the rows `refresh_summary` computes today, on SQLite and on
PostgreSQL, and never calls the live module (whose later edits must not change what
an old migration does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kapclinic.dosing.models import DosingSession
from kapclinic.outcomes import summary
from kapclinic.outcomes.models import OutcomeSummary, QuestionnaireResponse
from kapclinic.outcomes.summary import COLUMNS, refresh_summary
from kapclinic.outcomes.tests.history import (
    add_score,
    days_ago,
    dose,
    dosing_appointment,
    make_plan,
    make_protocol,
)
from kapclinic.screening.models import ScreeningRecord
from kapclinic.test import Cast, make_patient
from kapclinic.treatment.models import Route

# Migrating needs real transactions (SQLite's schema editor refuses to run inside one).
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_FILL = ("outcomes", "0003_outcome_summary")
FILL = ("outcomes", "0004_fill_outcome_summaries")


def _migrate(*targets: tuple[str, str]) -> None:
    MigrationExecutor(connection).migrate(list(targets))


@pytest.fixture
def before_fill() -> Iterator[None]:
    """The database migrated back to just before the fill; fully migrated again after."""
    _migrate(BEFORE_FILL)
    try:
        yield
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _stored() -> list[tuple[Any, ...]]:
    return list(OutcomeSummary.objects.order_by("patient_id", "instrument").values_list(*COLUMNS))


def _histories(cast: Cast) -> None:
    """Three courses that between them give every summary column a value: the cast's
    patient (IM plan, doses, a corrected score, PHQ-9 and PCL-5 responses followed up
    at 4 and 12 weeks, a signed screening), a patient dosed at completed IV visits
    without dosing records or a plan, and one with scores but no dose yet."""
    patient, prescriber, nurse = cast.patient, cast.prescriber, cast.nurse
    plan = make_plan(
        patient,
        prescriber,
        make_protocol(cast.site, route=Route.IM, name="IM ketamine"),
        route=Route.IM,
        sessions_planned=5,
    )
    ScreeningRecord.objects.create(
        patient=patient,
        status="signed",
        facts={"indication": "ptsd"},
        signed_at=days_ago(210),
        signed_by=prescriber,
        created_by=prescriber,
        decision="eligible",
        rules_outcome="eligible",
    )
    for code, scores in {
        "phq9": ((20, 205), (16, 188), (9, 175), (11, 140), (7, 80)),
        "pcl5": ((52, 204), (40, 174), (38, 130), (30, 60)),
        "gad7": ((15, 203), (13, 150)),
    }.items():
        for total, days in scores:
            add_score(patient, code, total, days_ago(days), by=prescriber)
    wrong = add_score(patient, "phq9", 3, days_ago(185), by=prescriber)
    QuestionnaireResponse.objects.create(
        patient=patient,
        instrument="phq9",
        answers=[],
        total=17,
        entered_by="staff",
        entered_by_user=prescriber,
        completed_at=wrong.completed_at,
        replaces=wrong,
    )
    for days in (195, 191, 186, 179):
        dose(plan, nurse, days_ago(days))
    aborted = DosingSession.objects.get(first_dose_at=days_ago(179))
    aborted.first_dose_at = None
    aborted.save(update_fields=["first_dose_at"])

    visited = make_patient(cast.site, "MRN-MIG1", "Vera", "Visited")
    for days in (90, 86):
        dosing_appointment(visited, nurse, days_ago(days) + dt.timedelta(hours=1))
    dosing_appointment(visited, nurse, days_ago(83), status="cancelled")
    for total, days in ((18, 95), (8, 70), (10, 20)):
        add_score(visited, "phq9", total, days_ago(days), by=prescriber)

    waiting = make_patient(cast.site, "MRN-MIG2", "Wes", "Waiting")
    add_score(waiting, "gad7", 12, days_ago(5), by=prescriber)
    add_score(waiting, "cadss6", 4, days_ago(4), by=prescriber)  # not a reported scale


def test_migrating_forward_fills_the_rows_refresh_summary_computes(
    cast: Cast, before_fill: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _histories(cast)
    refresh_summary(None)
    today = _stored()
    # Every column has a value in some row, so the comparison checks each of them.
    assert all(any(row[i] is not None for row in today) for i in range(len(COLUMNS)))
    assert len(today) == 5
    OutcomeSummary.objects.all().delete()

    def live_code(*args: object) -> None:
        raise AssertionError("the migration called outcomes/summary.py")

    monkeypatch.setattr(summary, "refresh_summary", live_code)
    monkeypatch.setattr(summary, "_refresh", live_code)
    _migrate(FILL)
    assert _stored() == today
