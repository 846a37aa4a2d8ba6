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
this process (the machine is shared, so wall time is noisy; on PostgreSQL the
database server's CPU is not in it).
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

from run import configure_environment, signed_in_client  # noqa: E402

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


def measure(client: Any, name: str, url: str, runs: int) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    warm = client.get(url)
    if warm.status_code != 200:
        return f"{name:<34} status {warm.status_code}"
    wall: list[float] = []
    cpu: list[float] = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries = len(ctx.captured_queries)
    return (
        f"{name:<34} {statistics.median(wall):9.1f} {p95(wall):8.1f} "
        f"{statistics.median(cpu):8.1f} {queries:8d}"
    )


def main() -> int:
    args = parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="kapclinic-bench-outcomes-"))
    try:
        if args.db == "postgres":
            from pgcluster import prepare_cluster

            prepare_cluster()
            url = os.environ["DATABASE_URL"]
            configure_environment(var_dir)
            os.environ["DATABASE_URL"] = url
        else:
            configure_environment(var_dir)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.db.models import Count
        from django.test.utils import setup_test_environment
        from django.urls import reverse

        from kapclinic.accounts.models import User
        from kapclinic.outcomes.analytics_demo import build_demo_histories
        from kapclinic.outcomes.models import QuestionnaireResponse
        from kapclinic.patients.models import Patient

        setup_test_environment()
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("seed_demo", patients=args.patients, quiet=True, verbosity=0)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        extra = build_demo_histories(seed=1, everyone=True)
        histories = time.perf_counter() - started
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
            f"{extra.patients} more patients {histories:.0f} s"
        )
        print(f"{'page':<34} {'median ms':>9} {'p95 ms':>8} {'cpu ms':>8} {'queries':>8}")
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
        return 0
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
