"""Outcomes parts of pages owned by other apps: the portal's "questionnaires waiting"
and the chart's scores and risk alerts. Kept here so those pages need one line each."""

from __future__ import annotations

from typing import Any

from django import template

from kapclinic.accounts.models import User
from kapclinic.clinics.models import SiteSettings
from kapclinic.outcomes import trajectory
from kapclinic.outcomes.access import open_assignments, visible_alerts
from kapclinic.outcomes.instruments import INSTRUMENTS
from kapclinic.patients.models import Patient

register = template.Library()


@register.inclusion_tag("outcomes/_waiting.html")
def questionnaires_waiting(patient: Patient) -> dict[str, Any]:
    return {"assignments": list(open_assignments(patient).order_by("due_at", "id"))}


@register.inclusion_tag("outcomes/_chart_panel.html")
def outcomes_panel(patient: Patient, user: User, may_edit: bool) -> dict[str, Any]:
    """Scores per instrument and open risk alerts, for someone with clinical access."""
    madrs = (
        SiteSettings.objects.filter(site_id=patient.site_id)
        .values_list("madrs_remission_at_or_below", flat=True)
        .first()
    )
    # No dosing sessions are recorded yet in this codebase, so there is no treatment
    # baseline: response waits for it; remission needs none.
    series = trajectory.build(
        patient.responses.all(), first_dose=None, madrs_remission_at_or_below=madrs or 10
    )
    alerts = list(
        visible_alerts(user)
        .filter(patient=patient, acknowledged_at__isnull=True)
        .order_by("created_at")
    )
    return {
        "patient": patient,
        "series": series,
        "alerts": alerts,
        "may_edit": may_edit,
        "instruments": sorted(INSTRUMENTS.values(), key=lambda i: i.name),
        "width": trajectory.WIDTH,
        "height": trajectory.HEIGHT,
    }
