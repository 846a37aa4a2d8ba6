"""Load test: N concurrent signed-in users against a real server on PostgreSQL.

Run under a throwaway cluster, from the project root:

    nice scripts/with-postgres python3 -m uv run --frozen python bench/load.py \
        --users 32 --seconds 30 --server prod

Seeds the demo clinic (`--patients`), starts the server on 127.0.0.1 (`prod`:
gunicorn workers x threads with DB_CONN_MAX_AGE=60, as scripts/serve-prod; `dev`: runserver), signs
in one session per user as the demo prescriber (two-factor marked as passed), and
for `--seconds` each user loops: 70% reads (50% a chart, 20% the patient list
with a name search) and 30% writes (a patient registration). A request fails if it
raises, answers 5xx, or answers anything but the expected status. Prints p50/p95/
p99, requests/s, failures and the peak number of PostgreSQL connections.

`--root DIR` serves another checkout (e.g. an older commit exported with `git
archive`) with this environment's Python, for before/after comparisons.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PRESCRIBER = "prescriber@demo.kapclinic.test"
SECRET_KEY = "bench-" + secrets.token_urlsafe(48)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--users", type=int, default=32)
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--patients", type=int, default=2000)
    p.add_argument("--server", choices=["prod", "dev"], default="prod")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers (prod)")
    p.add_argument("--threads", type=int, default=4, help="threads per worker (prod)")
    p.add_argument("--root", type=Path, default=ROOT, help="checkout to serve")
    p.add_argument("--port", type=int, default=8771)
    return p.parse_args()


def server_env(args: argparse.Namespace) -> dict[str, str]:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "KAPCLINIC_PLAIN_STATIC": "true",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "ERROR",
        "KAPCLINIC_VAR_DIR": str(Path(tempfile.gettempdir()) / "kapclinic-bench-var"),
    }
    env.pop("KAPCLINIC_DEMO_MODE", None)
    if args.server == "prod":
        env["DB_CONN_MAX_AGE"] = "60"
    return env


def manage(args: argparse.Namespace, *command: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *command],
        cwd=args.root,
        env=server_env(args),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_server(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    bind = f"127.0.0.1:{args.port}"
    if args.server == "prod":
        command = [
            sys.executable, "-m", "gunicorn", "kapclinic.wsgi:application",
            "--bind", bind, "--workers", str(args.workers), "--threads", str(args.threads),
            "--timeout", "30",
        ]  # fmt: skip
    else:
        command = [sys.executable, "manage.py", "runserver", bind, "--noreload"]
    server = subprocess.Popen(  # noqa: S603
        command, cwd=args.root, env=server_env(args), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise SystemExit("the server did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def setup_django() -> None:
    os.environ.update({k: v for k, v in server_env(ARGS).items() if k not in os.environ or k in (
        "DEBUG", "SECRET_KEY", "KAPCLINIC_PLAIN_STATIC", "SECURE_SSL_REDIRECT", "SECURE_COOKIES"
    )})  # fmt: skip
    os.environ["DJANGO_SETTINGS_MODULE"] = "kapclinic.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def sessions(n: int) -> tuple[list[str], list[int], int]:
    """n session cookies for the prescriber, their patients' ids, and their site."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kapclinic.accounts.models import User
    from kapclinic.patients.models import Patient
    from kapclinic.test import login

    user = User.objects.get(email=PRESCRIBER)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    cookies = []
    for _ in range(n):
        client = login(Client(), user)
        cookies.append(f"sessionid={client.cookies['sessionid'].value}")
    ids = list(Patient.objects.filter(care_team__user=user).values_list("id", flat=True)[:2000])
    site = user.sites.order_by("id").values_list("id", flat=True).first()
    assert site is not None
    return cookies, ids, site


class User:
    def __init__(self, port: int, cookie: str, ids: list[int], site: int, rng: random.Random):
        self.port, self.cookie, self.ids, self.site, self.rng = port, cookie, ids, site, rng
        self.csrf = ""

    def request(self, method: str, path: str, body: str = "") -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie + (f"; csrftoken={self.csrf}" if self.csrf else "")}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        set_cookie = response.getheader("Set-Cookie") or ""
        conn.close()
        return response.status, text, set_cookie

    def prepare(self) -> None:
        _, _, set_cookie = self.request("GET", "/patients/new/")
        match = re.search(r"csrftoken=([^;]+)", set_cookie)
        if match is None:
            raise SystemExit("no CSRF cookie from the registration page")
        self.csrf = match.group(1)

    def one(self) -> tuple[str, int, set[int]]:
        roll = self.rng.random()
        if roll < 0.5:
            return "chart", self.request("GET", f"/patients/{self.rng.choice(self.ids)}/")[0], {200}
        if roll < 0.7:
            q = self.rng.choice(["son", "ar", "lee", "an", "mit"])
            return "list", self.request("GET", f"/patients/?q={q}")[0], {200}
        rng = self.rng
        born = f"{rng.randrange(1940, 2005)}-0{rng.randrange(1, 10)}-{rng.randrange(10, 29)}"
        form = {
            "csrfmiddlewaretoken": self.csrf,
            "site": self.site,
            "given_name": f"Load{rng.randrange(10**9)}",
            "family_name": f"Bench{rng.randrange(10**9)}",
            "birth_date": born,
            "sex_at_birth": "female",
            "country": "US",
            "phone": "555-0100",
        }  # fmt: skip
        return "register", self.request("POST", "/patients/new/", urlencode(form))[0], {302}


def peak_connections(stop_at: float, peak: list[int]) -> None:
    from django.db import connection

    while time.monotonic() < stop_at:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            peak[0] = max(peak[0], cursor.fetchone()[0])
        time.sleep(0.5)
    connection.close()


def run(args: argparse.Namespace, cookies: list[str], ids: list[int], site: int) -> int:
    stop_at = time.monotonic() + args.seconds
    times: dict[str, list[float]] = {"chart": [], "list": [], "register": []}
    statuses: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    lock = threading.Lock()
    users = [User(args.port, c, ids, site, random.Random(i)) for i, c in enumerate(cookies)]  # noqa: S311
    for user in users:
        user.prepare()

    def loop(user: User) -> None:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                kind, status, expected = user.one()
                ok = status in expected
            except Exception as exc:
                kind, status, ok = "error", 0, False
                with lock:
                    failures[type(exc).__name__] += 1
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                statuses[f"{kind} {status}"] += 1
                if ok:
                    times[kind].append(elapsed)
                elif status:
                    failures[f"{kind} {status}"] += 1

    peak = [0]
    watcher = threading.Thread(target=peak_connections, args=(stop_at, peak))
    threads = [threading.Thread(target=loop, args=(u,)) for u in users]
    began = time.monotonic()
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    watcher.join()
    wall = time.monotonic() - began
    every = sorted(x for xs in times.values() for x in xs)
    total = sum(statuses.values())
    print(f"\n{args.users} users, {wall:.1f} s, server {args.server}, root {args.root.name}")
    print(f"requests: {total} ({total / wall:.1f}/s), failed: {sum(failures.values())}")
    if every:
        q = statistics.quantiles(every, n=100)
        print(f"all: p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, p99 {q[98]:.0f} ms")
    for kind, xs in times.items():
        if len(xs) > 1:
            q = statistics.quantiles(sorted(xs), n=100)
            print(f"  {kind:9} n={len(xs):5}  p50 {q[49]:6.0f} ms  p95 {q[94]:6.0f} ms")
    print(f"statuses: {dict(statuses)}")
    if failures:
        print(f"failures: {dict(failures)}")
    print(f"peak PostgreSQL connections: {peak[0]}")
    return 1 if failures else 0


ARGS = parse_args()


def main() -> int:
    sys.path.insert(0, str(ROOT / "bench"))
    from pgcluster import prepare_cluster

    prepare_cluster()
    print(f"migrate and seed {ARGS.patients} patients ...", flush=True)
    manage(ARGS, "migrate", "--noinput")
    manage(ARGS, "seed_demo", "--patients", str(ARGS.patients))
    setup_django()
    cookies, ids, site = sessions(ARGS.users)
    server = start_server(ARGS)
    try:
        return run(ARGS, cookies, ids, site)
    finally:
        stop(server)


if __name__ == "__main__":
    sys.exit(main())
