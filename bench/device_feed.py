"""Device-feed benchmark: concurrent monitors posting vital signs over real HTTP.

Run from the project root (SQLite in a temporary directory, or PostgreSQL):

    python3 -m uv run --frozen python bench/device_feed.py
    nice scripts/with-postgres python3 -m uv run --frozen python bench/device_feed.py

It migrates a throwaway database, makes one site with `--devices` dosing sessions in
observation and one monitor token, starts gunicorn on 127.0.0.1 (`--workers` x
`--threads`), and for `--seconds` each device thread posts batches of `--batch`
normal readings to its own session through `POST /api/v1/sessions/{id}/vitals`.
Meanwhile a probe posts one urgent reading (SpO2 85%) every `--probe-every` seconds
and polls the board's query (open urgent alerts at the site, from its own database
connection) until the alert is there: the time from the POST being sent to the alert
being visible. See bench/README.md for the numbers and what they mean.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-" + secrets.token_urlsafe(48)
MAX_DEVICES = 16  # bounded: the machine is shared
MAX_SECONDS = 120
NORMAL = {"systolic": 122, "diastolic": 78, "heart_rate": 72, "spo2": 98, "resp_rate": 14}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--devices", type=int, default=4, help=f"concurrent monitors (<= {MAX_DEVICES})")
    p.add_argument("--seconds", type=int, default=15, help=f"posting time (<= {MAX_SECONDS})")
    p.add_argument("--batch", type=int, default=50, help="readings per POST (<= 500)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--threads", type=int, default=2, help="threads per worker")
    p.add_argument("--probe-every", type=float, default=1.0, help="seconds between probes")
    p.add_argument("--port", type=int, default=8772)
    args = p.parse_args()
    if not 1 <= args.devices <= MAX_DEVICES or not 1 <= args.seconds <= MAX_SECONDS:
        p.error(f"--devices 1-{MAX_DEVICES} and --seconds 1-{MAX_SECONDS}")
    if not 1 <= args.batch <= 500:
        p.error("--batch 1-500")
    return args


def environment(var_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "KAPCLINIC_PLAIN_STATIC": "true",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "ERROR",
        "KAPCLINIC_VAR_DIR": str(var_dir),
        "DB_CONN_MAX_AGE": "60",
        "DJANGO_SETTINGS_MODULE": "kapclinic.settings",
        # The bench measures the endpoint's capacity, far past one real monitor's
        # rate, so the per-token limit (default 300 a minute) is lifted for it.
        "DEVICE_FEED_REQUESTS_PER_MINUTE": "100000000",
        "DEVICE_FEED_BURST": "1000000",
    }
    env.pop("KAPCLINIC_DEMO_MODE", None)
    env.setdefault("DATABASE_URL", f"sqlite:///{var_dir / 'bench.sqlite3'}")
    return env


def prepare(env: dict[str, str]) -> tuple[list[int], int, str]:
    """Migrate; make the site's sessions in observation and a monitor token."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from kapclinic.dosing.device_tokens import create_device_token
    from kapclinic.dosing.models import SessionState
    from kapclinic.dosing.tests.factories import make_session
    from kapclinic.test import build_cast

    cast = build_cast()
    # One session per device, plus one for the probe.
    sessions = [
        make_session(cast, state=SessionState.OBSERVATION).pk for _ in range(ARGS.devices + 1)
    ]
    token = create_device_token(actor=None, site_id=cast.site.pk, label="bench monitor")[1]
    return sessions, cast.site.pk, token


def start_server(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "gunicorn", "kapclinic.wsgi:application",
        "--bind", f"127.0.0.1:{ARGS.port}", "--workers", str(ARGS.workers),
        "--threads", str(ARGS.threads), "--timeout", "60",
    ]  # fmt: skip
    server = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", ARGS.port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise SystemExit("the server did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def post(conn: http.client.HTTPConnection, session: int, token: str, body: Any) -> dict[str, Any]:
    conn.request(
        "POST",
        f"/api/v1/sessions/{session}/vitals",
        body=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    data = response.read()
    if response.status != 201:
        raise RuntimeError(f"{response.status}: {data[:200]!r}")
    answer: dict[str, Any] = json.loads(data)
    return answer


def batch(size: int) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    return {
        "readings": [
            {"taken_at": (now - dt.timedelta(seconds=size - i)).isoformat(), **NORMAL}
            for i in range(size)
        ]
    }


def device(session: int, token: str, stop_at: float, counts: list[int], errors: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", ARGS.port, timeout=60)
    while time.monotonic() < stop_at:
        try:
            stored = post(conn, session, token, batch(ARGS.batch))
            counts.append(len(stored["readings"]))
        except Exception as exc:  # counted, not fatal: the report says how many
            errors.append(str(exc)[:120])
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", ARGS.port, timeout=60)
    conn.close()


def board_sees(site: int, alert_ids: set[int]) -> bool:
    """The board's question: which urgent alerts at this site are still open?"""
    from kapclinic.dosing.models import SessionAlert

    open_ids = set(
        SessionAlert.objects.filter(
            session__site_id=site, level="urgent", acknowledged_at__isnull=True
        ).values_list("id", flat=True)
    )
    return alert_ids <= open_ids


def probe(session: int, site: int, token: str, stop_at: float, latencies: list[float]) -> None:
    from django.db import connection

    conn = http.client.HTTPConnection("127.0.0.1", ARGS.port, timeout=60)
    while time.monotonic() < stop_at:
        reading = {"taken_at": dt.datetime.now(dt.UTC).isoformat(), **NORMAL, "spo2": 85}
        began = time.perf_counter()
        stored = post(conn, session, token, reading)
        ids = {a["id"] for a in stored["alerts"] if a["level"] == "urgent"}
        while not board_sees(site, ids):
            time.sleep(0.005)
        latencies.append((time.perf_counter() - began) * 1000)
        time.sleep(ARGS.probe_every)
    conn.close()
    connection.close()


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kapclinic-devicefeed-") as tmp:
        var_dir = Path(tmp)
        (var_dir / "static").mkdir()
        env = environment(var_dir)
        if env["DATABASE_URL"].startswith("postgres"):
            sys.path.insert(0, str(ROOT / "bench"))
            from pgcluster import prepare_cluster

            prepare_cluster()
        database = env["DATABASE_URL"].split(":", 1)[0]
        sessions, site, token = prepare(env)
        children_before = cpu_seconds(resource.RUSAGE_CHILDREN)
        server = start_server(env)
        counts: list[int] = []
        errors: list[str] = []
        latencies: list[float] = []
        self_before = cpu_seconds(resource.RUSAGE_SELF)
        try:
            stop_at = time.monotonic() + ARGS.seconds
            threads = [
                threading.Thread(target=device, args=(s, token, stop_at, counts, errors))
                for s in sessions[:-1]
            ]
            threads.append(
                threading.Thread(target=probe, args=(sessions[-1], site, token, stop_at, latencies))
            )
            began = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.monotonic() - began
        finally:
            stop(server)
        client_cpu = cpu_seconds(resource.RUSAGE_SELF) - self_before
        server_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - children_before
    readings = sum(counts)
    print(
        f"device feed on {database}: {ARGS.devices} devices x batches of {ARGS.batch}, "
        f"{wall:.1f} s, gunicorn {ARGS.workers} workers x {ARGS.threads} threads"
    )
    print(f"readings stored: {readings} ({readings / wall:.0f}/s) in {len(counts)} POSTs")
    print(f"failed POSTs: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    if latencies:
        ordered = sorted(latencies)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(
            f"POST to alert visible to the board: n={len(ordered)} "
            f"median {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms, "
            f"max {ordered[-1]:.0f} ms"
        )
    per_k = 1000 * server_cpu / readings if readings else 0.0
    print(
        f"CPU: server {server_cpu:.1f} s ({per_k:.2f} s per 1,000 readings), "
        f"bench client {client_cpu:.1f} s (PostgreSQL's own processes not counted)"
    )
    return 1 if errors or not readings else 0


ARGS = parse_args()

if __name__ == "__main__":
    sys.exit(main())
