"""The chart's outcomes panel: baseline, latest, change and status in words, read
with the trajectory page's own rules and a query count that does not grow."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.clinics.models import SiteSettings
from kapclinic.outcomes.tests.history import add_score, days_ago, dosing_appointment
from kapclinic.outcomes.trajectory_chart import BOOSTER_ADVICE
from kapclinic.patients.tests.test_query_counts import CHART_QUERIES
from kapclinic.test import Cast, login

pytestmark = pytest.mark.django_db

FIRST_DOSE_DAYS_AGO = 60


def history(cast: Cast, code: str, *totals: int) -> None:
    """The first total before the first dose (the baseline), the rest a week apart after."""
    dosing_appointment(cast.patient, cast.prescriber, days_ago(FIRST_DOSE_DAYS_AGO))
    add_score(cast.patient, code, totals[0], days_ago(FIRST_DOSE_DAYS_AGO + 2), by=cast.prescriber)
    for n, total in enumerate(totals[1:], start=1):
        when = days_ago(FIRST_DOSE_DAYS_AGO - 7 * n)
        add_score(cast.patient, code, total, when, by=cast.prescriber)


def panel(cast: Cast, client: Client, code: str) -> str:
    """The text of one instrument's section of the chart's panel, tags stripped."""
    login(client, cast.prescriber)
    body = client.get(reverse("patients:chart", args=[cast.patient.pk])).content.decode()
    found = re.search(rf'<section class="score-series"[^>]*series-{code}.*?</section>', body, re.S)
    assert found is not None, body
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


@pytest.mark.parametrize(
    "totals, status",
    [
        ((20, 10), "Response"),  # exactly 50% lower
        ((20, 11), "Partial"),  # 45% lower, beyond PHQ-9's 6-point reliable change
        ((20, 15), "No response yet"),  # 5 points: within measurement noise
        ((20, 4), "Remission"),  # under 5
        ((20, 5), "Response"),  # 5 is no remission on PHQ-9
        ((20, 8, 15, 16), "No longer a response"),
    ],
)
def test_phq9_status_in_words(cast, client, totals, status):
    history(cast, "phq9", *totals)
    text = panel(cast, client, "phq9")
    assert f"Status: {status}" in text
    assert f"Baseline: {totals[0]}" in text and f"Latest: {totals[-1]}" in text


def test_change_is_shown_in_points_and_percent(cast, client):
    history(cast, "phq9", 20, 9)
    assert "Change: -11 (55% lower)" in panel(cast, client, "phq9")


def test_a_higher_score_is_shown_as_higher(cast, client):
    history(cast, "gad7", 8, 10)
    text = panel(cast, client, "gad7")
    assert "Change: +2 (25% higher)" in text and "Status: No response yet" in text


def test_loss_of_response_proposes_a_booster(cast, client):
    history(cast, "phq9", 20, 8, 15, 16)
    text = panel(cast, client, "phq9")
    assert "Loss of response on" in text
    assert "Two scores in a row, at least 5 days apart, no longer show a response." in text
    assert BOOSTER_ADVICE in text


def test_pcl5_minimal_response_is_partial(cast, client):
    history(cast, "pcl5", 40, 33)
    assert "Status: Partial" in panel(cast, client, "pcl5")


def test_madrs_remission_follows_the_sites_setting(cast, client):
    history(cast, "madrs", 30, 12)
    assert "Status: Response" in panel(cast, client, "madrs")
    SiteSettings.objects.filter(site=cast.site).update(madrs_remission_at_or_below=12)
    assert "Status: Remission" in panel(cast, client, "madrs")


def test_before_the_first_dose_there_is_no_baseline(cast, client):
    add_score(cast.patient, "phq9", 14, days_ago(3), by=cast.prescriber)
    text = panel(cast, client, "phq9")
    assert "Baseline:" not in text and "Change:" not in text
    assert "no baseline yet" in text


def test_the_panel_agrees_with_the_trajectory_page(cast, client):
    history(cast, "phq9", 20, 8, 15, 16)
    login(client, cast.prescriber)
    chart = client.get(reverse("outcomes:trajectory", args=[cast.patient.pk, "phq9"]))
    assert chart.context["chart"].baseline.total == 20
    assert chart.context["chart"].relapse is not None
    assert "Baseline: 20" in panel(cast, client, "phq9")


@pytest.mark.parametrize("scores", [2, 14])
def test_the_chart_query_count_does_not_grow_with_scores(
    cast, client, django_assert_num_queries, scores
):
    history(cast, "phq9", *([18] + [9] * (scores - 1)))
    login(client, cast.prescriber)
    url = reverse("patients:chart", args=[cast.patient.pk])
    client.get(url)
    with django_assert_num_queries(CHART_QUERIES):
        body = client.get(url).content.decode()
    assert "Status: <span" in body


def test_a_long_history_lists_the_latest_scores_and_links_to_the_rest(cast, client):
    history(cast, "phq9", 20, *range(19, 9, -1))
    text = panel(cast, client, "phq9")
    assert "The latest 8 of 11: every PHQ-9 score over time" in text
    assert "Status: Response" in text and "Baseline: 20" in text
