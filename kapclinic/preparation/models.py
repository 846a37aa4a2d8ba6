"""A patient's preparation for their dosing sessions in one course."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class Preparation(models.Model):
    """What a patient prepares before dosing: intentions, set and setting, a safety
    plan and a transport plan, and the therapist's mark that it is complete.

    One per course (the course started by the latest pathway exit or re-entry,
    `treatment.course`). The patient writes their parts in the portal (saved as they
    type); the care team ticks its checklist; a therapist on the care team marks it
    complete, after which it is read-only. The intentions are the patient's words,
    shared with their therapist.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="preparations"
    )
    intentions = models.TextField(blank=True)
    patient_checklist = models.JSONField(default=dict, blank=True)
    staff_checklist = models.JSONField(default=dict, blank=True)
    warning_signs = models.TextField(blank=True)
    coping_steps = models.TextField(blank=True)
    contact1_name = models.CharField(max_length=150, blank=True)
    contact1_phone = models.CharField(max_length=40, blank=True)
    contact2_name = models.CharField(max_length=150, blank=True)
    contact2_phone = models.CharField(max_length=40, blank=True)
    escort_name = models.CharField(max_length=150, blank=True)
    escort_phone = models.CharField(max_length=40, blank=True)
    transport_notes = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["patient", "-started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(completed_at__isnull=True)
                | models.Q(completed_by__isnull=False),
                name="completed_preparation_has_therapist",
            )
        ]

    def __str__(self) -> str:
        return f"Preparation {self.started_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Complete means read-only, whoever calls save.
        if self.pk is not None:
            stored = Preparation.objects.filter(pk=self.pk).values_list("completed_at", flat=True)
            if stored.first() is not None:
                raise ValueError("A completed preparation is read-only.")
        super().save(*args, **kwargs)

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    def as_facts(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in self._meta.concrete_fields}
