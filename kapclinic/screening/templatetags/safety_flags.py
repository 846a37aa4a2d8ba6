"""`{% chart_safety_flags patient as flags %}`: the chart's safety flags, from the
clinical record the chart has already loaded (no queries of its own); and
`{% flag_alert_banner patient user %}`: the open alerts of flags that appeared once
treatment was under way."""

from __future__ import annotations

from typing import Any

from django import template

from kapclinic.accounts.models import User
from kapclinic.patients.models import Patient
from kapclinic.screening import rules
from kapclinic.screening.flag_alerts import open_alerts
from kapclinic.screening.record_facts import facts_from_items, flags_from_facts

register = template.Library()


@register.simple_tag
def chart_safety_flags(patient: Patient) -> list[rules.Reason]:
    return flags_from_facts(
        facts_from_items(
            patient.medications.all(), patient.conditions.all(), patient.allergies.all()
        )
    )


@register.inclusion_tag("screening/flag_alert_banner.html", takes_context=True)
def flag_alert_banner(context: template.Context, patient: Patient, user: User) -> dict[str, Any]:
    """The chart's banner of open safety-flag alerts (one query), with an Acknowledge
    button for the care team's clinicians (from the care team the chart has loaded)."""
    team = {member.user_id for member in patient.care_team.all()}
    return {
        "patient": patient,
        "alerts": open_alerts(patient),
        "may_acknowledge": user.is_clinician and user.pk in team,
        "csrf_token": context.get("csrf_token"),
    }
