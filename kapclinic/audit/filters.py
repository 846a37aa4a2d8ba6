"""The audit log browser's filters, and the query they build.

Dates are days in the clinic's time zone (the first active site's), so "from 3
March" means from midnight on 3 March where the clinic is, not in UTC.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    When,
)

from kapclinic.accounts.models import STAFF_ROLES, User
from kapclinic.audit.models import AuditAction, AuditEvent, AuditOutcome, BreakGlassGrant
from kapclinic.clinics.models import Site
from kapclinic.lib.limits import end_of_day, start_of_day
from kapclinic.widgets import DateInput


def clinic_time_zone() -> zoneinfo.ZoneInfo:
    """The clinic's time zone: its first active site's, else the server's."""
    name = (
        Site.objects.filter(is_active=True).order_by("pk").values_list("time_zone", flat=True)
    ).first()
    return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        queryset=User.objects.filter(role__in=STAFF_ROLES).order_by("full_name", "pk"),
        required=False,
        empty_label="Anyone",
    )
    patient = forms.CharField(
        label="Patient MRN", max_length=20, required=False, help_text="e.g. KAP-00012345"
    )
    action = forms.ChoiceField(choices=[("", "Any"), *AuditAction.choices], required=False)
    outcome = forms.ChoiceField(choices=[("", "Any"), *AuditOutcome.choices], required=False)
    flagged = forms.BooleanField(label="Flagged only", required=False)
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To (inclusive)", required=False, widget=DateInput())
    # Set by the link in the break-glass e-mail: the events of one grant.
    grant = forms.ModelChoiceField(
        queryset=BreakGlassGrant.objects.all(), required=False, widget=forms.HiddenInput
    )

    def clean_patient(self) -> int | None:
        """The patient with this MRN, as their id: events and the filter summary keep ids."""
        mrn = self.cleaned_data["patient"].strip()
        if not mrn:
            return None
        # Reached through the audit row's own reference, so the audit app imports no
        # patient module.
        patients = AuditEvent._meta.get_field("patient").related_model._default_manager  # type: ignore[union-attr]
        found = patients.filter(mrn__iexact=mrn).values_list("pk", flat=True).first()
        if found is None:
            raise forms.ValidationError(f"No patient has the MRN {mrn}.")
        return int(found)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "Must be on or after the From date.")
        return data

    def summary(self) -> dict[str, str]:
        """The filters in use, as plain strings for the audit row (ids, not names)."""
        used: dict[str, str] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", False):
                continue
            used[name] = str(getattr(value, "pk", value))
        return used


def _grant_for_event() -> QuerySet[BreakGlassGrant]:
    # The latest grant the actor held for this patient when the event happened.
    return BreakGlassGrant.objects.filter(
        user_id=OuterRef("actor_id"),
        patient_id=OuterRef("patient_id"),
        granted_at__lte=OuterRef("occurred_at"),
    ).order_by("-granted_at", "-pk")


def filtered_events(data: dict[str, Any], tz: zoneinfo.ZoneInfo) -> QuerySet[AuditEvent]:
    """Events matching cleaned filter data, newest first, with actor and grant joined."""
    grants = _grant_for_event()
    # Patients appear by MRN only: the MRN is read, never the rest of their record.
    events = AuditEvent.objects.select_related("actor").annotate(
        patient_mrn=F("patient__mrn"),
        actor_mrn=F("actor__patient__mrn"),
        grant_id=Case(
            When(flagged=True, then=Subquery(grants.values("pk")[:1])),
            output_field=IntegerField(),
        ),
        grant_reason=Case(
            When(flagged=True, then=Subquery(grants.values("reason")[:1])),
            output_field=TextField(),
        ),
    )
    if data.get("actor"):
        events = events.filter(actor=data["actor"])
    if data.get("patient"):
        events = events.filter(patient_id=data["patient"])
    if data.get("action"):
        events = events.filter(action=data["action"])
    if data.get("outcome"):
        events = events.filter(outcome=data["outcome"])
    if data.get("flagged"):
        events = events.filter(flagged=True)
    if data.get("grant"):
        grant: BreakGlassGrant = data["grant"]
        events = events.filter(
            Q(object_type="audit.breakglassgrant", object_id=str(grant.pk))
            | Q(
                actor_id=grant.user_id,
                patient_id=grant.patient_id,
                occurred_at__gte=grant.granted_at,
                occurred_at__lte=grant.expires_at,
            )
        )
    # A day at the edge of the calendar (0001-01-01, 9999-12-31) has no midnight
    # that a datetime can hold; there the bound is left open rather than overflowing.
    start = data.get("date_from") and start_of_day(data["date_from"], tz)
    if start:
        events = events.filter(occurred_at__gte=start)
    end = data.get("date_to") and end_of_day(data["date_to"], tz)
    if end:
        events = events.filter(occurred_at__lt=end)
    return events.order_by("-id")
