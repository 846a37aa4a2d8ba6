"""Change over time (CLINICAL.md 5): baseline, response, remission, reliable change, relapse."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes.change import (
    baseline,
    first_response,
    is_remission,
    is_response,
    loss_of_response,
    percent_fall,
    reliable_change,
    response_level,
)

DAY0 = date(2026, 3, 2)


def day(n):
    return DAY0 + timedelta(days=n)


def test_baseline_is_the_last_score_before_the_first_dose():
    history = [(day(-20), 22), (day(-3), 20), (day(0), 19), (day(2), 10)]
    assert baseline(history, day(0)) == (day(-3), 20)


def test_baseline_order_of_history_does_not_matter():
    history = [(day(2), 10), (day(-3), 20), (day(-20), 22)]
    assert baseline(history, day(0)) == (day(-3), 20)


def test_no_baseline_without_an_earlier_score():
    assert baseline([(day(1), 10)], day(0)) is None
    assert baseline([], day(0)) is None


def test_a_same_morning_score_is_the_baseline_when_times_are_given():
    dose = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    history = [(datetime(2026, 3, 1, 9, 0, tzinfo=UTC), 18), (dose - timedelta(hours=1), 21)]
    assert baseline(history, dose) == (dose - timedelta(hours=1), 21)


def test_naive_times_are_refused():
    with pytest.raises(FieldValueError, match=r"history\[0\]"):
        baseline([(datetime(2026, 3, 1, 9, 0), 18)], datetime(2026, 3, 2, tzinfo=UTC))


@pytest.mark.parametrize(
    ("code", "start", "now", "responds"),
    [
        ("phq9", 20, 10, True),
        ("phq9", 20, 11, False),
        ("phq9", 15, 7, True),
        ("phq9", 15, 8, False),
        ("gad7", 14, 7, True),
        ("qids_sr16", 18, 9, True),
        ("madrs", 30, 15, True),
        ("madrs", 30, 16, False),
        ("ybocs", 20, 13, True),
        ("ybocs", 20, 14, False),
        ("pcl5", 50, 40, True),
        ("pcl5", 50, 41, False),
        ("phq9", 0, 0, False),
    ],
)
def test_response_thresholds(code, start, now, responds):
    assert is_response(code, start, now) is responds


@pytest.mark.parametrize(
    ("now", "level"),
    [(40, "response"), (41, "minimal response"), (45, "minimal response"), (46, "no response")],
)
def test_pcl5_minimal_response(now, level):
    assert response_level("pcl5", 50, now) == level


def test_percent_fall():
    assert percent_fall(20, 10) == 50
    assert percent_fall(20, 25) == -25
    assert percent_fall(0, 3) is None


@pytest.mark.parametrize(
    ("code", "total", "remits"),
    [
        ("phq9", 4, True),
        ("phq9", 5, False),
        ("gad7", 4, True),
        ("gad7", 5, False),
        ("qids_sr16", 5, True),
        ("qids_sr16", 6, False),
        ("madrs", 10, True),
        ("madrs", 11, False),
        ("ybocs", 12, True),
        ("ybocs", 13, False),
    ],
)
def test_remission_thresholds(code, total, remits):
    assert is_remission(code, total) is remits


def test_madrs_remission_is_a_setting():
    assert is_remission("madrs", 12, madrs_remission_at_or_below=12)
    assert not is_remission("madrs", 13, madrs_remission_at_or_below=12)


@pytest.mark.parametrize(
    ("code", "start", "now", "change"),
    [
        ("phq9", 18, 12, "improved"),
        ("phq9", 18, 13, "no reliable change"),
        ("phq9", 12, 18, "deteriorated"),
        ("phq9", 12, 17, "no reliable change"),
        ("gad7", 15, 11, "improved"),
        ("gad7", 15, 12, "no reliable change"),
        ("gad7", 10, 14, "deteriorated"),
    ],
)
def test_reliable_change(code, start, now, change):
    assert reliable_change(code, start, now) == change


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (is_response, ("cadss6", 10, 5)),
        (is_remission, ("pcl5", 10)),
        (reliable_change, ("madrs", 30, 10)),
    ],
)
def test_undefined_measures_are_refused(call, args):
    with pytest.raises(FieldValueError, match="code"):
        call(*args)


@pytest.mark.parametrize("bad", [-1, True, 2.5, "10"])
def test_impossible_totals_are_refused(bad):
    with pytest.raises(ValueError, match="total"):
        is_response("phq9", 20, bad)


def test_time_to_first_response():
    history = [(day(-2), 20), (day(3), 14), (day(7), 10), (day(14), 6)]
    assert first_response("phq9", history, day(0)) == day(7)
    assert first_response("phq9", history[:2], day(0)) is None
    assert first_response("phq9", history[1:], day(0)) is None


# Loss of response.

RESPONDER = [(day(-2), 30), (day(7), 14)]


def test_no_loss_of_response_while_responding():
    history = [*RESPONDER, (day(14), 12), (day(21), 15)]
    assert loss_of_response("madrs", history, day(0)) is None


def test_two_scores_back_up_five_days_apart_signal_relapse():
    history = [*RESPONDER, (day(14), 16), (day(19), 17)]
    signal = loss_of_response("phq9", history, day(0))
    assert signal is not None
    assert (signal.when, signal.reason) == (day(19), "scores_back_up")
    assert signal.message


def test_two_scores_back_up_under_five_days_apart_are_not_yet_a_relapse():
    history = [*RESPONDER, (day(14), 16), (day(18), 17)]
    assert loss_of_response("phq9", history, day(0)) is None
    # A third score, 5 days after the first raised one, completes the signal.
    signal = loss_of_response("phq9", [*history, (day(19), 16)], day(0))
    assert signal is not None
    assert signal.when == day(19)


def test_a_response_in_between_resets_the_count():
    history = [*RESPONDER, (day(14), 16), (day(17), 12), (day(21), 16)]
    assert loss_of_response("phq9", history, day(0)) is None


def test_exactly_half_of_baseline_is_still_a_response():
    history = [*RESPONDER, (day(14), 15), (day(21), 15)]
    assert loss_of_response("phq9", history, day(0)) is None


def test_madrs_22_after_a_response_is_a_relapse_at_once():
    history = [*RESPONDER, (day(14), 22)]
    signal = loss_of_response("madrs", history, day(0))
    assert signal is not None
    assert (signal.when, signal.reason) == (day(14), "madrs_at_or_above_22")
    assert loss_of_response("madrs", [*RESPONDER, (day(14), 21)], day(0)) is None


def test_madrs_22_before_any_response_is_not_a_relapse():
    history = [(day(-2), 30), (day(3), 24), (day(7), 22)]
    assert loss_of_response("madrs", history, day(0)) is None


def test_hospitalisation_after_a_response_is_a_relapse():
    signal = loss_of_response("phq9", RESPONDER, day(0), events=[day(10)])
    assert signal is not None
    assert (signal.when, signal.reason) == (day(10), "hospitalisation_or_attempt")


def test_event_before_the_response_does_not_count():
    assert loss_of_response("phq9", RESPONDER, day(0), events=[day(3)]) is None


def test_the_earliest_signal_wins():
    history = [*RESPONDER, (day(14), 16), (day(19), 17)]
    signal = loss_of_response("phq9", history, day(0), events=[day(30)])
    assert signal is not None
    assert signal.reason == "scores_back_up"
    signal = loss_of_response("phq9", history, day(0), events=[day(15)])
    assert signal is not None
    assert signal.reason == "hospitalisation_or_attempt"


def test_no_relapse_without_a_baseline():
    assert loss_of_response("phq9", [(day(1), 10), (day(9), 20)], day(0)) is None


def test_ybocs_relapse_uses_its_own_response_criterion():
    history = [(day(-2), 30), (day(7), 18), (day(14), 18), (day(21), 19)]
    # 18 is a 40% fall: still a response on Y-BOCS although above half of baseline.
    assert loss_of_response("ybocs", history, day(0)) is None
    signal = loss_of_response("ybocs", [*history, (day(28), 20), (day(35), 21)], day(0))
    assert signal is not None
    assert signal.when == day(35)


@pytest.mark.parametrize(
    ("history", "field"),
    [
        ([(day(-1), 20, "extra")], "history[0]"),
        ([(day(-1), 20), ("2026-03-01", 20)], "history[1]"),
        ([(day(-1), -3)], "history[0]"),
    ],
)
def test_malformed_history_names_the_entry(history, field):
    with pytest.raises(FieldValueError) as raised:
        baseline(history, day(0))
    assert raised.value.field == field


def test_a_naive_first_dose_time_is_refused():
    with pytest.raises(FieldValueError, match="first_dose"):
        baseline([], datetime(2026, 3, 2, 10, 0))
