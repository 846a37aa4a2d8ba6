"""The device feed: monitors' tokens (site- and endpoint-scoped), batches all or
nothing, field-named refusals, site isolation, state gating, and people's access."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.accounts.actions import create_api_token
from kapclinic.audit.models import AuditEvent
from kapclinic.dosing.device_tokens import (
    DeviceToken,
    create_device_token,
    digest,
    revoke_device_token,
)
from kapclinic.dosing.models import DosingSession, SessionAlert, SessionState, VitalReading
from kapclinic.dosing.tests.factories import make_session
from kapclinic.test import Cast, login

pytestmark = pytest.mark.django_db

NORMAL = {"systolic": 122, "diastolic": 78, "heart_rate": 72, "spo2": 98, "resp_rate": 14}


def _at(minutes_ago: int = 1) -> str:
    return (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat()


def _url(session: DosingSession | int) -> str:
    pk = session if isinstance(session, int) else session.pk
    return reverse("api:session_vitals", kwargs={"session_id": pk})


def _post(client: Client, url: str, body: Any, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def monitor(cast: Cast) -> str:
    return create_device_token(actor=None, site_id=cast.site.pk, label="Chair 1 monitor")[1]


@pytest.fixture
def observing(cast: Cast) -> DosingSession:
    return make_session(cast, state=SessionState.OBSERVATION)


def test_the_command_prints_the_token_alone_on_its_last_line_and_stores_a_hash(cast):
    out = StringIO()
    call_command("create_device_token", "Site A", "Chair 2 monitor", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert token.startswith("kapdev_") and " " not in token
    stored = DeviceToken.objects.get(label="Chair 2 monitor")
    assert stored.site == cast.site
    assert stored.token_hash == digest(token) and token not in stored.prefix + stored.label
    assert AuditEvent.objects.filter(object_type="dosing.devicetoken", action="create").exists()


def test_the_command_refuses_an_unknown_site(cast):
    with pytest.raises(Exception, match="No active site"):
        call_command("create_device_token", "Nowhere", "Monitor", stdout=StringIO())
    assert not DeviceToken.objects.exists()


def test_a_monitor_posts_one_reading(client, cast, monitor, observing):
    response = _post(client, _url(observing), {"taken_at": _at(), **NORMAL}, monitor)
    assert response.status_code == 201, response.content
    body = response.json()
    reading = VitalReading.objects.get(pk=body["readings"][0])
    assert reading.source == VitalReading.Source.DEVICE and reading.recorded_by is None
    assert reading.spo2 == 98 and body["alerts"] == []
    event = AuditEvent.objects.filter(object_type="dosing.dosingsession").latest("id")
    assert event.actor is None and event.detail["device"] == "Chair 1 monitor"


def test_a_batch_returns_ids_in_order_and_the_alerts_raised(client, cast, monitor, observing):
    batch = [
        {"taken_at": _at(3), **NORMAL},
        {"taken_at": _at(2), **NORMAL, "spo2": 88},
        {"taken_at": _at(1), **NORMAL},
    ]
    response = _post(client, _url(observing), {"readings": batch}, monitor)
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["readings"]) == 3
    assert body["readings"] == sorted(body["readings"])
    assert [(a["reading"], a["level"], a["rule"]) for a in body["alerts"]] == [
        (body["readings"][1], "urgent", "spo2")
    ]
    assert SessionAlert.objects.filter(session=observing, level="urgent").count() == 1


def test_an_impossible_value_refuses_the_whole_batch_naming_the_field(
    client, cast, monitor, observing
):
    batch = [{"taken_at": _at(3), **NORMAL}] * 2 + [{"taken_at": _at(1), **NORMAL, "spo2": 140}]
    before = (VitalReading.objects.count(), SessionAlert.objects.count())
    response = _post(client, _url(observing), {"readings": batch}, monitor)
    assert response.status_code == 400
    assert response.json()["field"] == "readings[2].spo2"
    assert "readings[2].spo2" in response.json()["detail"]
    assert (VitalReading.objects.count(), SessionAlert.objects.count()) == before


def test_a_single_reading_names_its_field_alone(client, cast, monitor, observing):
    response = _post(client, _url(observing), {"taken_at": _at(), "diastolic": 5}, monitor)
    assert response.status_code == 400
    assert response.json()["field"] == "diastolic"


@pytest.mark.parametrize(
    "body",
    [
        {**NORMAL},  # no time
        {"taken_at": "2026-01-01T10:00:00", **NORMAL},  # no offset
        {"taken_at": _at(), "symptoms": ["hiccups"]},
        {"readings": []},
        {"readings": [{"taken_at": _at(), **NORMAL}], "spo2": 97},
        {"taken_at": (timezone.now() + dt.timedelta(hours=1)).isoformat(), **NORMAL},
    ],
)
def test_bad_bodies_are_a_400_and_store_nothing(client, cast, monitor, observing, body):
    response = _post(client, _url(observing), body, monitor)
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert not VitalReading.objects.exists()


def test_a_session_at_another_site_is_not_found_for_a_monitor(client, cast, observing):
    elsewhere = create_device_token(actor=None, site_id=cast.other_site.pk, label="B monitor")[1]
    response = _post(client, _url(observing), {"taken_at": _at(), **NORMAL}, elsewhere)
    assert response.status_code == 404
    assert not VitalReading.objects.exists()


def test_an_unknown_session_is_not_found(client, monitor, observing):
    response = _post(client, _url(observing.pk + 1000), {"taken_at": _at(), **NORMAL}, monitor)
    assert response.status_code == 404


@pytest.mark.parametrize("state", [SessionState.SCHEDULED, SessionState.DISCHARGED])
def test_a_session_not_taking_readings_is_a_409_with_the_reason(client, cast, monitor, state):
    session = make_session(cast, state=state)
    response = _post(client, _url(session), {"taken_at": _at(), **NORMAL}, monitor)
    assert response.status_code == 409
    assert "pre-dose checks and discharge" in response.json()["detail"]
    assert not VitalReading.objects.exists()


def test_a_revoked_or_unknown_token_is_401(client, cast, monitor, observing):
    revoke_device_token(actor=cast.admin, token=DeviceToken.objects.get())
    for token in (monitor, "kapdev_not-a-real-token"):
        response = _post(client, _url(observing), {"taken_at": _at(), **NORMAL}, token)
        assert response.status_code == 401
    assert not VitalReading.objects.exists()


def test_revoking_is_audited_once(cast, monitor):
    token = DeviceToken.objects.get()
    revoke_device_token(actor=cast.admin, token=token)
    revoke_device_token(actor=cast.admin, token=token)
    events = AuditEvent.objects.filter(object_type="dosing.devicetoken", action="update")
    assert [e.actor_id for e in events] == [cast.admin.pk]


def test_a_monitor_token_opens_no_other_endpoint(client, cast, monitor):
    for name in ("api:patient_list", "api:appointments", "api:openapi-json"):
        response = client.get(reverse(name), headers={"Authorization": f"Bearer {monitor}"})
        assert response.status_code == 401, name
    response = client.get(
        reverse("api:patient_detail", kwargs={"patient_id": cast.patient.pk}),
        headers={"Authorization": f"Bearer {monitor}"},
    )
    assert response.status_code == 401


def test_no_credentials_is_401(client, observing):
    response = _post(client, _url(observing), {"taken_at": _at(), **NORMAL})
    assert response.status_code == 401
    assert not VitalReading.objects.exists()


def test_a_care_team_nurses_api_token_records_under_her_name(client, cast, observing):
    token = create_api_token(actor=None, user=cast.nurse, name="tablet")[1]
    response = _post(client, _url(observing), {"taken_at": _at(), **NORMAL}, token)
    assert response.status_code == 201
    reading = VitalReading.objects.get()
    assert reading.source == VitalReading.Source.NURSE and reading.recorded_by == cast.nurse


@pytest.mark.parametrize("who", ["outsider", "front_desk", "therapist", "admin"])
def test_a_person_outside_the_clinical_record_gets_404(client, cast, observing, who):
    token = create_api_token(actor=None, user=getattr(cast, who), name="script")[1]
    response = _post(client, _url(observing), {"taken_at": _at(), **NORMAL}, token)
    assert response.status_code == 404
    assert cast.patient.family_name not in response.content.decode()
    assert not VitalReading.objects.exists()


def test_a_signed_in_session_needs_the_csrf_token(cast, observing):
    client = login(Client(enforce_csrf_checks=True), cast.nurse)
    response = _post(client, _url(observing), {"taken_at": _at(), **NORMAL})
    assert response.status_code == 403
    assert not VitalReading.objects.exists()


def test_get_is_refused(client, monitor, observing):
    response = client.get(_url(observing), headers={"Authorization": f"Bearer {monitor}"})
    assert response.status_code == 405
