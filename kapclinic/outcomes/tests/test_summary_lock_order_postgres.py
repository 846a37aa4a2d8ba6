"""A dose being recorded and a merge of the same patient, at once, both finish.

The dose locks its dosing session and refreshes the outcome summary last; the merge
locks both patient records, then moves the duplicate's rows (the dosing session
among them) and refreshes last. When the refresh locked the patient row, the two
waited for each other (session then patient, against patient then session) until
PostgreSQL broke the deadlock by failing one. The threads here are held so that
exactly that interleaving happens: the dose holds its session when the merge
starts, and goes on to its refresh only once the merge is seen waiting for the
session. Each thread has its own connection, as two app servers would; SQLite runs
one writer at a time and cannot share its test database between threads, so this
runs on PostgreSQL only.
"""

from __future__ import annotations

import threading
import time
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections

from kapclinic.dosing import actions as dosing_actions
from kapclinic.dosing.models import Administration, DosingSession
from kapclinic.dosing.tests.helpers import dosing_session, give
from kapclinic.outcomes.models import OutcomeSummary
from kapclinic.outcomes.summary import refresh_summary
from kapclinic.outcomes.tests.history import add_score, days_ago
from kapclinic.patients.merge import merge_records
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.test import build_cast

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
)

WAIT = 15  # seconds: far longer than PostgreSQL's 1 s deadlock check


def _someone_waits_for_a_row_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        (waiting,) = cursor.fetchone()
    return bool(waiting)


@pytest.mark.django_db(transaction=True)
def test_a_dose_and_a_merge_of_that_patient_at_once_both_finish() -> None:
    cast = build_cast()
    session = dosing_session(cast)
    duplicate = session.patient
    add_score(duplicate, "phq9", 20, days_ago(3), by=cast.prescriber)
    # The record the front desk keeps: the same person, at the same step, no clinical data.
    kept = Patient.objects.create(
        site=cast.site,
        mrn="KAP-KEPT1",
        given_name=duplicate.given_name,
        family_name=duplicate.family_name,
        birth_date=duplicate.birth_date,
        stage=PathwayStage.DOSING,
    )
    dose_holds_its_session = threading.Event()
    merge_is_waiting = threading.Event()
    seen_waiting: list[bool] = []
    errors: list[BaseException] = []

    def refresh_when_the_merge_waits(ids: Any) -> None:
        dose_holds_its_session.set()
        merge_is_waiting.wait(WAIT)
        refresh_summary(ids)

    def run(step: Any) -> None:
        try:
            step()
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    def dose() -> None:
        give(cast, session, "35")

    def merge() -> None:
        dose_holds_its_session.wait(WAIT)
        merge_records(actor=cast.front_desk, kept=kept, duplicate=duplicate)

    with mock.patch.object(dosing_actions, "refresh_summary", refresh_when_the_merge_waits):
        threads = [threading.Thread(target=run, args=(step,)) for step in (dose, merge)]
        for t in threads:
            t.start()
        assert dose_holds_its_session.wait(WAIT)
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and not seen_waiting:
            if _someone_waits_for_a_row_lock():
                seen_waiting.append(True)
            else:
                time.sleep(0.05)
        merge_is_waiting.set()
        for t in threads:
            t.join(3 * WAIT)
    assert seen_waiting == [True]  # the interleaving that deadlocked did happen
    assert errors == []
    # Both took effect: the dose is on the session, now on the kept record, and the
    # kept record's summary counts it against the duplicate's baseline score.
    moved = DosingSession.objects.get(pk=session.pk)
    assert moved.patient_id == kept.pk and moved.first_dose_at is not None
    assert Administration.objects.filter(session=session).count() == 1
    row = OutcomeSummary.objects.get(patient=kept, instrument="phq9")
    assert (row.doses, row.baseline) == (1, 20)
    assert not OutcomeSummary.objects.filter(patient=duplicate).exists()
