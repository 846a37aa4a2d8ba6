"""The screening record: the facts of CLINICAL.md 2a and the prescriber's signed decision."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class ScreeningRecord(models.Model):
    """One eligibility screening of a patient for ketamine-assisted treatment.

    `facts` holds the keys of `screening.rules.FACT_KEYS` (the same keys as the
    rules, the form and the API). A draft is edited freely; once a prescriber signs
    it, it is read-only and a correction is a new record that `amends` it, so the
    original and its decision stay on file.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    class Decision(models.TextChoices):
        ELIGIBLE = "eligible", "Eligible"
        INELIGIBLE = "ineligible", "Not eligible"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="screenings"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    facts = models.JSONField(default=dict, blank=True)
    # What the rules said when the decision was signed, kept with the decision.
    rules_outcome = models.CharField(max_length=20, blank=True)
    rules_reasons = models.JSONField(default=list, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(
        blank=True, help_text="Required when the decision differs from the rules' outcome."
    )
    amends = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amended_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (
                    models.Q(signed_by__isnull=False, signed_at__isnull=False)
                    & ~models.Q(decision="")
                ),
                name="signed_screening_has_signer_and_decision",
            )
        ]

    def __str__(self) -> str:
        return f"Screening {self.created_at:%Y-%m-%d} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Signed means read-only, whoever calls save (admin, a script, a bug).
        if self.pk is not None:
            stored = ScreeningRecord.objects.filter(pk=self.pk).values_list("status", flat=True)
            if stored.first() == self.Status.SIGNED:
                raise ValueError("A signed screening is read-only; amend it instead.")
        super().save(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED


class SafetyFlagAlert(models.Model):
    """A safety flag that newly appeared on the record of a patient whose treatment
    is under way (`flag_alerts.ALERT_STAGES`), for the care team to acknowledge.

    `code`, `level` and `reason` are the screening rule that fired, as the chart shows
    it; exactly one of `medication`, `condition` and `allergy` is the record item whose
    entry raised it. Acknowledging is once, by a clinician of the care team, with an
    optional note; the alert stays on file afterwards.
    """

    class Level(models.TextChoices):
        ABSOLUTE = "absolute", "Contraindication"
        RELATIVE = "relative", "Caution"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="safety_flag_alerts"
    )
    code = models.CharField(max_length=60, help_text="The screening rule's code.")
    level = models.CharField(max_length=10, choices=Level.choices)
    reason = models.CharField(max_length=300)
    # RESTRICT, not PROTECT: an item may go only together with its patient (cascade).
    medication = models.ForeignKey(
        "patients.Medication", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    condition = models.ForeignKey(
        "patients.Condition", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    allergy = models.ForeignKey(
        "patients.Allergy", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["patient", "acknowledged_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    medication__isnull=False, condition__isnull=True, allergy__isnull=True
                )
                | models.Q(medication__isnull=True, condition__isnull=False, allergy__isnull=True)
                | models.Q(medication__isnull=True, condition__isnull=True, allergy__isnull=False),
                name="safety_flag_alert_has_one_cause",
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | models.Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="safety_flag_alert_acknowledged_by_someone",
            ),
            # One open alert per flag: the care team is told once until someone acts.
            models.UniqueConstraint(
                fields=["patient", "code"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="safety_flag_alert_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Safety flag alert {self.raised_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def cause(self) -> models.Model | None:
        """The record item whose entry raised the alert."""
        return self.medication or self.condition or self.allergy

    @property
    def cause_kind(self) -> str:
        """What kind of record item raised it, in the care team's words."""
        if self.medication_id is not None:
            return "medicine"
        return "condition" if self.condition_id is not None else "allergy"
