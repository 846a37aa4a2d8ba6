"""Benchmark: seed a large demo clinic, then time the busiest staff pages.

Run from the project root:  uv run python bench/run.py  [--patients 10000] [--runs 7]

Everything happens in a throwaway SQLite database in a temporary directory (never the
development database): migrate, `seed_demo --patients N`, then pages are requested
through django.test.Client as the demo prescriber, signed in with two-factor marked
as passed. See bench/README.md for what the numbers mean.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PRESCRIBER_EMAIL = "prescriber@demo.kapclinic.test"
PORTAL_PATIENT_EMAIL = "patient@demo.kapclinic.test"


@dataclass
class Result:
    name: str
    url: str = ""
    status: str = ""
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    note: str = ""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--patients", type=int, default=10000, help="demo patients to seed")
    parser.add_argument("--runs", type=int, default=7, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=1, help="seed_demo random seed")
    parser.add_argument("--keep", action="store_true", help="keep the database; print its path")
    return parser.parse_args()


def configure_environment(var_dir: Path) -> Path:
    """Point Django at a fresh SQLite file; must run before django.setup()."""
    db_path = var_dir / "bench.sqlite3"
    (var_dir / "static").mkdir(exist_ok=True)  # whitenoise warns if STATIC_ROOT is missing
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["KAPCLINIC_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kapclinic.settings"
    # Production-like: DEBUG off (no template debug, no query log) and no demo mode,
    # so staff two-factor is enforced as in a real clinic. Plain static storage so
    # pages render without `collectstatic`; plain http for the test client.
    os.environ["DEBUG"] = "false"
    os.environ.pop("KAPCLINIC_DEMO_MODE", None)
    os.environ["KAPCLINIC_PLAIN_STATIC"] = "true"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["SECURE_COOKIES"] = "false"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT))
    return db_path


def configure_database(db: str, var_dir: Path) -> None:
    """configure_environment, on the with-postgres cluster (made ready for a bench)
    when `db` is "postgres", then django.setup()."""
    if db == "postgres":
        from pgcluster import prepare_cluster

        prepare_cluster()
        url = os.environ["DATABASE_URL"]
        configure_environment(var_dir)
        os.environ["DATABASE_URL"] = url
    else:
        configure_environment(var_dir)
    import django

    django.setup()


def timed(label: str, func: Callable[[], Any]) -> float:
    print(f"{label} ...", end=" ", flush=True)
    started = time.perf_counter()
    func()
    elapsed = time.perf_counter() - started
    print(f"{elapsed:.1f} s", flush=True)
    return elapsed


def measure(client: Any, name: str, url_factory: Callable[[], str], runs: int) -> Result:
    """Request the page once to warm caches, then `runs` times, timing each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = Result(name)
    try:
        result.url = url_factory()
        warm = client.get(result.url)
        result.status = str(warm.status_code)
        if warm.status_code in (301, 302):
            result.note = f"redirected to {warm['Location']}"
            return result
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(result.url)
                result.times_ms.append((time.perf_counter() - started) * 1000)
            result.queries.append(len(ctx.captured_queries))
            result.status = str(response.status_code)
        if result.status != "200":
            result.note = "page not OK: the view may not be finished"
    except Exception as exc:  # keep going: one broken page must not hide the others
        result.status = "error"
        result.note = f"{type(exc).__name__}: {exc}".splitlines()[0][:120]
        if os.environ.get("BENCH_TRACEBACK"):
            traceback.print_exc()
    return result


def signed_in_client(email: str) -> Any:
    """A test client signed in as `email`, with two-factor marked as passed."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kapclinic.accounts.models import User
    from kapclinic.test import login

    user = User.objects.get(email=email)
    if user.is_clinic_staff and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        # Demo staff have no authenticator; give this throwaway copy one.
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return login(Client(), user)


def format_table(results: list[Result]) -> str:
    header = ("page", "status", "median ms", "min ms", "max ms", "queries")
    rows = [header]
    for r in results:
        if r.times_ms:
            queries = sorted(set(r.queries))
            q = str(queries[0]) if len(queries) == 1 else f"{queries[0]}-{queries[-1]}"
            rows.append(
                (
                    r.name,
                    r.status,
                    f"{statistics.median(r.times_ms):.1f}",
                    f"{min(r.times_ms):.1f}",
                    f"{max(r.times_ms):.1f}",
                    q,
                )
            )
        else:
            rows.append((r.name, r.status or "-", "-", "-", "-", "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {r.name}: {r.note}" for r in results if r.note]
    if notes:
        lines += ["", "notes:", *notes]
    urls = [f"  {r.name}: {r.url}" for r in results if r.url]
    return "\n".join([*lines, "", "urls:", *urls])


def main() -> int:
    args = parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="kapclinic-bench-"))
    db_path = configure_environment(var_dir)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db.models import Count
        from django.test.utils import setup_test_environment
        from django.urls import reverse

        from kapclinic.patients.models import Patient

        print(f"Throwaway database: {db_path}")
        timed("migrate", lambda: call_command("migrate", verbosity=0, interactive=False))
        seed_s = timed(
            f"seed_demo --patients {args.patients}",
            lambda: call_command(
                "seed_demo", patients=args.patients, seed=args.seed, stdout=io.StringIO()
            ),
        )
        setup_test_environment()  # allows the "testserver" host, locmem e-mail

        prescriber = signed_in_client(PRESCRIBER_EMAIL)
        on_team = Patient.objects.filter(care_team__user__email=PRESCRIBER_EMAIL)
        team_size = on_team.count()
        # Search for a common family name among the prescriber's patients.
        common = (
            on_team.values_list("family_name", flat=True)
            .annotate(n=Count("pk"))
            .order_by("-n", "family_name")
            .first()
        ) or "a"
        chart_patient = Patient.objects.filter(user__email=PORTAL_PATIENT_EMAIL).first()
        chart_pk = chart_patient.pk if chart_patient else on_team.values_list("pk", flat=True)[0]

        print(f"Timing pages ({args.runs} runs each, after one warm-up request) ...")
        results = [
            measure(
                prescriber, "patient list, page 1", lambda: reverse("patients:list"), args.runs
            ),
            measure(
                prescriber,
                f"patient list, search {common!r}",
                lambda: f"{reverse('patients:list')}?q={common}",
                args.runs,
            ),
            measure(
                prescriber,
                "patient chart",
                lambda: reverse("patients:chart", args=[chart_pk]),
                args.runs,
            ),
            measure(
                signed_in_client(PORTAL_PATIENT_EMAIL), "patient portal", _portal_url, args.runs
            ),
        ]
        from django.test import Client

        results.append(measure(Client(), "public home page", lambda: reverse("home"), args.runs))

        size_mb = db_path.stat().st_size / 1e6
        print()
        print(
            f"kapclinic benchmark: {args.patients} demo patients; the demo prescriber has "
            f"{team_size} on their care teams"
        )
        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"SQLite {sqlite3.sqlite_version}, database {size_mb:.0f} MB"
        )
        print(f"seed_demo: {seed_s:.1f} s ({args.patients / seed_s:.0f} patients/s)")
        print()
        print(format_table(results))
        failed = any(r.status != "200" for r in results)
        return 1 if failed else 0
    finally:
        if args.keep:
            print(f"\nKept {db_path} (DATABASE_URL=sqlite:///{db_path})")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def _portal_url() -> str:
    from django.urls import reverse

    return reverse("patients:portal")


if __name__ == "__main__":
    sys.exit(main())
