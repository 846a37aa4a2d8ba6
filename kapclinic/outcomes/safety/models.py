"""Records kept for long-term safety: the monthly bladder check and misuse signals.

Both are append-only observations: what was recorded is never rewritten, so the
panel shows exactly what the prescriber acted on.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyRecord(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("This record is never changed once written.")
        super().save(*args, **kwargs)


class BladderCheck(AppendOnlyRecord):
    """The monthly bladder and urinary symptom check (ketamine cystitis; CLINICAL.md 7)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="bladder_checks"
    )
    checked_on = models.DateField()
    urgency = models.BooleanField("Urgency: a sudden need to pass urine")
    frequency = models.BooleanField("Passing urine more often than usual")
    pain = models.BooleanField("Pain in the bladder or on passing urine")
    blood = models.BooleanField("Blood in the urine")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["patient", "checked_on"])]

    def __str__(self) -> str:
        return f"Bladder check {self.checked_on:%Y-%m-%d}"

    @property
    def any_symptom(self) -> bool:
        return self.urgency or self.frequency or self.pain or self.blood


class MisuseSignal(AppendOnlyRecord):
    """A sign of possible misuse the care team noticed (CLINICAL.md 7)."""

    class Kind(models.TextChoices):
        EARLY_DOSE = "early_dose", "Asked for a dose earlier than planned"
        EXTRA_DOSE = "extra_dose", "Asked for an extra or larger dose"
        POSITIVE_TEST = "positive_test", "Positive substance test"
        OTHER = "other", "Other concern"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="misuse_signals"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    noted_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-noted_on", "-id"]
        indexes = [models.Index(fields=["patient", "noted_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.noted_on:%Y-%m-%d})"
