"""The safety panel and its forms: who sees them, what they show, what they write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent
from kapclinic.clinics.models import SiteSettings
from kapclinic.outcomes.safety.models import BladderCheck, MisuseSignal
from kapclinic.outcomes.tests.history import days_ago, dose, make_plan
from kapclinic.test import login


def _url(cast, name: str = "outcomes:safety") -> str:
    return reverse(name, kwargs={"pk": cast.patient.pk})


def _course(cast, n: int, *, start_days: int = 120, mg: str = "35") -> None:
    plan = make_plan(cast.patient, cast.prescriber)
    for k in range(n):
        dose(plan, cast.nurse, days_ago(start_days - 7 * k), mg=mg, vitals=((124, 78), (150, 92)))


def test_prescriber_sees_cumulative_dose_and_sessions(cast, client):
    _course(cast, 4)
    login(client, cast.prescriber)
    response = client.get(_url(cast))
    body = response.content.decode()
    assert response.status_code == 200
    assert "140 mg</strong> in total" in body
    assert body.count("124/78") == 4 and body.count("150/92") == 4
    assert AuditEvent.objects.filter(patient=cast.patient, detail__page="safety").exists()


def test_dose_above_the_order_and_misuse_are_flagged(cast, client):
    _course(cast, 2, mg="50")
    MisuseSignal.objects.create(
        patient=cast.patient,
        kind="early_dose",
        noted_on=timezone.localdate() - dt.timedelta(days=2),
        recorded_by=cast.prescriber,
    )
    login(client, cast.prescriber)
    body = client.get(_url(cast)).content.decode()
    assert "above the 35 mg ordered" in body
    assert "Asked for a dose earlier than planned" in body


@pytest.mark.parametrize("who", ["nurse", "therapist", "front_desk", "admin", "patient_user"])
def test_only_the_prescriber_sees_the_panel(cast, client, who):
    login(client, getattr(cast, who))
    assert client.get(_url(cast)).status_code == 404


def test_query_count_is_constant_as_sessions_grow(cast, client, django_assert_num_queries):
    _course(cast, 2)
    login(client, cast.prescriber)
    client.get(_url(cast))
    with CaptureQueriesContext(connection) as few:
        client.get(_url(cast))
    _course(cast, 10, start_days=100)
    BladderCheck.objects.create(
        patient=cast.patient,
        checked_on=timezone.localdate(),
        urgency=True,
        frequency=False,
        pain=False,
        blood=False,
        recorded_by=cast.prescriber,
    )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(_url(cast))
    assert len(few.captured_queries) == 16


def test_bladder_check_is_saved_audited_and_flagged(cast, client):
    _course(cast, 1, start_days=10)
    login(client, cast.prescriber)
    today = timezone.localdate().isoformat()
    response = client.post(
        _url(cast, "outcomes:bladder_check"), {"checked_on": today, "blood": "on"}
    )
    assert response.status_code == 302
    check = BladderCheck.objects.get(patient=cast.patient)
    assert check.blood and not check.urgency
    assert AuditEvent.objects.filter(object_type="safety.bladdercheck", action="create").exists()
    body = client.get(_url(cast)).content.decode()
    assert "Urgent, bladder" in body and "blood in the urine" in body


def test_a_future_date_is_a_form_error_and_saves_nothing(cast, client):
    login(client, cast.prescriber)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        _url(cast, "outcomes:misuse_signal"), {"kind": "positive_test", "noted_on": future}
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not MisuseSignal.objects.exists()


def test_a_nurse_cannot_record_a_signal(cast, client):
    login(client, cast.nurse)
    response = client.post(
        _url(cast, "outcomes:misuse_signal"),
        {"kind": "positive_test", "noted_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404 and not MisuseSignal.objects.exists()


def _ask_early(cast, days_back: int) -> None:
    MisuseSignal.objects.create(
        patient=cast.patient,
        kind="early_dose",
        noted_on=timezone.localdate() - dt.timedelta(days=days_back),
        recorded_by=cast.prescriber,
    )


def test_the_panel_uses_the_patients_site_thresholds(cast, client):
    _ask_early(cast, 2)
    _ask_early(cast, 20)
    pattern = "2 requests for early or extra doses in 90 days."
    login(client, cast.prescriber)
    assert pattern in client.get(_url(cast)).content.decode()
    # Another site's setting changes nothing here; the patient's own site's does.
    SiteSettings.objects.filter(site=cast.other_site).update(safety_request_pattern_count=3)
    assert pattern in client.get(_url(cast)).content.decode()
    SiteSettings.objects.filter(site=cast.site).update(
        safety_request_pattern_count=3, safety_request_pattern_days=30
    )
    body = client.get(_url(cast)).content.decode()
    assert "requests for early or extra doses" not in body
    _ask_early(cast, 30)
    assert (
        "3 requests for early or extra doses in 30 days." in client.get(_url(cast)).content.decode()
    )


def test_the_being_dosed_window_is_the_sites_setting(cast, client):
    # Last dose 60 days ago, no bladder check ever: inside the default 90-day window.
    _course(cast, 1, start_days=60)
    login(client, cast.prescriber)
    due = "The monthly bladder check is due."
    assert due in client.get(_url(cast)).content.decode()
    SiteSettings.objects.filter(site=cast.site).update(safety_dosing_window_days=45)
    assert due not in client.get(_url(cast)).content.decode()
