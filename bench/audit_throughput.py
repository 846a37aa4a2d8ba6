"""Audit writes on PostgreSQL: throughput of parallel writers, and a held chain head.

    nice scripts/with-postgres python3 -m uv run --frozen python bench/audit_throughput.py

1. WRITERS threads call `record` for SECONDS each (one transaction per event, fsync
   on) and the events per second are printed; the run fails (exit 1) below
   MIN_EVENTS_PER_SECOND or if verify_audit does not pass afterwards.
2. Stall: another connection holds the chain head for HOLD seconds while writers
   go on. With the current design the slowest write is printed (it should stay in
   milliseconds); the same is then done with the former design (every writer
   waits for the head lock) for comparison.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pgcluster import prepare_cluster  # noqa: E402

WRITERS = 8
SECONDS = 10
HOLD = 3.0
# Deliberately low: the machine is shared and noisy; this catches a design that
# serialises badly (tens of events per second), not a slow day.
MIN_EVENTS_PER_SECOND = 50


def writers(write: Callable[[int], None], seconds: float) -> tuple[int, list[float]]:
    from django.db import connections

    stop_at = time.monotonic() + seconds
    latencies: list[float] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                write(n)
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies


def new_design(n: int) -> None:
    from kapclinic.audit.actions import record
    from kapclinic.audit.models import AuditAction

    record(actor=None, action=AuditAction.LIST, detail={"writer": n})


def former_design(n: int) -> None:
    """As before: every writer waits for the head row's lock until its commit."""
    from django.db import transaction

    from kapclinic.audit import seal

    with transaction.atomic():
        seal.wait_for_head()
        new_design(n)


def hold_head(seconds: float) -> threading.Thread:
    from django.db import connections

    def run() -> None:
        holder = connections.create_connection("default")
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute("SELECT * FROM audit_auditchainhead WHERE id = 1 FOR UPDATE")
        time.sleep(seconds)
        holder.rollback()
        holder.close()

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.2)
    return thread


def main() -> int:
    prepare_cluster()
    os.environ.update({"DEBUG": "false", "LOG_LEVEL": "ERROR", "DB_LOCK_TIMEOUT_MS": "10000"})
    os.environ["DJANGO_SETTINGS_MODULE"] = "kapclinic.settings"
    # Sealing tasks are queued, not run in the writers' threads: in production a
    # separate worker runs them. What is still pending is sealed at the end.
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    import django

    django.setup()
    from django.core.management import call_command

    from kapclinic.audit import seal

    new_design(0)  # the chain head exists from here on
    count, latencies = writers(new_design, SECONDS)
    rate = count / SECONDS
    print(
        f"{WRITERS} writers, {SECONDS} s: {count} events, {rate:.0f} events/s, "
        f"p50 {statistics.median(latencies):.1f} ms, max {max(latencies):.0f} ms"
    )
    failed = rate < MIN_EVENTS_PER_SECOND

    for name, write in (("current design", new_design), ("former design", former_design)):
        holder = hold_head(HOLD)
        count, latencies = writers(write, HOLD + 1)
        holder.join()
        print(
            f"head held {HOLD:.0f} s, {name}: {count} events, "
            f"p50 {statistics.median(latencies):.1f} ms, slowest {max(latencies):.0f} ms"
        )
    sealed = seal.seal_now(wait=True)
    print(f"sealed afterwards: {sealed} events written while the head was held")
    call_command("verify_audit")
    if failed:
        print(f"FAILED: below {MIN_EVENTS_PER_SECOND} events/s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
