"""Benchmark: what one poll of the dosing board costs as the day's readings pile up.

    python3 -m uv run --frozen python bench/board.py                      # SQLite
    nice scripts/with-postgres python3 -m uv run --frozen python bench/board.py --db postgres

Makes one site with `--chairs` sessions in observation (dosed 100 minutes ago, the
IV schedule), then for each count in `--readings` (readings per chair, spread over
the session as a monitor posting every few seconds leaves them) times, as a signed-in
nurse through django.test.Client, the board fragment the page polls
(`/dosing/live/?site=...`): a full answer (the page's version differs) and an
unchanged one (the page sends the version it shows: 204). Prints the median and 95th
percentile wall time and the median CPU time of this process (the machine may be
shared, so CPU is the steadier figure). See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import configure_database, signed_in_client  # noqa: E402


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--chairs", type=int, default=4, help="occupied chairs (<= 12)")
    p.add_argument(
        "--readings", default="0,500,5000", help="readings per chair, comma-separated (<= 20000)"
    )
    p.add_argument("--runs", type=int, default=40, help="polls timed per case (<= 500)")
    args = p.parse_args()
    counts = [int(n) for n in args.readings.split(",") if n.strip()]
    if not 1 <= args.chairs <= 12 or not 1 <= args.runs <= 500:
        p.error("--chairs 1-12 and --runs 1-500")
    if not counts or any(not 0 <= n <= 20000 for n in counts):
        p.error("--readings: counts from 0 to 20000")
    args.counts = sorted(counts)
    return args


def timed(get: object, runs: int) -> tuple[float, float, float]:
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        get()  # type: ignore[operator]
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    walls.sort()
    return statistics.median(walls), walls[int(len(walls) * 0.95) - 1], statistics.median(cpus)


def main() -> int:
    args = parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="kapclinic-bench-board-"))
    try:
        configure_database(args.db, var_dir)
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import setup_test_environment
        from django.urls import reverse
        from django.utils import timezone

        from kapclinic.dosing.models import DosingSession, SessionState, VitalReading
        from kapclinic.dosing.tests.factories import make_session
        from kapclinic.test import build_cast

        setup_test_environment()
        call_command("migrate", verbosity=0)
        cast = build_cast()
        first_dose = timezone.now() - dt.timedelta(minutes=100)
        sessions = [make_session(cast, state=SessionState.OBSERVATION) for _ in range(args.chairs)]
        DosingSession.objects.filter(pk__in=[s.pk for s in sessions]).update(
            first_dose_at=first_dose
        )
        client = signed_in_client(cast.nurse.email)
        live = f"{reverse('dosing:board_live')}?site={cast.site.pk}"
        client.get(live)  # the first poll is audited; the timed ones are not

        print(
            f"board poll on {connection.vendor}, {args.chairs} chairs in observation, "
            f"{args.runs} polls per case"
        )
        print("| readings per chair | answer | median ms | p95 ms | CPU median ms |")
        print("|---|---|---|---|---|")
        have = 0
        normal = {"systolic": 122, "diastolic": 78, "heart_rate": 72, "spo2": 98}
        for count in args.counts:
            # Spread over the 100 minutes since the dose, as a monitor leaves them.
            step = dt.timedelta(minutes=100) / max(count, 1)
            VitalReading.objects.bulk_create(
                [
                    VitalReading(
                        session=s, taken_at=first_dose + step * n, source="device", **normal
                    )
                    for s in sessions
                    for n in range(have, count)
                ],
                batch_size=2000,
            )
            have = max(have, count)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE dosing_vitalreading")
            body = client.get(live).content.decode()
            found = re.search(r'"X-Board-Version": "([0-9a-f]+)"', body)
            assert found, "the board carries its version"
            version = found.group(1)
            unchanged = client.get(live, headers={"X-Board-Version": version})
            assert unchanged.status_code == 204, unchanged.status_code
            cases = (
                ("full board", lambda: client.get(live)),
                (
                    "unchanged (204)",
                    lambda v=version: client.get(live, headers={"X-Board-Version": v}),
                ),
            )
            for label, get in cases:
                if os.environ.get("BENCH_PROFILE") and count == args.counts[-1]:
                    import cProfile

                    cProfile.runctx("get()", globals(), {"get": get}, sort="cumulative")
                median, p95, cpu = timed(get, args.runs)
                print(f"| {count:,} | {label} | {median:.1f} | {p95:.1f} | {cpu:.1f} |")
        print(f"load average (1 min) on {os.cpu_count()} CPUs: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
