"""The pure schedule rules: which questionnaire is due when (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from kapclinic.outcomes import schedules as s
from kapclinic.outcomes.schedules import Dose, Rule, due_now, phase_for

T0 = dt.datetime(2030, 3, 4, 14, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def upcoming(ref: int, start: dt.datetime) -> Dose:
    return Dose(ref=ref, start=start, ended_at=None, upcoming=True)


def done(ref: int, start: dt.datetime) -> Dose:
    return Dose(ref=ref, start=start, ended_at=start + 2 * H, upcoming=False)


def keys(rules: list[Rule], phase: str, doses: list[Dose], now: dt.datetime) -> list[str]:
    return [d.key for d in due_now(rules, phase, doses, now)]


@pytest.mark.parametrize(
    ("stage", "plan_phase", "expected"),
    [
        ("enquiry", None, s.NO_SCHEDULE),
        ("preparation", None, s.BEFORE_COURSE),
        ("dosing", None, s.COURSE),
        ("dosing", "maintenance", s.MAINTENANCE),
        ("review", "induction", s.COURSE),
        ("maintenance", None, s.MAINTENANCE),
        ("follow_up", "maintenance", s.AFTER_COURSE),
        ("withdrawn", None, s.NO_SCHEDULE),
        ("ineligible", None, s.NO_SCHEDULE),
    ],
)
def test_phase_follows_the_pathway_and_a_signed_plan(stage, plan_phase, expected):
    assert phase_for(stage, plan_phase) == expected


def test_baseline_opens_a_week_before_the_first_dose_and_closes_at_it():
    rules = [Rule(s.BASELINE, "phq9")]
    first = upcoming(1, T0)
    assert keys(rules, s.BEFORE_COURSE, [first], T0 - 7 * D - H) == []
    due = due_now(rules, s.BEFORE_COURSE, [first], T0 - 7 * D)
    assert [(d.key, d.due_at, d.expires_at) for d in due] == [("baseline:phq9", T0 - 7 * D, T0)]
    assert keys(rules, s.BEFORE_COURSE, [first], T0) == []


def test_no_baseline_once_a_dose_has_happened():
    rules = [Rule(s.BASELINE, "phq9")]
    assert keys(rules, s.COURSE, [done(1, T0), upcoming(2, T0 + 3 * D)], T0 + 2 * D) == []


def test_before_each_dose_from_48_hours_until_it_starts():
    rules = [Rule(s.BEFORE_DOSE, "qids_sr16")]
    doses = [done(1, T0), upcoming(2, T0 + 7 * D)]
    assert keys(rules, s.COURSE, doses, T0 + 5 * D - H) == []
    due = due_now(rules, s.COURSE, doses, T0 + 5 * D)
    assert [(d.key, d.expires_at) for d in due] == [("before_dose:2:qids_sr16", T0 + 7 * D)]
    assert keys(rules, s.COURSE, doses, T0 + 7 * D) == []


def test_a_cancelled_dose_asks_nothing():
    cancelled = Dose(ref=2, start=T0 + D, ended_at=None, upcoming=False)
    assert keys([Rule(s.BEFORE_DOSE, "qids_sr16")], s.COURSE, [cancelled], T0) == []


def test_after_each_dose_from_24_to_72_hours_after_it_ended():
    rules = [Rule(s.AFTER_DOSE, "qids_sr16")]
    dose = done(7, T0)
    ended = T0 + 2 * H
    assert keys(rules, s.COURSE, [dose], ended + 24 * H - dt.timedelta(seconds=1)) == []
    due = due_now(rules, s.COURSE, [dose], ended + 24 * H)
    assert [(d.key, d.due_at, d.expires_at) for d in due] == [
        ("after_dose:7:qids_sr16", ended + 24 * H, ended + 72 * H)
    ]
    assert keys(rules, s.COURSE, [dose], ended + 72 * H) == []


def test_weekly_during_the_course_counts_weeks_from_the_first_dose():
    rules = [Rule(s.WEEKLY, "phq9")]
    doses = [done(1, T0), done(2, T0 + 2 * D)]
    assert keys(rules, s.COURSE, doses, T0 + 6 * D) == []
    assert keys(rules, s.COURSE, doses, T0 + 7 * D) == ["weekly:1:phq9"]
    assert keys(rules, s.COURSE, doses, T0 + 15 * D) == ["weekly:2:phq9"]


def test_weekly_goes_on_for_n_weeks_after_the_course_then_stops():
    rules = [Rule(s.WEEKLY, "phq9", weeks_after_course=2)]
    doses = [done(1, T0), done(2, T0 + 14 * D)]
    last_end = T0 + 14 * D + 2 * H
    assert keys(rules, s.AFTER_COURSE, doses, T0 + 28 * D) == ["weekly:4:phq9"]
    # Week 5 starts after last_end + 2 weeks: nothing more.
    assert last_end + 14 * D < T0 + 35 * D
    assert keys(rules, s.AFTER_COURSE, doses, T0 + 35 * D) == []


def test_monthly_only_in_maintenance():
    rules = [Rule(s.MONTHLY, "gad7")]
    doses = [done(1, T0)]
    assert keys(rules, s.COURSE, doses, T0 + 29 * D) == []
    assert keys(rules, s.MAINTENANCE, doses, T0 + 29 * D) == ["monthly:1:gad7"]
    # Its two-week window has closed.
    assert keys(rules, s.MAINTENANCE, doses, T0 + 28 * D + 14 * D) == []


def test_the_dose_tied_occasions_come_first():
    rules = [Rule(s.WEEKLY, "qids_sr16"), Rule(s.BEFORE_DOSE, "qids_sr16"), Rule(s.WEEKLY, "phq9")]
    doses = [done(1, T0), upcoming(2, T0 + 8 * D)]
    assert keys(rules, s.COURSE, doses, T0 + 7 * D) == [
        "before_dose:2:qids_sr16",
        "weekly:1:phq9",
        "weekly:1:qids_sr16",
    ]


def test_out_of_the_pathway_nothing_is_due():
    rules = list(s.DEFAULT_RULES)
    assert keys(rules, s.NO_SCHEDULE, [done(1, T0), upcoming(2, T0 + D)], T0 + 12 * H) == []


def test_default_rules_ask_only_patient_questionnaires_of_section_5():
    assert {r.instrument for r in s.DEFAULT_RULES} == {"phq9", "gad7", "qids_sr16", "cssrs_screen"}
    assert {r.trigger for r in s.DEFAULT_RULES} == set(s.PRIORITY)
