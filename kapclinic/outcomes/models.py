"""Measurement-based care records: questionnaires asked for and answered, risk alerts,
and who is on call at each site to receive an alert nobody acknowledged.

Responses are append-only: a correction is a new response that names the one it
replaces, so the score a clinician acted on is never rewritten. Scoring itself is
the pure `kapclinic.outcomes.instruments` library; these rows keep its result.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from kapclinic.clinics.models import Site
from kapclinic.outcomes.instruments import INSTRUMENTS
from kapclinic.patients.models import Patient

INSTRUMENT_CHOICES = [(code, inst.name) for code, inst in INSTRUMENTS.items()]


class QuestionnaireAssignment(models.Model):
    """A questionnaire the care team asked a patient to answer, open until answered
    or until it expires. `draft` keeps the answers given so far, so nothing typed is
    lost when the patient leaves half way or a step has an error."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="assignments")
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    due_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # Empty for one the clinic's schedule created (no person asked for it).
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    draft = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The schedule occasion it answers ("before_dose:41:qids_sr16"); unique per
    # patient, so a schedule run twice never asks twice.
    schedule_key = models.CharField(max_length=80, blank=True)
    # When the link went out, and the one reminder if it was not answered.
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["patient", "completed_at", "expires_at"]),
            models.Index(fields=["completed_at", "sent_at", "due_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "schedule_key"],
                condition=~models.Q(schedule_key=""),
                name="questionnaire_occasion_once",
            )
        ]

    def __str__(self) -> str:
        return f"{INSTRUMENTS[self.instrument].name} due {self.due_at:%Y-%m-%d}"

    @property
    def instrument_name(self) -> str:
        return INSTRUMENTS[self.instrument].name

    def is_open(self) -> bool:
        return self.completed_at is None and self.expires_at > timezone.now()


class QuestionnaireResponse(models.Model):
    """One completed, scored questionnaire or clinician rating. Never edited: a
    correction is a new row whose `replaces` names this one."""

    class EnteredBy(models.TextChoices):
        PATIENT = "patient", "Patient"
        STAFF = "staff", "Staff"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="responses")
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    assignment = models.ForeignKey(
        QuestionnaireAssignment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
    )
    answers = models.JSONField()
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    severity = models.CharField(max_length=40, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    entered_by = models.CharField(max_length=10, choices=EnteredBy.choices)
    # Empty only for a patient who answered a signed link with no portal account:
    # the response is theirs, and no user acted (a constraint keeps staff entries named).
    entered_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    completed_at = models.DateTimeField(default=timezone.now)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        ordering = ["completed_at", "id"]
        indexes = [models.Index(fields=["patient", "instrument", "completed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entered_by="patient") | models.Q(entered_by_user__isnull=False),
                name="response_staff_entry_names_its_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_name} on {self.completed_at:%Y-%m-%d}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Append-only: what a clinician acted on is never rewritten.
        if self.pk is not None and not self._state.adding:
            raise ValidationError("A completed questionnaire is never changed; enter a correction.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def instrument_name(self) -> str:
        return INSTRUMENTS[self.instrument].name


class RiskAlert(models.Model):
    """A critical answer (e.g. PHQ-9 item 9 above 0) that a clinician must acknowledge
    within the site's window (SiteSettings.risk_alert_ack_hours), or it escalates to
    the site's on-call prescriber."""

    class Level(models.TextChoices):
        URGENT = "urgent", "Urgent"
        HIGH = "high", "High risk"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="risk_alerts")
    response = models.ForeignKey(
        QuestionnaireResponse, on_delete=models.PROTECT, related_name="risk_alerts"
    )
    reason = models.CharField(max_length=200)
    level = models.CharField(max_length=10, choices=Level.choices)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["acknowledged_at", "escalated_at", "created_at"])]

    def __str__(self) -> str:
        return f"Risk alert {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class OnCallShift(models.Model):
    """A prescriber on call for a site from `start` to `end`; outside every shift the
    site's default on-call prescriber (Site.on_call_prescriber) receives escalations."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="on_call_shifts")
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["site", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="on_call_shift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} on call {self.start:%Y-%m-%d %H:%M}"


class ScheduleRule(models.Model):
    """One line of a questionnaire schedule: ask `instrument` at `trigger` (see
    `outcomes.schedules`). A site's rules are its default for every patient there;
    a patient's own rule adds an instrument, or, switched off, removes the site's
    rule of the same trigger and instrument for that patient only."""

    class Trigger(models.TextChoices):
        BASELINE = "baseline", "Baseline, before the first dose"
        BEFORE_DOSE = "before_dose", "Before each dosing session"
        AFTER_DOSE = "after_dose", "24 hours after each dosing session"
        WEEKLY = "weekly", "Weekly during the course and for some weeks after"
        MONTHLY = "monthly", "Monthly in maintenance"

    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.CASCADE, related_name="schedule_rules"
    )
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.CASCADE, related_name="schedule_rules"
    )
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    is_active = models.BooleanField(default=True)
    weeks_after_course = models.PositiveSmallIntegerField(
        default=8, help_text="Weekly rules only: how many weeks after the last dose to go on."
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["trigger", "instrument", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(site__isnull=False) & models.Q(patient__isnull=True))
                | (models.Q(site__isnull=True) & models.Q(patient__isnull=False)),
                name="schedule_rule_site_or_patient",
            ),
            models.UniqueConstraint(
                fields=["site", "trigger", "instrument"],
                condition=models.Q(site__isnull=False),
                name="schedule_rule_once_per_site",
            ),
            models.UniqueConstraint(
                fields=["patient", "trigger", "instrument"],
                condition=models.Q(patient__isnull=False),
                name="schedule_rule_once_per_patient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_name}: {self.get_trigger_display()}"

    @property
    def instrument_name(self) -> str:
        return INSTRUMENTS[self.instrument].name


class SchedulePause(models.Model):
    """The care team paused a patient's scheduled questionnaires (e.g. in hospital):
    nothing new is sent until a clinician resumes them."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="schedule_pause")
    reason = models.CharField(max_length=200)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paused_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Questionnaires paused {self.paused_at:%Y-%m-%d}"


class OnCallContact(models.Model):
    """The number an on-call prescriber receives escalation text messages on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="on_call_contact"
    )
    sms_number = models.CharField(
        max_length=40, help_text="In international form, e.g. +13125550100."
    )

    def __str__(self) -> str:
        return f"On-call number of {self.user}"


class OutcomeSummary(models.Model):
    """Where one patient stands on one scale, against their course of treatment: the
    inputs of every clinic analytics figure, kept current by `outcomes.summary`
    whenever a score, a dose or the first plan changes, so the analytics page adds
    up these rows instead of searching every patient's scores.

    Derived data only: `manage.py rebuild_outcome_summaries` recomputes every row
    from the scores, visits and plans. Definitions are those of
    `outcomes.analytics` (CLINICAL.md 5)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="outcome_summaries")
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    # The course: first dose, doses so far, and the first plan's cohort keys.
    first_dose_at = models.DateTimeField(null=True, blank=True)
    doses = models.PositiveIntegerField(default=0)
    sessions_planned = models.PositiveSmallIntegerField(null=True, blank=True)
    indication = models.CharField(max_length=100, blank=True)
    route = models.CharField(max_length=12, blank=True)
    protocol = models.ForeignKey(
        "treatment.Protocol", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The scores: the last before the first dose, the latest, the lowest since the
    # first dose (remission), the first that met the response criterion, and the
    # first at least 4 and 12 weeks after it (durability).
    baseline = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline_at = models.DateTimeField(null=True, blank=True)
    latest = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_at = models.DateTimeField(null=True, blank=True)
    best_since_dose = models.PositiveSmallIntegerField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    sessions_to_response = models.PositiveIntegerField(null=True, blank=True)
    later_4 = models.PositiveSmallIntegerField(null=True, blank=True)
    later_12 = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "instrument"], name="one_outcome_summary_per_scale"
            )
        ]
        indexes = [models.Index(fields=["instrument", "first_dose_at"])]

    def __str__(self) -> str:
        return f"{INSTRUMENTS[self.instrument].name} summary"
