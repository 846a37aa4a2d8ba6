"""Trajectory pages: the clinician's chart of one instrument and the patient's progress."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.outcomes.tests.history import (
    add_score,
    days_ago,
    dose,
    dosing_appointment,
    make_plan,
)
from kapclinic.test import login


def _history(cast, n_scores: int, *, doses: bool = True) -> None:
    """A responder: baseline 19, doses from 60 days ago, scores falling to 8."""
    by = cast.prescriber
    if doses:
        add_score(cast.patient, "phq9", 19, days_ago(70), by=by)
        plan = make_plan(cast.patient, by)
        for k in range(3):
            dose(plan, cast.nurse, days_ago(60 - 3 * k))
    for k in range(n_scores):
        add_score(cast.patient, "phq9", max(8, 17 - k), days_ago(55 - k), by=by)


def _url(cast, code: str = "phq9") -> str:
    return reverse("outcomes:trajectory", kwargs={"pk": cast.patient.pk, "code": code})


def test_clinician_sees_chart_summary_and_table(cast, client):
    _history(cast, 12)
    login(client, cast.prescriber)
    response = client.get(_url(cast))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "<title" in body and "<desc" in body
    assert body.count('class="dose"') == 3
    assert "Baseline" in body and "Response" in body and "Remission" in body
    assert "Yes, from" in body  # 9 is within 50% of 19
    assert body.count("<tr>") == 1 + 13  # header and every score
    assert AuditEvent.objects.filter(patient=cast.patient, detail__page="trajectory_phq9").exists()


def test_completed_dosing_visit_without_a_session_counts_as_a_dose(cast, client):
    add_score(cast.patient, "phq9", 19, days_ago(20), by=cast.prescriber)
    dosing_appointment(cast.patient, cast.nurse, days_ago(10))
    dosing_appointment(cast.patient, cast.nurse, days_ago(5), status="cancelled")
    add_score(cast.patient, "phq9", 9, days_ago(2), by=cast.prescriber)
    login(client, cast.prescriber)
    body = client.get(_url(cast)).content.decode()
    assert body.count('class="dose"') == 1 and "Yes, from" in body


def test_aborted_session_without_a_dose_is_not_marked(cast, client):
    plan = make_plan(cast.patient, cast.prescriber)
    dose(plan, cast.nurse, days_ago(10), state="aborted")
    add_score(cast.patient, "phq9", 12, days_ago(2), by=cast.prescriber)
    login(client, cast.prescriber)
    body = client.get(_url(cast)).content.decode()
    assert 'class="dose"' not in body and "None recorded yet" in body


def test_relapse_shows_the_booster_review(cast, client):
    by = cast.prescriber
    add_score(cast.patient, "phq9", 20, days_ago(60), by=by)
    dose(make_plan(cast.patient, by), cast.nurse, days_ago(50))
    add_score(cast.patient, "phq9", 6, days_ago(40), by=by)
    add_score(cast.patient, "phq9", 14, days_ago(20), by=by)
    add_score(cast.patient, "phq9", 15, days_ago(10), by=by)
    login(client, cast.prescriber)
    body = client.get(_url(cast)).content.decode()
    assert "Loss of response since" in body and "booster" in body


@pytest.mark.parametrize("code", ["nope", "cssrs_screen"])
def test_unknown_or_unscored_instrument_is_404(cast, client, code):
    login(client, cast.prescriber)
    assert client.get(_url(cast, code)).status_code == 404


def test_query_count_is_constant_as_scores_grow(cast, client, django_assert_num_queries):
    _history(cast, 3)
    login(client, cast.prescriber)
    client.get(_url(cast))  # warm the session and site caches
    with CaptureQueriesContext(connection) as few:
        client.get(_url(cast))
    _history(cast, 40, doses=False)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(_url(cast))
    # Sign-in and page chrome, access and its audit row, then scores, doses, the
    # site's MADRS setting and the other scales: one query each.
    assert len(few.captured_queries) == 15


def test_patient_sees_own_progress_in_plain_words(cast, client):
    _history(cast, 12)
    add_score(cast.patient, "madrs", 30, days_ago(1), by=cast.prescriber)
    login(client, cast.patient_user)
    response = client.get(reverse("outcomes:my_progress"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Your PHQ-9 score has fallen from 19 to 8 since you started." in body
    assert "MADRS" not in body  # clinician ratings stay on the care team's chart
    assert "Reliably" not in body  # no clinical jargon for the patient


def test_patient_progress_query_count_is_constant(cast, client, django_assert_num_queries):
    _history(cast, 3)
    login(client, cast.patient_user)
    url = reverse("outcomes:my_progress")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _history(cast, 30, doses=False)
    add_score(cast.patient, "gad7", 12, days_ago(3), by=cast.prescriber)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)
    assert len(few.captured_queries) == 12
