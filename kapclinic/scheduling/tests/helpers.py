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
    """A follow-up for the cast's patient with the prescriber at site A, in 3 days (or
    right after the prescriber's last appointment) unless `start` says otherwise."""
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
    if start is None:
        # In 3 days, or after the prescriber's last appointment, so repeated calls never
        # overlap (PostgreSQL's exclusion constraint refuses a double booking).
        start = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
        last_end = (
            Appointment.objects.filter(clinician=cast.prescriber)
            .order_by("-hold_end")
            .values_list("hold_end", flat=True)
            .first()
        )
        if last_end is not None and last_end > start:
            start = last_end
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
