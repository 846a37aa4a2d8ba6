"""What SQLite's synchronous=FULL costs over NORMAL in WAL mode, per committed write.

    python3 -m uv run --frozen python bench/sqlite_sync.py

A throwaway SQLite file in a temporary directory on the same disk as the system's
temporary files (put TMPDIR on the clinic's data disk to measure that one). Each
write is one audited transaction (`record`), committed on its own, as a request's.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WRITES = 400


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(
            {
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                "KAPCLINIC_VAR_DIR": tmp,
                "DEBUG": "false",
                "LOG_LEVEL": "ERROR",
                "DJANGO_SETTINGS_MODULE": "kapclinic.settings",
            }
        )
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        import django

        django.setup()
        from django.db import connection

        from kapclinic.audit.actions import record
        from kapclinic.audit.models import AuditAction

        results: dict[str, list[float]] = {}
        for mode in ("NORMAL", "FULL", "NORMAL", "FULL"):  # twice each: the disk is shared
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous={mode}")
            times = []
            for i in range(WRITES):
                started = time.perf_counter()
                record(actor=None, action=AuditAction.LIST, detail={"i": i})
                times.append((time.perf_counter() - started) * 1000)
            results.setdefault(mode, []).extend(times)
        for mode, times in results.items():
            print(
                f"synchronous={mode:6}: median {statistics.median(times):.2f} ms, "
                f"p95 {statistics.quantiles(times, n=20)[18]:.2f} ms per committed write "
                f"({len(times)} writes)"
            )
        normal = statistics.median(results["NORMAL"])
        full = statistics.median(results["FULL"])
        print(f"FULL costs {full - normal:+.2f} ms per write ({full / normal:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
