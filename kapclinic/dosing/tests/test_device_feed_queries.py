"""A monitor's request costs the same number of queries however many readings it
carries: the batch is checked in Python and stored with one insert per table."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.dosing.device_tokens import create_device_token
from kapclinic.dosing.models import DosingSession, SessionAlert, SessionState, VitalReading
from kapclinic.dosing.tests.factories import make_session
from kapclinic.test import Cast

pytestmark = pytest.mark.django_db

NORMAL = {"systolic": 122, "diastolic": 78, "heart_rate": 72, "spo2": 98, "resp_rate": 14}
# Token; session; [savepoint] the session's state under lock with the site's
# thresholds; its baseline; the readings; the audit row (savepoint, chain head,
# event, head update, release) [release]. The brackets are the test's transaction.
QUERIES = 12


@pytest.fixture
def feed(cast: Cast) -> tuple[DosingSession, str]:
    session = make_session(cast, state=SessionState.OBSERVATION)
    return session, create_device_token(actor=None, site_id=cast.site.pk, label="Chair 1")[1]


def _post(client: Client, feed: tuple[DosingSession, str], readings: list[dict[str, Any]]) -> Any:
    session, token = feed
    return client.post(
        reverse("api:session_vitals", kwargs={"session_id": session.pk}),
        json.dumps({"readings": readings}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _batch(size: int, **vitals: int) -> list[dict[str, Any]]:
    at = timezone.now() - dt.timedelta(minutes=10)
    return [
        {"taken_at": (at + dt.timedelta(seconds=i)).isoformat(), **NORMAL, **vitals}
        for i in range(size)
    ]


@pytest.mark.parametrize("size", [1, 50, 500])
def test_a_batch_costs_the_same_queries_whatever_its_size(
    client, feed, size, django_assert_num_queries
):
    if size > connection.ops.bulk_batch_size(["id"] * 13, [None] * size):
        # Django splits an insert past SQLite's 999 parameters (about 76 readings).
        pytest.skip("this database inserts a batch this big in several statements")
    _post(client, feed, _batch(1))  # the token's last use is written once, not per request
    with django_assert_num_queries(QUERIES):
        response = _post(client, feed, _batch(size))
    assert response.status_code == 201
    assert VitalReading.objects.filter(session=feed[0]).count() == size + 1


@pytest.mark.parametrize("size", [1, 50])
def test_alerts_add_one_insert_however_many(client, feed, size, django_assert_num_queries):
    _post(client, feed, _batch(1))
    with django_assert_num_queries(QUERIES + 1):
        response = _post(client, feed, _batch(size, spo2=85))
    assert response.status_code == 201
    assert SessionAlert.objects.filter(session=feed[0], level="urgent").count() == size
