"""The board asks the database which scheduled vital-sign times are covered; the
answer must be the one the pure rule (dosing/schedule.due_times) gives from the
readings themselves, whatever the readings, corrections and baselines."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from kapclinic.dosing import schedule
from kapclinic.dosing.board import build_board, covered_windows
from kapclinic.dosing.models import DosingSession, SessionState, VitalReading
from kapclinic.dosing.tests.factories import make_session
from kapclinic.dosing.tests.helpers import NORMAL
from kapclinic.test import Cast

pytestmark = pytest.mark.django_db


def _reading(session: DosingSession, at: dt.datetime, **extra: object) -> VitalReading:
    return VitalReading.objects.create(session=session, taken_at=at, **{**NORMAL, **extra})


@pytest.mark.parametrize("seed", range(6))
def test_database_coverage_equals_the_pure_rule(cast: Cast, seed: int) -> None:
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    first = now - dt.timedelta(minutes=rng.randint(20, 150))
    session = make_session(cast, state=SessionState.OBSERVATION)
    DosingSession.objects.filter(pk=session.pk).update(first_dose_at=first)
    minutes = sorted(rng.sample(range(5, 130, 5), rng.randint(1, 6)))
    readings = []
    for _ in range(rng.randint(0, 12)):
        # Around the window edges as well as inside them.
        at = first + dt.timedelta(minutes=rng.choice(minutes) + rng.choice([-6, -5, -1, 0, 4, 5]))
        at += dt.timedelta(seconds=rng.choice([0, 0, 1, 59]))
        readings.append(_reading(session, at, is_baseline=rng.random() < 0.2))
    corrected = [r for r in readings if rng.random() < 0.25]
    for old in corrected:
        # A correction replaces the reading; its own time may fall in another window.
        _reading(session, old.taken_at + dt.timedelta(minutes=rng.choice([0, 20])), corrects=old)
    live = VitalReading.objects.filter(
        session=session, corrected_by__isnull=True, is_baseline=False
    ).values_list("taken_at", flat=True)
    expected = schedule.due_times(first, minutes, list(live), now=now)

    spans = {session.pk: schedule.windows(first, minutes)}
    got = schedule.dues(spans[session.pk], covered_windows(spans)[session.pk], now=now)

    assert got == expected


def test_the_board_shows_the_earliest_time_not_covered(cast: Cast) -> None:
    now = timezone.now()
    first = now - dt.timedelta(minutes=50)
    session = make_session(cast, state=SessionState.OBSERVATION)
    DosingSession.objects.filter(pk=session.pk).update(
        first_dose_at=first, vitals_schedule=[15, 30, 40, 120]
    )
    _reading(session, first + dt.timedelta(minutes=14))
    _reading(session, first + dt.timedelta(minutes=41))  # 40 covered, 30 missed
    row = build_board(cast.site, now=now).chairs[0]
    assert row.next_due is not None
    assert (row.next_due.minutes, row.next_due.overdue) == (30, True)

    # A reading for 30 minutes entered late (taken_at in its window) covers it.
    _reading(session, first + dt.timedelta(minutes=31))
    row = build_board(cast.site, now=now).chairs[0]
    assert row.next_due is not None
    assert (row.next_due.minutes, row.next_due.overdue) == (120, False)
