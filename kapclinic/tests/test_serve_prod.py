"""scripts/serve-prod starts gunicorn and the task worker and serves signed-in pages."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the production server runs on PostgreSQL"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


@pytest.mark.django_db(transaction=True)
def test_the_production_server_serves_a_signed_in_page(cast, tmp_path):
    client = Client()
    client.force_login(cast.patient_user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    db = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DEBUG": "false",
        "SECRET_KEY": str(settings.SECRET_KEY),
        "KAPCLINIC_PLAIN_STATIC": "true",
        "KAPCLINIC_VAR_DIR": str(tmp_path),
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    log = (tmp_path / "serve-prod.log").open("w")
    server = subprocess.Popen(
        [str(ROOT / "scripts" / "serve-prod")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, stopped as one below
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = get(base + reverse("patients:portal"), cookie)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert status == 200
        assert cast.patient.given_name in body
        # Several requests in a row on the workers' persistent connections.
        for _ in range(5):
            assert get(base + reverse("patients:portal"), cookie)[0] == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    assert "Booting worker" in (tmp_path / "serve-prod.log").read_text()
