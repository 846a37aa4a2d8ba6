"""outcomes.trajectory.build: series per instrument, corrections, response, remission."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from kapclinic.outcomes import actions, trajectory
from kapclinic.outcomes.models import QuestionnaireResponse


def _madrs(cast, value: int, replaces: QuestionnaireResponse | None = None):
    return actions.submit(
        actor=cast.prescriber,
        patient=cast.patient,
        instrument="madrs",
        answers=[value] * 10,
        replaces=replaces,
    )


def test_response_from_the_last_score_before_the_first_dose(cast):
    start = timezone.now()
    with time_machine.travel(start - dt.timedelta(days=7), tick=False):
        _madrs(cast, 3)  # 30: baseline
    first_dose = start - dt.timedelta(days=1)
    _madrs(cast, 1)  # 10: a fall of 67%, and remission at the default limit
    (series,) = trajectory.build(QuestionnaireResponse.objects.all(), first_dose=first_dose)
    assert (series.baseline, series.response, series.remission) == (30, "response", True)
    assert len(series.points.split()) == 2


def test_no_first_dose_means_no_response_label(cast):
    _madrs(cast, 3)
    _madrs(cast, 1)
    (series,) = trajectory.build(QuestionnaireResponse.objects.all())
    assert series.response is None and series.baseline is None


def test_esketamine_remission_limit_is_the_site_setting(cast):
    _madrs(cast, 1)  # 10
    responses = QuestionnaireResponse.objects.all()
    assert trajectory.build(responses, madrs_remission_at_or_below=9)[0].remission is False
    assert trajectory.build(responses, madrs_remission_at_or_below=10)[0].remission is True


def test_a_corrected_score_is_left_out(cast):
    wrong = _madrs(cast, 5)
    _madrs(cast, 2, replaces=wrong)
    (series,) = trajectory.build(QuestionnaireResponse.objects.all())
    assert [r.total for r in series.responses] == [20]
