"""/healthz and /readyz: public, cheap, and honest about what is not working."""

import datetime as dt

import pytest
from django.db import OperationalError
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone
from django_tasks import default_task_backend

from kapclinic.ops import health
from kapclinic.ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def separate_worker(settings):
    """Tasks wait for a worker that is not running, as in production without one."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_healthz_needs_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_ready_when_database_migrations_and_worker_are(client):
    response = client.get("/readyz")  # the test task backend runs the heartbeat at once
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "task_worker": "ok"},
    }


def test_not_ready_until_a_worker_has_run_a_task(client, separate_worker):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["task_worker"] == "not seen yet"


def test_a_heartbeat_is_requested_at_most_once_a_minute(client, separate_worker):
    for _ in range(3):
        client.get("/readyz")
    assert len(default_task_backend.results) == 1  # type: ignore[attr-defined]


def test_a_worker_silent_for_minutes_is_reported(client, separate_worker):
    now = timezone.now()
    WorkerHeartbeat.objects.create(pk=1, seen_at=now - dt.timedelta(minutes=9), requested_at=now)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["task_worker"] == "not seen for 9 minutes"


def test_unapplied_migrations_are_reported(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", 0)])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "unapplied migrations"


def test_a_database_that_is_down_is_reported(monkeypatch):
    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_database", down)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {"database": "database unavailable"},
    }


def test_post_is_refused(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
