"""The pathway's history: one row per stage change, written by `treatment.actions`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from kapclinic.patients.models import PathwayStage


class PathwayTransition(models.Model):
    """A patient moving from one pathway stage to the next, by whom and why.

    Append-only: the record of how a patient got where they are, and the source of
    "time in stage" on the pathway board. The reason is clinical text (why someone
    left or came back), so it lives here, not in the audit row.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="pathway_transitions"
    )
    name = models.CharField(max_length=40)
    from_stage = models.CharField(max_length=20, choices=PathwayStage.choices)
    to_stage = models.CharField(max_length=20, choices=PathwayStage.choices)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["patient", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()} to {self.get_to_stage_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A pathway transition is never changed once recorded.")
        super().save(*args, **kwargs)
