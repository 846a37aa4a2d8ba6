"""Patient substring search on PostgreSQL at 10,000 and 40,000 patients, with plans.

    nice scripts/with-postgres python3 -m uv run --frozen python bench/search.py

Seeds the demo clinic to each size, then runs the patient list's own query (the
demo prescriber's roster, searched, ordered, first page of 25, plus its count)
with the trigram index and with it switched off (bitmap scans disabled), printing
median times and the EXPLAIN ANALYZE plan of each.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pgcluster import prepare_cluster  # noqa: E402

SIZES = (10000, 40000)
TERMS = ("mber", "son")  # rare and common substrings of demo family names
RUNS = 7
PRESCRIBER = "prescriber@demo.kapclinic.test"


def seed(patients: int) -> None:
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "seed_demo", "--patients", str(patients)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"seed_demo to {patients}: {time.perf_counter() - started:.0f} s", flush=True)


def measure(term: str, *, index: bool) -> None:
    from django.db import connection, transaction

    from kapclinic.accounts.models import User
    from kapclinic.patients.access import visible_patients
    from kapclinic.patients.search import search_patients

    user = User.objects.get(email=PRESCRIBER)
    times = []
    with transaction.atomic():
        if not index:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_bitmapscan = off")
        query = search_patients(visible_patients(user), term)
        page = query.order_by("family_name", "given_name", "id")[:25]
        for _ in range(RUNS):
            started = time.perf_counter()
            count = query.count()
            rows = list(page)
            times.append((time.perf_counter() - started) * 1000)
        label = "trigram index" if index else "no index    "
        print(
            f"  q={term!r:7} {label}: median {statistics.median(times):7.1f} ms "
            f"(count {count}, page {len(rows)})"
        )
        if os.environ.get("BENCH_PLANS", "1") == "1":
            for name, q in (("page", page), ("count", query)):
                plan = q.explain(analyze=True, buffers=True)
                print(f"    plan ({name}):")
                print("      " + plan.replace("\n", "\n      "))
        transaction.set_rollback(True)


def main() -> int:
    prepare_cluster()
    os.environ.update({"DEBUG": "false", "KAPCLINIC_PLAIN_STATIC": "true", "LOG_LEVEL": "ERROR"})
    os.environ["DJANGO_SETTINGS_MODULE"] = "kapclinic.settings"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    import django

    django.setup()
    from django.db import connection

    for size in SIZES:
        seed(size)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"\n{size} patients", flush=True)
        for term in TERMS:
            measure(term, index=True)
            measure(term, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
