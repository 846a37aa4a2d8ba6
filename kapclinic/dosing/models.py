"""A dosing session: the hours around one dose, from pre-dose checks to discharge.

The state machine (DESIGN.md, issue 10): scheduled -> pre_checks -> dosing ->
observation -> ready_for_discharge -> discharged, or aborted with a reason from any
state before discharged. `dosing.actions` is the only writer of `state`.
Readings and administrations are append-only: a correction is a new row that
points at the one it corrects.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from kapclinic.treatment.models import Drug, Route


class SessionState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    PRE_CHECKS = "pre_checks", "Pre-dose checks"
    DOSING = "dosing", "Dosing"
    OBSERVATION = "observation", "Observation"
    READY_FOR_DISCHARGE = "ready_for_discharge", "Ready for discharge"
    DISCHARGED = "discharged", "Discharged"
    ABORTED = "aborted", "Stopped"


class DosingSession(models.Model):
    """One dosing visit, tied to its appointment and to the signed plan it follows."""

    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="dosing_session"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="dosing_sessions"
    )
    site = models.ForeignKey("clinics.Site", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(
        "treatment.TreatmentPlan", on_delete=models.PROTECT, related_name="sessions"
    )
    state = models.CharField(
        max_length=20, choices=SessionState.choices, default=SessionState.SCHEDULED
    )
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prescriber_on_site = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_dose_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    abort_reason = models.TextField(blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "state"])]

    def __str__(self) -> str:
        return f"Dosing session ({self.get_state_display()})"


class AppendOnly(models.Model):
    """Rows never changed once written; corrections are new rows."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("This record is never changed once written; add a correction.")
        super().save(*args, **kwargs)


class VitalReading(AppendOnly):
    """One set of vital signs (any subset measured), from a nurse or a monitor."""

    class Source(models.TextChoices):
        NURSE = "nurse", "Entered by staff"
        DEVICE = "device", "Monitor"

    session = models.ForeignKey(DosingSession, on_delete=models.PROTECT, related_name="readings")
    taken_at = models.DateTimeField(default=timezone.now)
    is_baseline = models.BooleanField(default=False)
    systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(null=True, blank=True)
    resp_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    moaas = models.PositiveSmallIntegerField(null=True, blank=True)
    symptoms = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.NURSE)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "taken_at", "id"]
        indexes = [models.Index(fields=["session", "taken_at"])]

    def __str__(self) -> str:
        return f"Vital signs at {self.taken_at:%H:%M}"

    def as_reading(self) -> dict[str, object]:
        """The mapping `dosing.monitoring.alerts_for` takes."""
        keys = ("systolic", "diastolic", "heart_rate", "spo2", "resp_rate", "moaas")
        reading: dict[str, object] = {k: getattr(self, k) for k in keys}
        reading["symptoms"] = list(self.symptoms or [])
        return reading


class Administration(AppendOnly):
    """One dose given (one esketamine device is one row)."""

    session = models.ForeignKey(
        DosingSession, on_delete=models.PROTECT, related_name="administrations"
    )
    drug = models.CharField(max_length=12, choices=Drug.choices)
    route = models.CharField(max_length=12, choices=Route.choices)
    dose_mg = models.DecimalField(max_digits=7, decimal_places=2)
    lot_number = models.CharField(max_length=40)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    rate_mg_per_hour = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "started_at", "id"]

    def __str__(self) -> str:
        return f"{self.dose_mg} mg {self.get_drug_display()}"


class SessionAlert(models.Model):
    """An alert a reading raised (`dosing.monitoring.alerts_for`), until acknowledged.

    Acknowledgement is by name: the clinician who saw it and when. The alert itself
    (level, rule, message) is never changed.
    """

    class Level(models.TextChoices):
        WARN = "warn", "Warning"
        URGENT = "urgent", "Urgent"

    session = models.ForeignKey(DosingSession, on_delete=models.PROTECT, related_name="alerts")
    reading = models.ForeignKey(
        VitalReading, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    level = models.CharField(max_length=8, choices=Level.choices)
    rule = models.CharField(max_length=20)
    message = models.CharField(max_length=300)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(
                fields=["session", "level"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="dosing_alert_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.message}"


# Models kept in their own modules (monitors' tokens, REMS forms); imported here so
# Django registers them with the app.
from kapclinic.dosing.device_tokens import DeviceToken  # noqa: E402, F401
from kapclinic.dosing.rems_models import RemsForm  # noqa: E402, F401
