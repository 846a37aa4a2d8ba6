"""outcomes.analytics: cohort rates computed by the database, suppression, medians."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kapclinic.outcomes import analytics, change, trajectory
from kapclinic.outcomes.models import OutcomeSummary
from kapclinic.outcomes.tests.history import add_score, days_ago, dose, make_plan, make_protocol
from kapclinic.test import make_patient
from kapclinic.treatment.models import Route

# (baseline, scores after the first dose as (days after it, total)), doses on days 0, 3, 6, 9.
RESPONDER_HELD = (20, [(2, 14), (7, 9), (40, 8), (100, 6)])  # response on day 7, 3 doses
RESPONDER_LOST = (18, [(4, 9), (35, 16)])  # response day 4 (2 doses), not held at 4 weeks
REMITTER = (16, [(10, 4)])  # response and remission on day 10 (4 doses)
NON_RESPONDER = (22, [(7, 19), (30, 18)])
NO_FOLLOW_UP: tuple[int, list[tuple[int, int]]] = (15, [])


_NUMBERS = itertools.count()


def _patient(cast, history, *, protocol=None):
    # Each patient's doses at their own hour of the day: one nurse, no overlaps.
    number = next(_NUMBERS)
    index = number % 24
    patient = make_patient(cast.site, f"MRN-A{number}", "Test", f"Patient{index}")
    baseline, later = history
    start = days_ago(200)
    add_score(patient, "phq9", baseline, start - dt.timedelta(days=3), by=cast.prescriber)
    plan = make_plan(patient, cast.prescriber, protocol, sessions_planned=4)
    for k in range(4):
        dose(plan, cast.nurse, start + dt.timedelta(days=3 * k, hours=index))
    for day, total in later:
        add_score(
            patient, "phq9", total, start + dt.timedelta(days=day, hours=6), by=cast.prescriber
        )
    return patient


def _clinic(cast, extra: int = 0):
    protocol = make_protocol(cast.site)
    histories = [RESPONDER_HELD, RESPONDER_LOST, REMITTER, NON_RESPONDER, NO_FOLLOW_UP]
    for h in histories + [NON_RESPONDER] * extra:
        _patient(cast, h, protocol=protocol)


def test_rates_durability_and_median(cast):
    _clinic(cast)
    (cohort,) = analytics.cohorts("phq9", "all")
    assert cohort.patients == 5 and not cohort.suppressed
    assert (cohort.responders, cohort.remitters) == (3, 1)
    assert cohort.response_rate == "60.0%"
    assert (cohort.followed_4, cohort.held_4) == (2, 1)
    assert (cohort.followed_12, cohort.held_12) == (1, 1)
    assert cohort.sessions_histogram == {3: 1, 2: 1, 4: 1}
    assert cohort.median_sessions == 3
    assert (cohort.with_plan, cohort.completed) == (5, 5)


def test_small_cohorts_are_suppressed(cast):
    _clinic(cast)
    other = make_protocol(cast.site, route=Route.IM, name="IM ketamine")
    _patient(cast, RESPONDER_HELD, protocol=other)
    rows = analytics.cohorts("phq9", "protocol")
    assert [(c.label, c.patients, c.suppressed) for c in rows] == [
        ("IM ketamine", 1, True),
        ("IV ketamine", 5, False),
    ]


def test_query_count_does_not_grow_with_patients(cast, django_assert_num_queries):
    _clinic(cast)
    with CaptureQueriesContext(connection) as few:
        analytics.cohorts("phq9", "site")
    _clinic(cast, extra=5)
    with django_assert_num_queries(len(few.captured_queries)):
        rows = analytics.cohorts("phq9", "site")
    assert len(few.captured_queries) == 1 and rows[0].patients == 15


def test_median_of_histogram():
    assert analytics.median_of_histogram({}) is None
    assert analytics.median_of_histogram({2: 1, 4: 1}) == 3
    assert analytics.median_of_histogram({1: 3, 9: 1}) == 1


def test_a_baseline_of_0_is_no_response_in_analytics_as_on_the_trajectory(cast):
    # Nothing can fall by half from 0: change.response_level says "no response",
    # and the summary and the cohort table must say the same (they counted a
    # later 0 as a response that held).
    zero = (0, [(7, 0), (40, 0), (100, 0)])
    patient = _patient(cast, zero)
    for _ in range(4):
        _patient(cast, NON_RESPONDER)
    history = [(r.completed_at, r.total) for r in patient.responses.order_by("completed_at")]
    first_dose = days_ago(200)
    (series,) = trajectory.build(patient.responses.all(), first_dose=first_dose)
    assert (series.baseline, series.response) == (0, "no response")
    assert change.first_response("phq9", history, first_dose) is None
    summary = OutcomeSummary.objects.get(patient=patient, instrument="phq9")
    assert (summary.baseline, summary.responded_at) == (0, None)
    (cohort,) = analytics.cohorts("phq9", "all")
    assert (cohort.patients, cohort.responders, cohort.held_4, cohort.held_12) == (5, 0, 0, 0)
    assert cohort.sessions_histogram == {}


def test_the_migration_clears_responses_stored_from_a_baseline_of_0(cast):
    from django.apps import apps

    migration = importlib.import_module(
        "kapclinic.outcomes.migrations.0006_no_response_from_a_baseline_of_0"
    )
    zero = _patient(cast, (0, [(7, 0)]))
    kept = _patient(cast, RESPONDER_HELD)
    # As the old SQL stored it.
    OutcomeSummary.objects.filter(patient=zero).update(
        responded_at=days_ago(190), sessions_to_response=3, later_4=0
    )
    before = OutcomeSummary.objects.get(patient=kept).responded_at
    migration.clear(apps, None)
    row = OutcomeSummary.objects.get(patient=zero)
    assert (row.responded_at, row.sessions_to_response, row.later_4) == (None, None, None)
    assert OutcomeSummary.objects.get(patient=kept).responded_at == before is not None
