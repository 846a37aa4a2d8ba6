"""`{% chart_safety_flags patient as flags %}`: the chart's safety flags, from the
clinical record the chart has already loaded (no queries of its own)."""

from __future__ import annotations

from django import template

from kapclinic.patients.models import Patient
from kapclinic.screening import rules
from kapclinic.screening.record_facts import facts_from_items, flags_from_facts

register = template.Library()


@register.simple_tag
def chart_safety_flags(patient: Patient) -> list[rules.Reason]:
    return flags_from_facts(
        facts_from_items(
            patient.medications.all(), patient.conditions.all(), patient.allergies.all()
        )
    )
