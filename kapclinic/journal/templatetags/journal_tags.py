"""The portal's banner inviting the patient to write after a dosing session."""

from __future__ import annotations

from typing import Any

from django import template

from kapclinic.patients.models import Patient

register = template.Library()


@register.inclusion_tag("journal/_prompt_banner.html")
def journal_prompts(patient: Patient) -> dict[str, Any]:
    from kapclinic.journal.views import open_prompts

    return {"prompts": open_prompts(patient.pk)}
