"""outcomes.trajectory_chart.build: baseline, response, remission, relapse, geometry."""

from __future__ import annotations

import datetime as dt

import pytest

from kapclinic.outcomes import trajectory_chart
from kapclinic.outcomes.instruments import INSTRUMENTS

START = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)


def day(n: int) -> dt.datetime:
    return START + dt.timedelta(days=n)


PHQ9 = INSTRUMENTS["phq9"]


def test_no_dose_means_no_baseline_and_no_judgement():
    chart = trajectory_chart.build(PHQ9, [(day(0), 19), (day(7), 8)], [])
    assert chart.baseline is None and chart.response_on is None and chart.lines == []
    assert chart.plain_words() == "Your latest PHQ-9 score is 8 (mild)."


def test_response_remission_and_time_to_response():
    scores = [(day(0), 20), (day(3), 18), (day(10), 11), (day(14), 10), (day(21), 4)]
    doses = [day(2), day(5), day(9), day(12)]
    chart = trajectory_chart.build(PHQ9, scores, doses)
    assert chart.baseline is not None and chart.baseline.total == 20
    # 10 is exactly 50% of 20: a response; 11 is not.
    assert chart.response_on == day(14)
    assert (chart.days_to_response, chart.doses_to_response) == (12, 4)
    assert chart.remission_on == day(21) and chart.in_remission is True
    assert [(line.label, line.value) for line in chart.lines] == [
        ("Baseline", 20),
        ("Response", 10.0),
        ("Remission", 4),
    ]
    assert chart.relapse is None and chart.advice == ""


def test_reliable_change_marks_points_after_the_first_dose():
    scores = [(day(0), 20), (day(7), 15), (day(14), 14), (day(21), 26)]
    chart = trajectory_chart.build(PHQ9, scores, [day(1)])
    assert [p.reliable for p in chart.points] == ["", "", "improved", "deteriorated"]


def test_loss_of_response_proposes_a_booster_review():
    scores = [(day(0), 20), (day(14), 8), (day(28), 14), (day(34), 15)]
    chart = trajectory_chart.build(PHQ9, scores, [day(1), day(4)])
    assert chart.relapse is not None and chart.relapse.when == day(34)
    assert "booster" in chart.advice


def test_two_high_scores_under_five_days_apart_are_no_relapse_yet():
    scores = [(day(0), 20), (day(14), 8), (day(28), 14), (day(31), 15)]
    chart = trajectory_chart.build(PHQ9, scores, [day(1)])
    assert chart.relapse is None


def test_plain_words_for_the_patient():
    chart = trajectory_chart.build(PHQ9, [(day(0), 19), (day(20), 8)], [day(1)])
    assert chart.plain_words().startswith("Your PHQ-9 score has fallen from 19 to 8 since")
    worse = trajectory_chart.build(PHQ9, [(day(0), 9), (day(20), 12)], [day(1)])
    assert "has risen from 9 to 12" in worse.plain_words()


def test_geometry_stays_inside_the_plot_and_lower_scores_sit_lower():
    scores = [(day(0), 27), (day(30), 0)]
    chart = trajectory_chart.build(PHQ9, scores, [day(10)])
    top, bottom = chart.points
    assert trajectory_chart.LEFT <= top.x < bottom.x <= chart.plot_right
    assert top.y < bottom.y == chart.plot_bottom
    assert chart.plot_left < chart.doses[0].x < bottom.x
    # Bands cover the whole scale, mildest at the bottom.
    assert chart.bands[0].label == "minimal"
    assert sum(b.height for b in chart.bands) == pytest.approx(
        chart.plot_bottom - trajectory_chart.TOP
    )


def test_ybocs_response_line_is_thirty_five_percent_down():
    chart = trajectory_chart.build(INSTRUMENTS["ybocs"], [(day(0), 30), (day(9), 19)], [day(1)])
    assert ("Response", 19.5) in [(line.label, line.value) for line in chart.lines]
    assert chart.response_on == day(9)
