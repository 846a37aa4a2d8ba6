"""Many visitors booking the same slot at once through the public page: one wins.

Each thread has its own database connection, as separate app servers would; the
exclusion constraints refuse every booking but one, and the others see the kind
"taken" answer with the next free times. PostgreSQL only, like the API race test.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import Appointment
from kapclinic.scheduling.public_forms import slot_value
from kapclinic.scheduling.slots import Slot
from kapclinic.scheduling.tests.conftest import MONDAY, at, build_schedule
from kapclinic.test import build_cast

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
)

ATTEMPTS = 24


@pytest.mark.django_db(transaction=True)
def test_concurrent_public_bookings_of_one_slot_give_one_booking() -> None:
    schedule = build_schedule(build_cast())
    start_at = at(MONDAY, 9)
    value = slot_value(
        Slot(start_at, start_at, schedule.cast.prescriber.pk, schedule.consulting_room.pk, None)
    )
    patients_before = Patient.objects.count()
    gate = threading.Barrier(ATTEMPTS)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def attempt(n: int) -> None:
        try:
            client = Client()
            data = {
                "service": str(schedule.consultation.pk),
                "slot": value,
                "given_name": f"Visitor{n}",
                "family_name": "Race",
                "birth_date": "1980-01-01",
                "email": f"visitor{n}@example.org",
                "phone": "(312) 555-0199",
                "reason": "Booking at the same moment as others.",
                **{f"q_{k}": "no" for k in ("pregnant", "psychosis", "blood_pressure")},
                **{f"q_{k}": "no" for k in ("heart", "substance")},
            }
            gate.wait()
            response = client.post("/book/", data, REMOTE_ADDR=f"198.51.100.{n}")
            results.append((response.status_code, response.content.decode()))
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (ATTEMPTS - 1) + [302]
    for status, body in results:
        if status == 200:
            assert "someone else has just booked that time" in body
    assert Appointment.objects.count() == 1
    # The losers' patient records were rolled back with their bookings.
    assert Patient.objects.count() == patients_before + 1
