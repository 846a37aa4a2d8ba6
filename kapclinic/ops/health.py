"""Health endpoints for load balancers and monitors: public, cheap, no PHI.

`/healthz` says the process is up and touches nothing else. `/readyz` says this
server can do useful work: the database answers, every migration is applied, and
a background task worker ran a task recently. It answers 503 when any is not so,
with each check's result, so a load balancer stops sending traffic here.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks import task

from kapclinic.ops.models import WorkerHeartbeat

# A heartbeat task is asked for at most this often, whatever the request rate...
HEARTBEAT_EVERY = timedelta(minutes=1)
# ...and the worker counts as missing when none has run for this long.
WORKER_STALE = timedelta(minutes=5)

# Once every migration is applied it stays so for this process's lifetime (a new
# release brings new code and a new process), so the check runs until it passes.
_migrations_applied = False


@task()
def heartbeat() -> None:
    """Run by the task worker: proves a worker is taking tasks off the queue."""
    WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"seen_at": timezone.now()})


def _database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _migrations() -> str:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        targets = executor.loader.graph.leaf_nodes()
        if executor.migration_plan(targets):
            return "unapplied migrations"
        _migrations_applied = True
    return "ok"


def _task_worker() -> str:
    now = timezone.now()
    beat, _ = WorkerHeartbeat.objects.get_or_create(pk=1)
    if beat.requested_at is None or now - beat.requested_at >= HEARTBEAT_EVERY:
        WorkerHeartbeat.objects.filter(pk=1).update(requested_at=now)
        heartbeat.enqueue()
        beat.refresh_from_db()
    if beat.seen_at is None:
        return "not seen yet"
    if now - beat.seen_at > WORKER_STALE:
        return f"not seen for {int((now - beat.seen_at).total_seconds() // 60)} minutes"
    return "ok"


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in (
        ("database", _database),
        ("migrations", _migrations),
        ("task_worker", _task_worker),
    ):
        try:
            checks[name] = check()
        except DatabaseError:
            checks[name] = "database unavailable"
            break
    ready = len(checks) == 3 and all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )
