"""Clinic analytics page and CSV export: who sees them, suppression, bad input, queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.outcomes import analytics
from kapclinic.outcomes.analytics_views import csv_rows
from kapclinic.outcomes.tests.test_analytics import _clinic
from kapclinic.test import login

URL = reverse("outcomes:analytics")
EXPORT = reverse("outcomes:analytics_export")


def test_prescriber_sees_rates_beside_the_benchmarks(cast, client):
    _clinic(cast)
    login(client, cast.prescriber)
    response = client.get(URL, {"instrument": "phq9", "by": "all"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "60.0%" in body  # 3 of 5 responded
    assert "62.8%" in body and "Hull 2022" in body


def test_a_small_cohort_shows_no_numbers(cast, client):
    _clinic(cast)
    login(client, cast.admin)
    body = client.get(URL, {"by": "route", "site": cast.other_site.pk}).content.decode()
    assert "No patients with a dose" in body
    body = client.get(URL, {"by": "route", "since": "2000-01-01"}).content.decode()
    assert "60.0%" in body


def test_export_is_formula_safe_suppressed_and_audited(cast, client):
    _clinic(cast)
    login(client, cast.prescriber)
    response = client.get(EXPORT, {"by": "protocol"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["cohort", "patients", "response_rate"]
    assert rows[1][:3] == ["IV ketamine", "5", "60.0%"]
    assert AuditEvent.objects.filter(action="export", object_type="outcomes.analytics").exists()
    small = analytics.Cohort("=HYPERLINK(1)", 2)
    assert csv_rows([small])[0][:2] == ["'=HYPERLINK(1)", "fewer than 5"]


@pytest.mark.parametrize(
    "params",
    [{"by": "nonsense"}, {"instrument": "cssrs_screen"}, {"since": "junk"}, {"site": "999999"}],
)
def test_bad_filters_are_a_form_error(cast, client, params):
    login(client, cast.prescriber)
    response = client.get(URL, params)
    assert response.status_code == 400 and "error" in response.content.decode().lower()
    assert client.get(EXPORT, params).status_code == 400


def test_dates_out_of_order_are_refused(cast, client):
    login(client, cast.prescriber)
    response = client.get(URL, {"since": "2026-05-01", "until": "2026-04-01"})
    assert response.status_code == 400
    assert "on or after the start date" in response.content.decode()


def test_a_prescriber_sees_only_their_sites(cast, client):
    login(client, cast.prescriber)
    body = client.get(URL).content.decode()
    assert cast.site.name in body and cast.other_site.name not in body


@pytest.mark.parametrize("who", ["nurse", "therapist", "front_desk", "patient_user"])
def test_others_get_404(cast, client, who):
    login(client, getattr(cast, who))
    assert client.get(URL).status_code == 404
    assert client.get(EXPORT).status_code == 404


def test_query_count_does_not_grow_with_patients(cast, client, django_assert_num_queries):
    _clinic(cast)
    login(client, cast.prescriber)
    params = {"by": "indication"}
    client.get(URL, params)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, params)
    _clinic(cast, extra=6)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(URL, params)
    # Sign-in, the user's sites (form choices and scope), then the one aggregate.
    assert len(few.captured_queries) == 6
