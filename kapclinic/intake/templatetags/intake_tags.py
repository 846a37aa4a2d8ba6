"""The portal home's reminder to finish the intake before the consultation."""

from __future__ import annotations

from typing import Any

from django import template

from kapclinic.intake.access import current_intake, intake_open, sections_done
from kapclinic.intake.baseline import questionnaire_steps
from kapclinic.intake.sections import SECTIONS
from kapclinic.patients.models import Patient

register = template.Library()


@register.inclusion_tag("intake/_next_step.html")
def intake_next_step(patient: Patient) -> dict[str, Any]:
    if not intake_open(patient):
        return {"show": False}
    intake = current_intake(patient)
    if intake is not None and intake.is_submitted:
        return {"show": False}
    questionnaires = questionnaire_steps(patient, intake)
    done = sections_done(intake) + sum(1 for step in questionnaires if step.done)
    return {"show": True, "done": done, "total": len(SECTIONS) + len(questionnaires)}
