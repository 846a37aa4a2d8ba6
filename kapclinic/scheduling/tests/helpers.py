"""Appointments made directly for page tests that need one to exist, without the
schedule fixture's working hours (the actions' own tests cover booking rules)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kapclinic.scheduling.models import Appointment, AppointmentType, Resource, TypeCode
from kapclinic.test import Cast


def make_appointment(
    cast: Cast, *, start: dt.datetime | None = None, status: str = "booked"
) -> Appointment:
    """A follow-up for the cast's patient with the prescriber at site A, in 3 days
    unless `start` says otherwise."""
    kind, _ = AppointmentType.objects.get_or_create(
        site=cast.site,
        code=TypeCode.FOLLOW_UP,
        defaults={
            "name": "Follow-up call",
            "duration_minutes": 30,
            "provider_roles": ["prescriber"],
            "resource": Resource.NONE,
            "patient_bookable": True,
        },
    )
    start = start or (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    end = start + dt.timedelta(minutes=30)
    return Appointment.objects.create(
        patient=cast.patient,
        appointment_type=kind,
        site=cast.site,
        clinician=cast.prescriber,
        start=start,
        end=end,
        hold_start=start,
        hold_end=end,
        status=status,
    )
