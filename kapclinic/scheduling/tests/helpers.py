"""Appointments made directly for page tests that need one to exist, without the
schedule fixture's working hours (the actions' own tests cover booking rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kapclinic.scheduling.models import Appointment, AppointmentType, Resource, TypeCode
from kapclinic.test import Cast

# The visit types the helper can make: how the site's type is set up if the test has
# none yet, and which of the cast sees the patient in it.
_KINDS: dict[str, tuple[dict[str, Any], str]] = {
    TypeCode.FOLLOW_UP: (
        {
            "name": "Follow-up call",
            "duration_minutes": 30,
            "provider_roles": ["prescriber"],
            "resource": Resource.NONE,
            "patient_bookable": True,
        },
        "prescriber",
    ),
    TypeCode.DOSING_IV: (
        {
            "name": "IV ketamine session",
            "duration_minutes": 40,
            "provider_roles": ["nurse"],
            "resource": Resource.NONE,
        },
        "nurse",
    ),
}


def make_appointment(
    cast: Cast,
    *,
    start: dt.datetime | None = None,
    status: str = "booked",
    code: str = TypeCode.FOLLOW_UP,
) -> Appointment:
    """A follow-up for the cast's patient with the prescriber at site A (or, with
    `code=TypeCode.DOSING_IV`, an IV dosing session with the nurse), in 3 days (or
    right after that clinician's last appointment) unless `start` says otherwise."""
    defaults, provider = _KINDS[code]
    clinician = cast.nurse if provider == "nurse" else cast.prescriber
    kind, _ = AppointmentType.objects.get_or_create(site=cast.site, code=code, defaults=defaults)
    if start is None:
        # In 3 days, or after the clinician's last appointment, so repeated calls never
        # overlap (PostgreSQL's exclusion constraint refuses a double booking).
        start = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
        last_end = (
            Appointment.objects.filter(clinician=clinician)
            .order_by("-hold_end")
            .values_list("hold_end", flat=True)
            .first()
        )
        if last_end is not None and last_end > start:
            start = last_end
    end = start + dt.timedelta(minutes=defaults["duration_minutes"])
    return Appointment.objects.create(
        patient=cast.patient,
        appointment_type=kind,
        site=cast.site,
        clinician=clinician,
        start=start,
        end=end,
        hold_start=start,
        hold_end=end,
        status=status,
    )
