"""The esketamine REMS Patient Monitoring Form for one dosing session (CLINICAL.md 4).

Most of the form comes from the session's own records (`dosing.rems.rems_facts`):
the patient, the dose and lots, the times and blood pressures. What those records
cannot tell (first treatment, REMS enrolment, whether sedation, dissociation or
respiratory depression occurred and resolved, adverse events, when the patient
would have been ready to leave) is entered by the nurse or prescriber. Completing
the form freezes the facts as they were (`facts`), so the submitted copy never
changes; it must be submitted within 7 days of the session.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class RemsForm(models.Model):
    """One session's REMS Patient Monitoring Form: draft, completed, then submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Not completed"
        COMPLETED = "completed", "Completed, not yet submitted"
        SUBMITTED = "submitted", "Submitted"

    session = models.OneToOneField(
        "dosing.DosingSession", on_delete=models.PROTECT, related_name="rems_form"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    first_treatment = models.BooleanField(null=True)
    rems_enrolled_on = models.DateField(null=True, blank=True)
    ready_to_leave_at = models.DateTimeField(null=True, blank=True)
    vitals_ok_before_dosing = models.BooleanField(null=True)
    vitals_ok_at_completion = models.BooleanField(null=True)
    sedation = models.BooleanField(null=True)
    sedation_resolved = models.BooleanField(null=True)
    dissociation = models.BooleanField(null=True)
    dissociation_resolved = models.BooleanField(null=True)
    respiratory_depression = models.BooleanField(null=True)
    respiratory_depression_resolved = models.BooleanField(null=True)
    adverse_events = models.TextField(blank=True)
    # The session's facts as they were when the form was completed.
    facts = models.JSONField(default=dict, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "dosing"
        verbose_name = "REMS monitoring form"

    def __str__(self) -> str:
        return f"REMS monitoring form ({self.get_status_display()})"
