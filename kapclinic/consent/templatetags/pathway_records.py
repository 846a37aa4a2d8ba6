"""Consent and preparation parts of pages owned by other apps: the chart's panel and
the portal's next steps, so those pages need one line each."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from kapclinic.consent.access import documents_for_patient
from kapclinic.consent.models import Consent
from kapclinic.consent.status import consent_problem
from kapclinic.patients.models import Patient
from kapclinic.preparation.status import preparation_problem

register = template.Library()


@register.inclusion_tag("consent/_chart_panel.html")
def consent_preparation_panel(patient: Patient) -> dict[str, Any]:
    """For someone with clinical access: is consent current, is preparation done."""
    return {
        "patient": patient,
        "consent_problem": consent_problem(patient.pk, timezone.localdate()),
        "preparation_problem": preparation_problem(patient.pk),
    }


@register.inclusion_tag("consent/_portal_steps.html")
def portal_consent_steps(patient: Patient) -> dict[str, Any]:
    """The patient's next steps: a form to sign (for their plan's route; before there
    is a plan, any route, so one signed form is enough), and their preparation."""
    signed = set(
        Consent.objects.filter(patient=patient, withdrawn_at__isnull=True).values_list(
            "document_id", flat=True
        )
    )
    documents = documents_for_patient(patient)
    return {
        "to_sign": bool(documents) and not any(d.pk in signed for d in documents),
        "preparation_problem": preparation_problem(patient.pk),
    }
