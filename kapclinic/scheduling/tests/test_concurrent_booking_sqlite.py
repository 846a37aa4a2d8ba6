"""Many clients booking one slot at once on SQLite: one 201, the rest 409.

SQLite has no exclusion constraint; the booking transaction begins IMMEDIATE (the
project's setting), taking the write lock before the availability check, so
bookings run one after the other and each sees the ones before. This runs the race
on a real SQLite file in a child process (sqlite_race.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")


def test_concurrent_bookings_on_sqlite_give_one_201_and_the_rest_409(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kapclinic.scheduling.tests.sqlite_race", str(tmp_path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    statuses = sorted(status for status, _ in outcome["results"])
    assert statuses == [201] + [409] * (len(statuses) - 1) and len(statuses) == 20
    assert all("booked" in detail for status, detail in outcome["results"] if status == 409)
    assert outcome["appointments"] == 1
