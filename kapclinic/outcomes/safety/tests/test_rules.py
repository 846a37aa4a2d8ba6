"""outcomes.safety.rules: the flags of CLINICAL.md section 7."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kapclinic.outcomes.safety import rules

TODAY = dt.date(2026, 6, 30)
T0 = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)
DEFAULTS = rules.Thresholds()


def week(days_back: int, doses: int, allowed: int = 2) -> rules.WeekDoses:
    return rules.WeekDoses(TODAY - dt.timedelta(days=days_back), doses, allowed)


def test_a_week_above_the_plan_is_flagged_and_one_at_the_limit_is_not():
    flags = rules.frequency_flags([week(60, 2), week(53, 3)], TODAY, DEFAULTS)
    assert len(flags) == 1 and "3 doses" in flags[0].message


def test_doses_coming_closer_together_are_escalation():
    steady = [week(49, 1), week(35, 1), week(21, 1), week(7, 1)]
    assert rules.frequency_flags(steady, TODAY, DEFAULTS) == []
    closer = [week(49, 1), week(35, 1), week(21, 2), week(14, 1), week(7, 2)]
    (flag,) = rules.frequency_flags(closer, TODAY, DEFAULTS)
    assert "5 doses in the last 4 weeks, up from 2" in flag.message


def test_a_course_starting_is_not_escalation():
    assert rules.frequency_flags([week(14, 2), week(7, 2)], TODAY, DEFAULTS) == []


def test_dose_above_the_order_is_urgent_and_a_rising_dose_is_flagged():
    sessions = [
        rules.SessionDose(T0, Decimal("40"), Decimal("40")),
        rules.SessionDose(T0 + dt.timedelta(days=7), Decimal("49"), Decimal("50")),
    ]
    assert rules.dose_flags(sessions, DEFAULTS) == []  # a 22.5% rise, within the order
    sessions.append(rules.SessionDose(T0 + dt.timedelta(days=14), Decimal("55"), Decimal("50")))
    levels = [f.level for f in rules.dose_flags(sessions, DEFAULTS)]
    assert levels == ["urgent", "warn"]


def pressure(day: int, base: tuple[int, int], peak: tuple[int, int]) -> rules.SessionPressure:
    return rules.SessionPressure(T0 + dt.timedelta(days=day), *base, *peak)


def test_in_session_rise_at_the_warning_level():
    limits = DEFAULTS
    assert rules.pressure_flags([pressure(0, (120, 80), (159, 104))], limits) == []
    (flag,) = rules.pressure_flags([pressure(0, (120, 80), (160, 90))], limits)
    assert "40/10" in flag.message


def test_sustained_raised_resting_pressure_needs_three_sessions_in_a_row():
    limits = DEFAULTS
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
    assert rules.bladder_flags([check(3)], TODAY, DEFAULTS, dosing=True) == []
    (flag,) = rules.bladder_flags([check(3, urgency=True)], TODAY, DEFAULTS, dosing=True)
    assert flag.level == "warn" and "urgency" in flag.message
    (flag,) = rules.bladder_flags(
        [check(40, pain=True), check(3, blood=True)], TODAY, DEFAULTS, dosing=True
    )
    assert flag.level == "urgent" and "pain" not in flag.message


def test_the_monthly_check_is_due_only_while_dosing():
    assert [f.message for f in rules.bladder_flags([check(32)], TODAY, DEFAULTS, dosing=True)] == [
        "The monthly bladder check is due."
    ]
    assert rules.bladder_flags([check(31)], TODAY, DEFAULTS, dosing=True) == []
    assert rules.bladder_flags([], TODAY, DEFAULTS, dosing=False) == []


def test_misuse_signals_and_the_request_pattern():
    one = [(TODAY - dt.timedelta(days=10), "early_dose", "Asked early")]
    assert [f.level for f in rules.misuse_flags(one, TODAY, DEFAULTS)] == ["warn"]
    two = [*one, (TODAY - dt.timedelta(days=80), "extra_dose", "Asked extra")]
    flags = rules.misuse_flags(two, TODAY, DEFAULTS)
    assert flags[0].level == "urgent" and "2 requests" in flags[0].message
    old = [*one, (TODAY - dt.timedelta(days=91), "extra_dose", "Asked extra")]
    assert len(rules.misuse_flags(old, TODAY, DEFAULTS)) == 2
    test = [(TODAY, "positive_test", "Positive substance test")]
    assert rules.misuse_flags(test, TODAY, DEFAULTS)[0].level == "urgent"


# A site may set every threshold; each boundary below uses a non-default value, so a
# rule still reading its old constant fails.


def test_a_site_frequency_window_of_two_weeks():
    two = rules.Thresholds(recent_weeks=2)
    # Over 4 weeks (the default) both spans hold 3 doses: no rise. Over 2 weeks the
    # last span holds 2 against 1 before: escalation.
    weeks = [week(42, 1), week(35, 2), week(14, 1), week(7, 2)]
    assert rules.frequency_flags(weeks, TODAY, DEFAULTS) == []
    (flag,) = rules.frequency_flags(weeks, TODAY, two)
    assert "2 doses in the last 2 weeks, up from 1 in the 2 weeks before" in flag.message


def test_a_site_dose_rise_of_a_tenth_flags_at_exactly_ten_percent():
    tenth = rules.Thresholds(dose_rise_fraction=Decimal("0.10"))
    first = rules.SessionDose(T0, Decimal("40"), Decimal("60"))

    def rising(mg: str) -> list[rules.SessionDose]:
        return [first, rules.SessionDose(T0 + dt.timedelta(days=7), Decimal(mg), Decimal("60"))]

    assert rules.dose_flags(rising("43.5"), tenth) == []
    (flag,) = rules.dose_flags(rising("44"), tenth)
    assert "risen from 40 mg to 44 mg" in flag.message
    assert rules.dose_flags(rising("44"), DEFAULTS) == []


def test_a_site_sustained_rise_over_two_sessions_with_its_own_limit():
    site = rules.Thresholds(sustained_sessions=2, resting_systolic=150, resting_diastolic=95)
    at_limit = [pressure(d, (150, 95), (155, 96)) for d in (0, 7)]
    assert rules.pressure_flags(at_limit, site) == []
    above = [pressure(0, (151, 80), (155, 82)), pressure(7, (140, 96), (145, 97))]
    (flag,) = rules.pressure_flags(above, site)
    assert "above 150/95 before each of the last 2 sessions" in flag.message
    assert rules.pressure_flags(above, DEFAULTS) == []  # 3 sessions needed by default


def test_a_site_in_session_rise_limit():
    site = rules.Thresholds(rise_systolic=30, rise_diastolic=20)
    assert rules.pressure_flags([pressure(0, (120, 80), (149, 99))], site) == []
    assert len(rules.pressure_flags([pressure(0, (120, 80), (150, 80))], site)) == 1
    assert len(rules.pressure_flags([pressure(0, (120, 80), (120, 100))], site)) == 1


def test_a_site_bladder_check_every_two_weeks():
    fortnight = rules.Thresholds(bladder_check_days=14)
    assert rules.bladder_flags([check(14)], TODAY, fortnight, dosing=True) == []
    (flag,) = rules.bladder_flags([check(15)], TODAY, fortnight, dosing=True)
    assert flag.message == "The monthly bladder check is due."
    assert rules.bladder_flags([check(15)], TODAY, DEFAULTS, dosing=True) == []


def test_a_site_request_pattern_of_three_in_thirty_days():
    site = rules.Thresholds(request_pattern_count=3, request_pattern_days=30)
    asked = [(TODAY - dt.timedelta(days=d), "early_dose", "Asked early") for d in (1, 10)]
    assert [f.level for f in rules.misuse_flags(asked, TODAY, site)] == ["warn", "warn"]
    assert rules.misuse_flags(asked, TODAY, DEFAULTS)[0].level == "urgent"
    late = [*asked, (TODAY - dt.timedelta(days=31), "extra_dose", "Asked extra")]
    assert not any("requests" in f.message for f in rules.misuse_flags(late, TODAY, site))
    within = [*asked, (TODAY - dt.timedelta(days=30), "extra_dose", "Asked extra")]
    (pattern, *_) = rules.misuse_flags(within, TODAY, site)
    assert pattern.message == "3 requests for early or extra doses in 30 days."


@pytest.mark.parametrize(
    "wrong",
    [
        {"recent_weeks": 0},
        {"sustained_sessions": 0},
        {"bladder_check_days": -1},
        {"request_pattern_count": 0},
        {"request_pattern_days": 0},
        {"dose_rise_fraction": Decimal(0)},
        {"dose_rise_fraction": Decimal(1)},
    ],
)
def test_a_zero_window_or_a_fraction_outside_zero_to_one_is_refused(wrong):
    with pytest.raises(ValueError, match=next(iter(wrong))):
        rules.Thresholds(**wrong)


def test_being_dosed_follows_the_window():
    month = rules.Thresholds(dosing_window_days=30)
    assert rules.being_dosed(TODAY - dt.timedelta(days=90), TODAY, DEFAULTS)
    assert not rules.being_dosed(TODAY - dt.timedelta(days=91), TODAY, DEFAULTS)
    assert rules.being_dosed(TODAY - dt.timedelta(days=30), TODAY, month)
    assert not rules.being_dosed(TODAY - dt.timedelta(days=31), TODAY, month)
    assert not rules.being_dosed(None, TODAY, DEFAULTS)
    with pytest.raises(ValueError, match="dosing_window_days"):
        rules.Thresholds(dosing_window_days=0)
