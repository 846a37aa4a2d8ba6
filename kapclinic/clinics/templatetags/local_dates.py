"""`{{ day|local_date:site.country }}`: a date as the site's country writes it, with the
month named so it cannot be misread ("Apr 12, 1985" in the US, "12 Apr 1985" elsewhere)."""

from __future__ import annotations

from datetime import date, datetime

from django import template

from kapclinic.clinics.phones import FALLBACK_REGION
from kapclinic.lib.local_dates import format_local_date

register = template.Library()


@register.filter
def local_date(value: date | datetime | None, country: str = FALLBACK_REGION) -> str:
    if value is None or value == "":
        return ""
    day = value.date() if isinstance(value, datetime) else value
    return format_local_date(day, country or FALLBACK_REGION)
