"""The pathway's history: one row per stage change, written by `treatment.actions`."""

from __future__ import annotations

from datetime import date
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


class Route(models.TextChoices):
    """How the dose is given (CLINICAL.md section 3)."""

    IV = "iv", "IV infusion"
    IM = "im", "IM injection"
    ORAL = "oral", "Sublingual or oral lozenge"
    INTRANASAL = "intranasal", "Intranasal esketamine"


class Drug(models.TextChoices):
    KETAMINE = "ketamine", "Ketamine (racemic)"
    ESKETAMINE = "esketamine", "Esketamine"


class DoseBasis(models.TextChoices):
    PER_KG = "per_kg", "Milligrams per kilogram of body weight"
    FIXED = "fixed", "Fixed dose in milligrams"


class Protocol(models.Model):
    """A site's template for one route, which a prescriber adapts into a plan.

    Seeded with the cited defaults of CLINICAL.md section 3; a site may edit them.
    A plan copies the numbers it uses, so editing a protocol never changes a signed plan.
    """

    site = models.ForeignKey("clinics.Site", on_delete=models.CASCADE, related_name="protocols")
    name = models.CharField(max_length=120)
    route = models.CharField(max_length=12, choices=Route.choices)
    drug = models.CharField(max_length=12, choices=Drug.choices)
    dose_basis = models.CharField(max_length=8, choices=DoseBasis.choices)
    # mg/kg for PER_KG, mg for FIXED.
    usual_dose = models.DecimalField(max_digits=7, decimal_places=3)
    max_dose_mg = models.DecimalField(max_digits=7, decimal_places=2)
    infusion_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions_in_course = models.PositiveSmallIntegerField()
    min_days_between_doses = models.PositiveSmallIntegerField(default=1)
    max_doses_per_week = models.PositiveSmallIntegerField()
    integration_after_each_dose = models.BooleanField(default=True)
    review_after_sessions = models.PositiveSmallIntegerField()
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["site", "route", "name"]

    def __str__(self) -> str:
        return self.name


class PlanPhase(models.TextChoices):
    INDUCTION = "induction", "Induction"
    MAINTENANCE = "maintenance", "Maintenance"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    SUPERSEDED = "superseded", "Replaced by a newer version"


class TreatmentPlan(models.Model):
    """A prescriber's plan for one patient: route, dose and course, from a protocol.

    Versioned: a change after signing is a new plan with `version` + 1 and
    `supersedes` pointing at the old one, which becomes SUPERSEDED and is kept.
    `dose_mg` is the ordered dose per session (for mg/kg protocols computed from
    `weight_kg`, the latest weight when the plan was written, and capped by
    `max_dose_mg`).
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    route = models.CharField(max_length=12, choices=Route.choices)
    drug = models.CharField(max_length=12, choices=Drug.choices)
    phase = models.CharField(max_length=12, choices=PlanPhase.choices, default=PlanPhase.INDUCTION)
    dose_mg = models.DecimalField(max_digits=7, decimal_places=2)
    dose_per_kg = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    weight_measured_at = models.DateTimeField(null=True, blank=True)
    max_dose_mg = models.DecimalField(max_digits=7, decimal_places=2)
    infusion_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions_planned = models.PositiveSmallIntegerField()
    min_days_between_doses = models.PositiveSmallIntegerField()
    max_doses_per_week = models.PositiveSmallIntegerField()
    integration_after_each_dose = models.BooleanField(default=True)
    frequency = models.CharField(max_length=200, blank=True)
    reevaluate_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # The weight-based dose came out above the maximum and was cut to it.
    dose_capped = models.BooleanField(default=False)
    # The weight was older than the site's limit and the prescriber signed anyway.
    stale_weight_acknowledged = models.BooleanField(default=False)

    class Meta:
        ordering = ["patient", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="plan_version_unique"),
            models.CheckConstraint(
                condition=models.Q(dose_mg__lte=models.F("max_dose_mg")),
                name="plan_dose_within_cap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_route_display()} plan, version {self.version}"

    @property
    def is_signed(self) -> bool:
        return self.status == PlanStatus.SIGNED

    def is_current_on(self, day: date) -> bool:
        """Signed, not replaced, and not past its re-evaluation date on `day`."""
        return self.is_signed and (self.reevaluate_on is None or day <= self.reevaluate_on)


class CourseVisit(models.TextChoices):
    DOSING = "dosing", "Dosing session"
    INTEGRATION = "integration", "Integration session"


class CourseAppointment(models.Model):
    """One appointment booked as part of a plan's course (a dosing session or the
    integration session after it), so the plan knows its course and the timeline can
    show it. The appointment itself lives in scheduling and may be moved there."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="course")
    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.CASCADE, related_name="course_place"
    )
    session_number = models.PositiveSmallIntegerField()
    visit = models.CharField(max_length=12, choices=CourseVisit.choices)

    class Meta:
        ordering = ["plan", "session_number", "visit"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "session_number", "visit"], name="course_visit_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_visit_display()} {self.session_number}"
