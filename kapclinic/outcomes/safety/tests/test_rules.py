"""outcomes.safety.rules: the flags of CLINICAL.md section 7."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kapclinic.outcomes.safety import rules

TODAY = dt.date(2026, 6, 30)
T0 = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)


def week(days_back: int, doses: int, allowed: int = 2) -> rules.WeekDoses:
    return rules.WeekDoses(TODAY - dt.timedelta(days=days_back), doses, allowed)


def test_a_week_above_the_plan_is_flagged_and_one_at_the_limit_is_not():
    flags = rules.frequency_flags([week(60, 2), week(53, 3)], TODAY)
    assert len(flags) == 1 and "3 doses" in flags[0].message


def test_doses_coming_closer_together_are_escalation():
    steady = [week(49, 1), week(35, 1), week(21, 1), week(7, 1)]
    assert rules.frequency_flags(steady, TODAY) == []
    closer = [week(49, 1), week(35, 1), week(21, 2), week(14, 1), week(7, 2)]
    (flag,) = rules.frequency_flags(closer, TODAY)
    assert "5 doses in the last 4 weeks, up from 2" in flag.message


def test_a_course_starting_is_not_escalation():
    assert rules.frequency_flags([week(14, 2), week(7, 2)], TODAY) == []


def test_dose_above_the_order_is_urgent_and_a_rising_dose_is_flagged():
    sessions = [
        rules.SessionDose(T0, Decimal("40"), Decimal("40")),
        rules.SessionDose(T0 + dt.timedelta(days=7), Decimal("49"), Decimal("50")),
    ]
    assert rules.dose_flags(sessions) == []  # a 22.5% rise, within the order
    sessions.append(rules.SessionDose(T0 + dt.timedelta(days=14), Decimal("55"), Decimal("50")))
    levels = [f.level for f in rules.dose_flags(sessions)]
    assert levels == ["urgent", "warn"]


def pressure(day: int, base: tuple[int, int], peak: tuple[int, int]) -> rules.SessionPressure:
    return rules.SessionPressure(T0 + dt.timedelta(days=day), *base, *peak)


def test_in_session_rise_at_the_warning_level():
    limits = rules.PressureLimits()
    assert rules.pressure_flags([pressure(0, (120, 80), (159, 104))], limits) == []
    (flag,) = rules.pressure_flags([pressure(0, (120, 80), (160, 90))], limits)
    assert "40/10" in flag.message


def test_sustained_raised_resting_pressure_needs_three_sessions_in_a_row():
    limits = rules.PressureLimits()
    raised = [pressure(d, (145, 85), (150, 90)) for d in (0, 7)]
    assert rules.pressure_flags(raised, limits) == []
    raised.append(pressure(14, (130, 92), (135, 95)))
    (flag,) = rules.pressure_flags(raised, limits)
    assert "last 3 sessions" in flag.message
    raised.append(pressure(21, (130, 85), (135, 88)))
    assert rules.pressure_flags(raised, limits) == []


def check(days_back: int, **symptoms: bool) -> rules.BladderAnswers:
    values = {"urgency": False, "frequency": False, "pain": False, "blood": False, **symptoms}
    return rules.BladderAnswers(TODAY - dt.timedelta(days=days_back), **values)


def test_bladder_symptoms_and_blood_is_urgent():
    assert rules.bladder_flags([check(3)], TODAY, dosing=True) == []
    (flag,) = rules.bladder_flags([check(3, urgency=True)], TODAY, dosing=True)
    assert flag.level == "warn" and "urgency" in flag.message
    (flag,) = rules.bladder_flags([check(40, pain=True), check(3, blood=True)], TODAY, dosing=True)
    assert flag.level == "urgent" and "pain" not in flag.message


def test_the_monthly_check_is_due_only_while_dosing():
    assert [f.message for f in rules.bladder_flags([check(32)], TODAY, dosing=True)] == [
        "The monthly bladder check is due."
    ]
    assert rules.bladder_flags([check(31)], TODAY, dosing=True) == []
    assert rules.bladder_flags([], TODAY, dosing=False) == []


def test_misuse_signals_and_the_request_pattern():
    one = [(TODAY - dt.timedelta(days=10), "early_dose", "Asked early")]
    assert [f.level for f in rules.misuse_flags(one, TODAY)] == ["warn"]
    two = [*one, (TODAY - dt.timedelta(days=80), "extra_dose", "Asked extra")]
    flags = rules.misuse_flags(two, TODAY)
    assert flags[0].level == "urgent" and "2 requests" in flags[0].message
    old = [*one, (TODAY - dt.timedelta(days=91), "extra_dose", "Asked extra")]
    assert len(rules.misuse_flags(old, TODAY)) == 2
    test = [(TODAY, "positive_test", "Positive substance test")]
    assert rules.misuse_flags(test, TODAY)[0].level == "urgent"
