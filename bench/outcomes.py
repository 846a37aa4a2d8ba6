"""Benchmark: clinic analytics and one patient's trajectory over a year of scores.

    uv run python bench/outcomes.py                       # SQLite, 10,000 patients
    nice scripts/with-postgres python3 -m uv run --frozen python bench/outcomes.py --db postgres

Seeds the demo clinic (`seed_demo --patients N`), then gives every patient a year of
weekly PHQ-9 scores (and GAD-7 for some) around a course of dosing visits
(`outcomes.analytics_demo`, everyone=True), and times, as the demo prescriber
through django.test.Client: the analytics page (cohorts by indication and by
quarter) and the PHQ-9 trajectory of the patient with the most scores on their care
team. Targets (issue 11): analytics under 200 ms, trajectory under 50 ms on
PostgreSQL. Prints median and 95th percentile wall time and the median CPU time of
this process (the machine is shared, so wall time is noisy) and, on PostgreSQL, the
mean CPU time of the database server process serving it (read from /proc, so only
when the server runs on this machine; the kernel counts it in 10 ms ticks).

Analytics reads the per-patient outcome summary; the summary is rebuilt once after
the bulk-loaded histories (timed), and the cost it adds to storing one
questionnaire (`outcomes.actions.submit`, rolled back each time) is measured as
the time of `refresh_summary` for the busiest patient, beside the whole submit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import configure_database, signed_in_client  # noqa: E402

PRESCRIBER = "prescriber@demo.kapclinic.test"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--patients", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    return parser.parse_args()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def server_cpu_ms() -> float | None:
    """CPU time so far of the PostgreSQL process serving this connection, if local."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return 1000 * ticks / os.sysconf("SC_CLK_TCK")


def timed(run: Any, runs: int) -> tuple[list[float], list[float], float | None, int]:
    """Wall and process CPU ms of each run, mean server CPU ms, queries of the last."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wall: list[float] = []
    cpu: list[float] = []
    queries = 0
    server_before = server_cpu_ms()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started, started_cpu = time.perf_counter(), time.process_time()
            run()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries = len(ctx.captured_queries)
    server_after = server_cpu_ms()
    server = None
    if server_before is not None and server_after is not None:
        server = (server_after - server_before) / runs
    return wall, cpu, server, queries


def line(name: str, wall: list[float], cpu: list[float], server: float | None, n: int) -> str:
    db_cpu = f"{server:8.1f}" if server is not None else f"{'-':>8}"
    return (
        f"{name:<34} {statistics.median(wall):9.1f} {p95(wall):8.1f} "
        f"{statistics.median(cpu):8.1f} {db_cpu} {n:8d}"
    )


def measure(client: Any, name: str, url: str, runs: int) -> str:
    warm = client.get(url)
    if warm.status_code != 200:
        return f"{name:<34} status {warm.status_code}"
    return line(name, *timed(lambda: client.get(url), runs))


def measure_submit(patient_pk: int, runs: int) -> list[str]:
    """Storing one PHQ-9 for the busiest patient, and the summary refresh within it."""
    from django.db import transaction

    from kapclinic.accounts.models import User
    from kapclinic.outcomes.actions import submit
    from kapclinic.outcomes.summary import refresh_summary
    from kapclinic.patients.models import Patient

    prescriber = User.objects.get(email=PRESCRIBER)
    patient = Patient.objects.get(pk=patient_pk)

    def store() -> None:
        with transaction.atomic():
            submit(actor=prescriber, patient=patient, instrument="phq9", answers=[1] * 8 + [0])
            transaction.set_rollback(True)

    def refresh() -> None:
        with transaction.atomic():
            refresh_summary([patient_pk])
            transaction.set_rollback(True)

    return [
        line("store one PHQ-9 (submit)", *timed(store, runs)),
        line("  of which refresh_summary", *timed(refresh, runs)),
    ]


def main() -> int:
    args = parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="kapclinic-bench-outcomes-"))
    try:
        configure_database(args.db, var_dir)
        from django.core.management import call_command
        from django.db import connection
        from django.db.models import Count
        from django.test.utils import setup_test_environment
        from django.urls import reverse

        from kapclinic.accounts.models import User
        from kapclinic.outcomes.analytics_demo import build_demo_histories
        from kapclinic.outcomes.models import OutcomeSummary, QuestionnaireResponse
        from kapclinic.outcomes.summary import refresh_summary
        from kapclinic.patients.models import Patient

        setup_test_environment()
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("seed_demo", patients=args.patients, quiet=True, verbosity=0)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        extra = build_demo_histories(seed=1, everyone=True)
        histories = time.perf_counter() - started
        started = time.perf_counter()
        refresh_summary(None)  # the histories were bulk-loaded, not through submit
        rebuilt = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        scores = QuestionnaireResponse.objects.count()
        prescriber = User.objects.get(email=PRESCRIBER)
        busiest = (
            Patient.objects.filter(care_team__user=prescriber, responses__instrument="phq9")
            .annotate(n=Count("responses"))
            .order_by("-n", "pk")
            .values_list("pk", "n")
            .first()
        )
        assert busiest is not None, "no patient with scores on the prescriber's care team"
        client = signed_in_client(PRESCRIBER)
        print()
        print(
            f"outcomes benchmark on {connection.vendor}: {Patient.objects.count()} patients, "
            f"{scores} scores; seed_demo {seeded:.0f} s, year of scores for "
            f"{extra.patients} more patients {histories:.0f} s; outcome summary "
            f"({OutcomeSummary.objects.count()} rows) rebuilt in {rebuilt:.1f} s; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        print(
            f"{'page':<34} {'median ms':>9} {'p95 ms':>8} {'cpu ms':>8} {'db cpu':>8} "
            f"{'queries':>8}"
        )
        pages = [
            ("analytics, PHQ-9 by indication", f"{reverse('outcomes:analytics')}?by=indication"),
            ("analytics, PHQ-9 by quarter", f"{reverse('outcomes:analytics')}?by=period"),
            (
                "analytics, GAD-7 by route",
                f"{reverse('outcomes:analytics')}?by=route&instrument=gad7",
            ),
            (
                f"trajectory, PHQ-9 ({busiest[1]} scores)",
                reverse("outcomes:trajectory", kwargs={"pk": busiest[0], "code": "phq9"}),
            ),
        ]
        for name, url in pages:
            print(measure(client, name, url, args.runs), flush=True)
        for text in measure_submit(busiest[0], args.runs):
            print(text, flush=True)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        return 0
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
