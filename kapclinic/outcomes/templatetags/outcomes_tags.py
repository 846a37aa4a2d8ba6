"""Outcomes parts of pages owned by other apps: the portal's "questionnaires waiting"
and the chart's scores and risk alerts. Kept here so those pages need one line each."""

from __future__ import annotations

from typing import Any

from django import template

from kapclinic.accounts.models import User
from kapclinic.outcomes import chart_panel, trajectory
from kapclinic.outcomes.access import open_assignments, visible_alerts
from kapclinic.outcomes.instruments import INSTRUMENTS
from kapclinic.patients.models import Patient

register = template.Library()


@register.inclusion_tag("outcomes/_waiting.html")
def questionnaires_waiting(patient: Patient) -> dict[str, Any]:
    return {"assignments": list(open_assignments(patient).order_by("due_at", "id"))}


@register.inclusion_tag("outcomes/_chart_panel.html")
def outcomes_panel(patient: Patient, user: User, may_edit: bool) -> dict[str, Any]:
    """Scores per instrument with where the patient stands, and open risk alerts, for
    someone with clinical access. A constant number of queries: the first dose with
    the site's MADRS setting, the scores, the open alerts."""
    first_dose, madrs = chart_panel.first_dose_and_madrs_limit(patient)
    series = trajectory.build(
        patient.responses.all(), first_dose=first_dose, madrs_remission_at_or_below=madrs
    )
    alerts = list(
        visible_alerts(user)
        .filter(patient=patient, acknowledged_at__isnull=True)
        .order_by("created_at")
    )
    return {
        "patient": patient,
        "series": [(s, chart_panel.summarise(s, first_dose, madrs)) for s in series],
        "alerts": alerts,
        "may_edit": may_edit,
        "instruments": sorted(INSTRUMENTS.values(), key=lambda i: i.name),
        "width": trajectory.WIDTH,
        "height": trajectory.HEIGHT,
    }
