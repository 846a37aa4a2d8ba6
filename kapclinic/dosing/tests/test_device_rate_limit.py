"""The monitors' endpoint limits each device token: a burst at once, then a steady
rate; over it, 429 with Retry-After and nothing stored; other tokens and people
typing readings in are not affected."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.accounts.actions import create_api_token
from kapclinic.api import api
from kapclinic.audit.models import AuditEvent
from kapclinic.dosing.device_api import DeviceRateLimit
from kapclinic.dosing.device_tokens import create_device_token
from kapclinic.dosing.models import DosingSession, SessionState, VitalReading
from kapclinic.dosing.tests.factories import make_session
from kapclinic.test import Cast

pytestmark = pytest.mark.django_db

NORMAL = {"systolic": 122, "diastolic": 78, "heart_rate": 72, "spo2": 98, "resp_rate": 14}


class FrozenClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def clock(settings, monkeypatch) -> FrozenClock:
    # One request a second on average, three at once; time stands still unless moved.
    settings.DEVICE_FEED_REQUESTS_PER_MINUTE = 60
    settings.DEVICE_FEED_BURST = 3
    frozen = FrozenClock()
    monkeypatch.setattr(DeviceRateLimit, "clock", staticmethod(frozen))
    return frozen


@pytest.fixture
def observing(cast: Cast) -> DosingSession:
    return make_session(cast, state=SessionState.OBSERVATION)


def _monitor(cast: Cast, label: str = "Chair 1 monitor") -> str:
    return create_device_token(actor=None, site_id=cast.site.pk, label=label)[1]


def _post(client: Client, session: DosingSession, token: str) -> Any:
    url = reverse("api:session_vitals", kwargs={"session_id": session.pk})
    body = {"taken_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(), **NORMAL}
    return client.post(
        url,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_a_burst_within_the_limit_is_stored(client, cast, observing):
    monitor = _monitor(cast)
    assert [_post(client, observing, monitor).status_code for _ in range(3)] == [201] * 3
    assert VitalReading.objects.filter(session=observing).count() == 3


def test_over_the_limit_is_429_with_retry_after_and_stores_nothing(client, cast, observing):
    monitor = _monitor(cast)
    for _ in range(3):
        assert _post(client, observing, monitor).status_code == 201
    readings = VitalReading.objects.count()
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    refused = _post(client, observing, monitor)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"
    assert "Too many requests from this monitor" in refused.json()["detail"]
    assert VitalReading.objects.count() == readings
    assert not AuditEvent.objects.filter(id__gt=last_event or 0, object_type="dosing.dosingsession")


def test_the_bucket_refills_at_the_steady_rate(client, cast, observing, clock):
    monitor = _monitor(cast)
    for _ in range(3):
        _post(client, observing, monitor)
    assert _post(client, observing, monitor).status_code == 429
    clock.now += 1.0  # one request a second
    assert _post(client, observing, monitor).status_code == 201
    assert _post(client, observing, monitor).status_code == 429
    clock.now += 60.0  # a quiet minute fills the bucket, never past the burst
    assert [_post(client, observing, monitor).status_code for _ in range(4)] == [
        201,
        201,
        201,
        429,
    ]


def test_another_monitor_is_not_held_back(client, cast, observing):
    first, second = _monitor(cast), _monitor(cast, "Chair 2 monitor")
    for _ in range(3):
        _post(client, observing, first)
    assert _post(client, observing, first).status_code == 429
    assert _post(client, observing, second).status_code == 201


def test_a_refused_token_uses_up_nothing(client, cast, observing):
    monitor = _monitor(cast)
    for _ in range(5):
        assert _post(client, observing, "kapdev_not-a-real-token").status_code == 401
    assert [_post(client, observing, monitor).status_code for _ in range(3)] == [201] * 3


def test_a_nurse_typing_readings_in_is_not_limited(client, cast, observing):
    api_token = create_api_token(actor=None, user=cast.nurse, name="tablet")[1]
    statuses = {_post(client, observing, api_token).status_code for _ in range(5)}
    assert statuses == {201}


def test_the_limit_is_in_the_operations_documented_answers():
    schema = api.get_openapi_schema()
    answers = schema["paths"]["/api/v1/sessions/{session_id}/vitals"]["post"]["responses"]
    assert 429 in answers
