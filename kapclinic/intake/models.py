"""The patient's intake: the history they give in the portal before their consultation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class Intake(models.Model):
    """One patient's intake questionnaire for one course of treatment.

    A course starts at the consultation; a patient who comes back after leaving the
    pathway (screened again, returned after withdrawing) starts a new course and
    fills in a new intake, because their history may have changed. `answers` maps
    each section code of `intake.sections` to that section's saved answers, so each
    section saves on its own as the patient goes. Submitting makes it read-only.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="intakes"
    )
    # 1 for the first course, one more after each re-entry (`intake.access.current_course`).
    course = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-course", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "course"], name="one_intake_per_course"),
            models.CheckConstraint(
                condition=models.Q(status="in_progress")
                | models.Q(submitted_at__isnull=False, submitted_by__isnull=False),
                name="submitted_intake_has_time_and_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Intake, course {self.course} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Submitted means read-only, whoever calls save (a script, a bug).
        if self.pk is not None:
            stored = Intake.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.SUBMITTED:
                raise ValueError("A submitted intake is read-only.")
        super().save(*args, **kwargs)

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def section_answers(self, code: str) -> dict[str, Any]:
        stored = self.answers.get(code)
        return dict(stored) if isinstance(stored, dict) else {}
