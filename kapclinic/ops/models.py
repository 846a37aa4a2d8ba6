"""What the service knows about itself."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """The single row saying when a background task worker last ran a task.

    `/readyz` asks for a heartbeat task at most once a minute (`requested_at`) and
    reports the worker missing when none ran (`seen_at`) for a few minutes.
    """

    seen_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"task worker last seen {self.seen_at}"
