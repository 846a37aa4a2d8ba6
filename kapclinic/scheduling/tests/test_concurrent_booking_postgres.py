"""Many clients booking the same slot at once through the API: exactly one wins.

Each thread has its own database connection, as separate app servers would, so the
availability check can pass in several at once; the exclusion constraints must
refuse every insert but one. SQLite's in-memory test database cannot be shared
between threads reliably (see kapclinic/audit/tests/test_concurrent_chain.py), and
SQLite serialises writers anyway, so this runs on PostgreSQL only.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from kapclinic.accounts.actions import create_api_token
from kapclinic.scheduling.models import Appointment
from kapclinic.scheduling.tests.conftest import MONDAY, build_schedule
from kapclinic.test import build_cast

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
)

ATTEMPTS = 24


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_slot_give_one_201_and_the_rest_409() -> None:
    schedule = build_schedule(build_cast())
    _, token = create_api_token(actor=None, user=schedule.cast.front_desk, name="race")
    headers = {"Authorization": f"Bearer {token}"}
    query = {"type": "dosing_im", "from": str(MONDAY), "to": str(MONDAY)}
    slot = Client().get("/api/v1/availability", query, headers=headers).json()["slots"][0]
    body = {**slot, "patient": schedule.cast.patient.pk}
    start = threading.Barrier(ATTEMPTS)
    results: list[tuple[int, dict[str, str]]] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            client = Client()
            start.wait()
            response = client.post(
                "/api/v1/appointments", body, content_type="application/json", headers=headers
            )
            results.append((response.status_code, response.json()))
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (ATTEMPTS - 1)
    for status, answer in results:
        if status == 409:
            assert "booked" in answer["detail"], answer
    assert Appointment.objects.count() == 1
