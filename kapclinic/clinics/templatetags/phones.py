"""`{{ number|phone }}`: a stored E.164 number in the clinic's own format."""

from __future__ import annotations

from django import template

from kapclinic.clinics.phones import FALLBACK_REGION, display

register = template.Library()


@register.filter
def phone(value: str | None, region: str = FALLBACK_REGION) -> str:
    return display(value or "", region)
