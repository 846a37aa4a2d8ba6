"""Run by test_concurrent_booking_sqlite.py in a child process: many threads book one
slot on a fresh SQLite file, each thread with its own connection, as on a real
installation. Prints the JSON list of (status, detail) answers.

A child process, because the test suite's SQLite database is in memory, and the
race needs a file that several connections open with the project's settings
(IMMEDIATE transactions, WAL).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

ATTEMPTS = 20


def main(directory: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(directory) / 'race.sqlite3'}"
    os.environ["KAPCLINIC_VAR_DIR"] = directory
    os.environ["DJANGO_SETTINGS_MODULE"] = "kapclinic.settings"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["LOG_LEVEL"] = "CRITICAL"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import setup_test_environment

    from kapclinic.accounts.actions import create_api_token
    from kapclinic.scheduling.tests.conftest import MONDAY, build_schedule
    from kapclinic.test import build_cast

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    schedule = build_schedule(build_cast())
    _, token = create_api_token(actor=None, user=schedule.cast.front_desk, name="race")
    headers = {"Authorization": f"Bearer {token}"}
    query = {"type": "dosing_im", "from": str(MONDAY), "to": str(MONDAY)}
    slot = Client().get("/api/v1/availability", query, headers=headers).json()["slots"][0]
    body = {**slot, "patient": schedule.cast.patient.pk}
    connections.close_all()
    start = threading.Barrier(ATTEMPTS)
    results: list[tuple[int, str]] = []

    def attempt() -> None:
        try:
            client = Client()
            start.wait()
            response = client.post(
                "/api/v1/appointments", body, content_type="application/json", headers=headers
            )
            results.append((response.status_code, response.json().get("detail", "")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    from kapclinic.scheduling.models import Appointment

    print(json.dumps({"results": results, "appointments": Appointment.objects.count()}))


if __name__ == "__main__":
    main(sys.argv[1])
