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

from kapclinic.dosing import recovery_scores
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
    # Minutes after the first dose when vital signs are due; empty: the route's default
    # (`dosing.schedule`). The nurse may change it for one session.
    vitals_schedule = models.JSONField(default=list, blank=True)
    # A prescriber's documented exception to the discharge criteria (CLINICAL.md 4).
    discharge_exception_reason = models.TextField(blank=True)
    discharge_exception_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The integration session booked after discharge, or why none could be booked
    # (a task left on the board for the front desk and the nurse).
    integration_appointment = models.ForeignKey(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    integration_task = models.CharField(max_length=300, blank=True)

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
        indexes = [
            models.Index(fields=["session", "taken_at"]),
            # The board and the discharge rules ask for a session's latest baseline and
            # latest MOAA/S rating: rare rows among a monitor's thousands, which the
            # index above would find only by walking back through all of them.
            models.Index(
                fields=["session", "taken_at"],
                condition=models.Q(is_baseline=True),
                name="dosing_reading_baseline_idx",
            ),
            models.Index(
                fields=["session", "taken_at"],
                condition=models.Q(moaas__isnull=False),
                name="dosing_reading_moaas_idx",
            ),
        ]

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
    # A correction replaces the row it points at (which stays, append-only).
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )

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


class PregnancyTest(models.TextChoices):
    NOT_REQUIRED = "not_required", "Not required"
    NEGATIVE = "negative", "Negative"
    POSITIVE = "positive", "Positive"
    NOT_DONE = "not_done", "Not done yet"


class DosingSitePolicy(models.Model):
    """A site's own pre-dose rules beyond the alert thresholds (site protocol).

    Esketamine fasting is fixed by its label (no food 2 h, no liquids 30 min); other
    routes follow the site's protocol, 0 meaning the site sets no fasting rule.
    """

    site = models.OneToOneField(
        "clinics.Site", on_delete=models.CASCADE, related_name="dosing_policy"
    )
    pregnancy_test_required = models.BooleanField(default=False)
    other_routes_no_food_minutes = models.PositiveSmallIntegerField(default=0)
    other_routes_no_liquids_minutes = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name_plural = "dosing site policies"

    def __str__(self) -> str:
        return "Dosing rules for the site"


class PreDoseCheck(models.Model):
    """The nurse's pre-dose checklist for one session, filled in before the dose.

    Editable while the session is in its pre-dose checks; read-only once dosing
    starts. A prescriber's override of the pre-dose alerts (with a reason) lives here
    too: it covers the alerts raised up to `override_at`, so a new alert holds the
    dose again.
    """

    session = models.OneToOneField(
        DosingSession, on_delete=models.PROTECT, related_name="pre_dose_check"
    )
    identity_confirmed = models.BooleanField(default=False)
    last_food_at = models.DateTimeField(null=True, blank=True)
    last_liquid_at = models.DateTimeField(null=True, blank=True)
    no_interacting_substances = models.BooleanField(default=False)
    transport_name = models.CharField(max_length=120, blank=True)
    transport_phone = models.CharField(max_length=40, blank=True)
    pregnancy_test = models.CharField(
        max_length=12, choices=PregnancyTest.choices, default=PregnancyTest.NOT_REQUIRED
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return "Pre-dose checklist"


class DissociationRating(AppendOnly):
    """A clinician's CADSS-6 rating (six items 0-4) and whether dissociation has resolved."""

    session = models.ForeignKey(
        DosingSession, on_delete=models.PROTECT, related_name="dissociation_ratings"
    )
    items = models.JSONField()
    total = models.PositiveSmallIntegerField()
    resolved = models.BooleanField()
    rated_at = models.DateTimeField(default=timezone.now)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["session", "rated_at", "id"]

    def __str__(self) -> str:
        return f"CADSS-6 {self.total}"


class AdverseEvent(AppendOnly):
    """Something untoward during the session, its severity and what was done."""

    class Kind(models.TextChoices):
        NAUSEA = "nausea", "Nausea"
        VOMITING = "vomiting", "Vomiting"
        HYPERTENSION = "hypertension", "Hypertension"
        ANXIETY = "anxiety", "Anxiety or panic"
        EMERGENCE = "emergence", "Emergence reaction"
        RESPIRATORY = "respiratory", "Respiratory depression"
        OTHER = "other", "Other"

    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    session = models.ForeignKey(
        DosingSession, on_delete=models.PROTECT, related_name="adverse_events"
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    description = models.CharField(max_length=300, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    action_taken = models.TextField()
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["session", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_severity_display().lower()})"


class SessionNote(AppendOnly):
    """A therapist's note written during the session (part of the medical record)."""

    session = models.ForeignKey(DosingSession, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField()
    written_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["session", "written_at", "id"]

    def __str__(self) -> str:
        return f"Session note at {self.written_at:%H:%M}"


class DischargeAssessment(AppendOnly):
    """The nurse's readiness-to-leave assessment; the latest one counts."""

    class Score(models.TextChoices):
        ALDRETE = "aldrete", "Modified Aldrete"
        PADSS = "padss", "PADSS"

    session = models.ForeignKey(
        DosingSession, on_delete=models.PROTECT, related_name="discharge_assessments"
    )
    score_kind = models.CharField(max_length=8, choices=Score.choices)
    score = models.PositiveSmallIntegerField()
    escort_confirmed = models.BooleanField()
    no_driving_advice_given = models.BooleanField()
    assessed_at = models.DateTimeField(default=timezone.now)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The nurse's answer (0-2) to each item of the score, by item code
    # (``recovery_scores.ITEMS``); ``score`` is their computed total. Empty on
    # assessments recorded when only a typed total was kept.
    items = models.JSONField(null=True, blank=True, default=None)

    class Meta:
        ordering = ["session", "assessed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_score_kind_display()} {self.score}"

    def item_scores(self) -> list[tuple[str, int]]:
        """Each answered item's name and score, in the score's order."""
        answers = self.items or {}
        return [
            (item.label, answers[item.code])
            for item in recovery_scores.ITEMS.get(self.score_kind, ())
            if item.code in answers
        ]


# Models kept in their own modules (monitors' tokens, REMS forms); imported here so
# Django registers them with the app.
from kapclinic.dosing.device_tokens import DeviceToken  # noqa: E402, F401
from kapclinic.dosing.rems_models import RemsForm  # noqa: E402, F401
