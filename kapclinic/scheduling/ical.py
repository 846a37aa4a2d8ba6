"""The iCalendar (.ics) file of one appointment, attached to the booking e-mail and
offered on the manage page, so patients can add the visit to their own calendar."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from icalendar import Calendar, Event

from kapclinic.scheduling.models import Appointment, AppointmentStatus


def appointment_ics(appointment: Appointment, *, now: dt.datetime | None = None) -> bytes:
    """One VEVENT in UTC; a cancelled visit is sent as CANCELLED so calendars drop it."""
    cal = Calendar()
    cal.add("prodid", "-//kapclinic//appointment//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@{settings.SITE_NAME}")
    event.add("dtstamp", (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC))
    event.add("dtstart", appointment.start.astimezone(dt.UTC))
    event.add("dtend", appointment.end.astimezone(dt.UTC))
    # The patient's own calendar: the visit and place, never clinical detail.
    event.add("summary", f"{appointment.appointment_type.name} at {appointment.site.name}")
    event.add("location", f"{appointment.site.name}, {appointment.site.address}")
    if appointment.appointment_type.instructions:
        event.add("description", appointment.appointment_type.instructions)
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(event)
    return bytes(cal.to_ical())
