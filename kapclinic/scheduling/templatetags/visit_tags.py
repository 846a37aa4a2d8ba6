"""Scheduling parts of pages owned by other apps: the portal home's next visit."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from kapclinic.patients.models import Patient
from kapclinic.scheduling.forms import wall_clock
from kapclinic.scheduling.models import ACTIVE_STATUSES, Appointment

register = template.Library()


@register.inclusion_tag("scheduling/_next_visit.html")
def next_visit(patient: Patient) -> dict[str, Any]:
    """The patient's next visit still to come (one query), in its site's time, so the
    portal home answers "when am I next expected?" without a trip to the list."""
    found = (
        Appointment.objects.filter(
            patient=patient, end__gte=timezone.now(), status__in=ACTIVE_STATUSES
        )
        .select_related("appointment_type", "site")
        .order_by("start")
        .first()
    )
    local_start = wall_clock(found.start, ZoneInfo(found.site.time_zone)) if found else None
    return {"visit": found, "local_start": local_start}
