"""Device-feed benchmark: concurrent monitors posting vital signs over real HTTP.

Run from the project root (SQLite in a temporary directory, or PostgreSQL):

    python3 -m uv run --frozen python bench/device_feed.py
    nice scripts/with-postgres python3 -m uv run --frozen python bench/device_feed.py

It migrates a throwaway database, makes one site with `--devices` dosing sessions in
observation, each with its own monitor token, and a nurse signed in (second factor
passed) the way the test cast does; starts gunicorn on 127.0.0.1 (`--workers` x
`--threads`), and for `--seconds` each device thread posts batches of `--batch`
normal readings to its own session through `POST /api/v1/sessions/{id}/vitals`.
Meanwhile a probe monitor posts one urgent reading (SpO2 85%) every `--probe-every`
seconds, and the nurse's session fetches the real board fragment the board page
polls (`/dosing/live/?site=...`) every `--board-poll` seconds until the alert's
Acknowledge button is in it: the time from the POST being sent to the first board
response showing the alert. See bench/README.md for the numbers and what they mean.
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
    p.add_argument(
        "--device-every",
        type=float,
        default=0.0,
        help="seconds each monitor waits between POSTs (0: as fast as it can, for "
        "throughput; 1-5: a real monitor's pace, for the time to the board)",
    )
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--threads", type=int, default=2, help="threads per worker")
    p.add_argument("--probe-every", type=float, default=1.0, help="seconds between probes")
    p.add_argument(
        "--board-poll", type=float, default=0.05, help="seconds between the probe's board fetches"
    )
    p.add_argument(
        "--probe",
        choices=("browser", "http"),
        default="browser",
        help="browser: the board page in headless Chromium, as a nurse sees it; "
        "http: the board fragment fetched every --board-poll seconds (server side only)",
    )
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


def prepare(env: dict[str, str]) -> tuple[list[int], int, list[str], str]:
    """Migrate; make the site's sessions in observation, one monitor token per
    session, and a signed-in nurse; return the session cookie's value."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    if ARGS.probe == "browser":
        # gunicorn serves static files only from STATIC_ROOT: the board page needs htmx.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput"],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kapclinic.dosing.device_tokens import create_device_token
    from kapclinic.dosing.models import SessionState
    from kapclinic.dosing.tests.factories import make_session
    from kapclinic.test import build_cast, login

    cast = build_cast()
    # The probe's session first: later ones are booked after it, one after another,
    # and the first is sure to be on today's board.
    sessions = [
        make_session(cast, state=SessionState.OBSERVATION).pk for _ in range(ARGS.devices + 1)
    ]
    tokens = [
        create_device_token(actor=None, site_id=cast.site.pk, label=f"bench monitor {i}")[1]
        for i in range(len(sessions))
    ]
    if not TOTPDevice.objects.filter(user=cast.nurse, confirmed=True).exists():
        TOTPDevice.objects.create(user=cast.nurse, name="bench", confirmed=True)
    nurse = login(Client(), cast.nurse)
    return sessions, cast.site.pk, tokens, nurse.cookies[settings.SESSION_COOKIE_NAME].value


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


def post_again(
    conn: http.client.HTTPConnection, session: int, token: str, body: Any
) -> tuple[http.client.HTTPConnection, dict[str, Any]]:
    """post(), on a fresh connection if the server closed the idle one (gunicorn keeps
    an idle connection 2 s); returns the connection to use next."""
    try:
        return conn, post(conn, session, token, body)
    except (ConnectionError, http.client.HTTPException):
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", ARGS.port, timeout=60)
        return conn, post(conn, session, token, body)


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
        if ARGS.device_every:
            time.sleep(ARGS.device_every)
    conn.close()


def board(conn: http.client.HTTPConnection, path: str, cookie: str) -> str:
    """The board fragment as the nurse's browser fetches it every few seconds."""
    from django.conf import settings

    conn.request(
        "GET",
        path,
        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", "HX-Request": "true"},
    )
    response = conn.getresponse()
    html = response.read().decode()
    if response.status != 200:
        raise RuntimeError(f"board: {response.status}: {html[:200]!r}")
    return html


def probe(
    session: int,
    site: int,
    token: str,
    cookie: str,
    stop_at: float,
    timings: dict[str, list[float]],
) -> None:
    from django.urls import reverse

    conn = http.client.HTTPConnection("127.0.0.1", ARGS.port, timeout=60)
    board_conn = http.client.HTTPConnection("127.0.0.1", ARGS.port, timeout=60)
    path = f"{reverse('dosing:board_live')}?site={site}"
    while time.monotonic() < stop_at:
        reading = {"taken_at": dt.datetime.now(dt.UTC).isoformat(), **NORMAL, "spo2": 85}
        began = time.perf_counter()
        stored = post(conn, session, token, reading)
        timings["post"].append((time.perf_counter() - began) * 1000)
        # The alert is on the board when its Acknowledge button is (the nurse may act).
        wanted = [
            reverse("dosing:acknowledge", args=(session, a["id"]))
            for a in stored["alerts"]
            if a["level"] == "urgent"
        ]
        if not wanted:
            raise RuntimeError("the urgent reading raised no urgent alert")
        while True:
            fetched = time.perf_counter()
            html = board(board_conn, path, cookie)
            timings["board"].append((time.perf_counter() - fetched) * 1000)
            if all(url in html for url in wanted):
                break
            if time.perf_counter() - began > 60:
                raise RuntimeError("the alert never showed on the board")
            time.sleep(ARGS.board_poll)
        timings["alert"].append((time.perf_counter() - began) * 1000)
        time.sleep(ARGS.probe_every)
    conn.close()
    board_conn.close()


CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def browser_probe(
    session: int,
    site: int,
    token: str,
    cookie: str,
    stop_at: float,
    timings: dict[str, list[float]],
) -> None:
    """What a nurse sees: the board page open in headless Chromium, polling as it does
    for real; the time from sending the urgent POST to its Acknowledge button being in
    the page's DOM (Playwright waits on the page's own mutations)."""
    import shutil

    from django.conf import settings
    from django.urls import reverse
    from playwright.sync_api import sync_playwright

    conn = http.client.HTTPConnection("127.0.0.1", ARGS.port, timeout=60)
    base = f"http://127.0.0.1:{ARGS.port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1024, "height": 768})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
        page = context.new_page()
        page.goto(f"{base}{reverse('dosing:board')}?site={site}")
        page.wait_for_selector("#board-status")
        page.evaluate("performance.setResourceTimingBufferSize(10000)")
        while time.monotonic() < stop_at:
            reading = {"taken_at": dt.datetime.now(dt.UTC).isoformat(), **NORMAL, "spo2": 85}
            began = time.perf_counter()
            conn, stored = post_again(conn, session, token, reading)
            timings["post"].append((time.perf_counter() - began) * 1000)
            urgent = [a["id"] for a in stored["alerts"] if a["level"] == "urgent"]
            if not urgent:
                raise RuntimeError("the urgent reading raised no urgent alert")
            for alert in urgent:
                url = reverse("dosing:acknowledge", args=(session, alert))
                page.wait_for_selector(f'form[action="{url}"]', state="attached", timeout=60_000)
            timings["alert"].append((time.perf_counter() - began) * 1000)
            # Not in step with the page's polling: each probe lands somewhere in it.
            page.wait_for_timeout(ARGS.probe_every * 1000 * (0.75 + secrets.randbelow(50) / 100))
        # Each of the page's polls, from sending it to the end of the answer.
        timings["board"].extend(
            page.evaluate(
                "performance.getEntriesByType('resource')"
                ".filter(e => e.name.includes('/dosing/live/')).map(e => e.duration)"
            )
        )
        browser.close()
    conn.close()


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds(master: int) -> float | None:
    """CPU used so far by gunicorn and its workers, from /proc (Linux), so the posting
    time can be measured apart from the workers' start-up; None elsewhere."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        total = 0
        for pid in [str(master), *children]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"n={len(ordered)} median {statistics.median(ordered):.0f} ms, "
        f"p95 {p95:.0f} ms, max {ordered[-1]:.0f} ms"
    )


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
        sessions, site, tokens, cookie = prepare(env)
        server = start_server(env)
        counts: list[int] = []
        errors: list[str] = []
        timings: dict[str, list[float]] = {"post": [], "board": [], "alert": []}
        load_before = os.getloadavg()[0]
        self_before = cpu_seconds(resource.RUSAGE_SELF)
        server_before = server_cpu_seconds(server.pid)
        try:
            stop_at = time.monotonic() + ARGS.seconds
            threads = [
                threading.Thread(target=device, args=(s, t, stop_at, counts, errors))
                for s, t in zip(sessions[1:], tokens[1:], strict=True)
            ]
            threads.append(
                threading.Thread(
                    target=browser_probe if ARGS.probe == "browser" else probe,
                    args=(sessions[0], site, tokens[0], cookie, stop_at, timings),
                )
            )
            began = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.monotonic() - began
            server_after = server_cpu_seconds(server.pid)
        finally:
            stop(server)
        client_cpu = cpu_seconds(resource.RUSAGE_SELF) - self_before
        load_after = os.getloadavg()[0]
    server_cpu = (
        server_after - server_before
        if server_before is not None and server_after is not None
        else None
    )
    readings = sum(counts)
    print(
        f"device feed on {database}: {ARGS.devices} devices x batches of {ARGS.batch}, "
        f"{wall:.1f} s, gunicorn {ARGS.workers} workers x {ARGS.threads} threads"
    )
    print(f"readings stored: {readings} ({readings / wall:.0f}/s) in {len(counts)} POSTs")
    print(f"failed POSTs: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    if timings["alert"]:
        print(f"urgent reading POST: {summary(timings['post'])}")
        if ARGS.probe == "browser":
            print(f"board polls by the page (request to response end): {summary(timings['board'])}")
            print(
                f"POST to the alert in the board page's DOM: {summary(timings['alert'])}"
                " (headless Chromium, the page polling as it does for a nurse)"
            )
        else:
            print(f"board fragment GET: {summary(timings['board'])}")
            print(
                f"POST to the first board response showing the alert: {summary(timings['alert'])}"
                f" (fetched every {ARGS.board_poll * 1000:.0f} ms)"
            )
    if server_cpu is not None:
        per_k = 1000 * server_cpu / readings if readings else 0.0
        server_text = f"server {server_cpu:.1f} s while posting ({per_k:.2f} s per 1,000 readings)"
    else:
        server_text = "server not measured (no /proc)"
    print(
        f"CPU: {server_text}, bench client {client_cpu:.1f} s "
        "(PostgreSQL's own processes not counted)"
    )
    print(
        f"load average (1 min) on {os.cpu_count()} CPUs: "
        f"{load_before:.1f} before, {load_after:.1f} after"
    )
    return 1 if errors or not readings or not timings["alert"] else 0


ARGS = parse_args()

if __name__ == "__main__":
    sys.exit(main())
