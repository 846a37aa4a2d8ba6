"""The pages a reminder links to, with a real booked visit behind them, for the
accessibility and Content Security Policy checks."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from kapclinic.scheduling import actions
from kapclinic.scheduling.models import WaitlistEntry
from kapclinic.scheduling.reminder_links import REMINDER_SALT, make_token, offer_url
from kapclinic.scheduling.tests.conftest import build_schedule
from kapclinic.test import Cast


def reminder_paths(cast: Cast) -> list[str]:
    """The confirm-or-cancel page of a visit next week, a dead link's page, and a
    waitlist offer of that visit's time."""
    schedule = build_schedule(cast)
    today = dt.datetime.now(dt.UTC).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    start = dt.datetime.combine(monday, dt.time(15), tzinfo=dt.UTC)  # 10:00 or 11:00 New York
    appointment = actions.book_appointment(
        actor=cast.front_desk,
        patient=cast.patient,
        appointment_type=schedule.follow_up,
        start=start,
        clinician=cast.prescriber.pk,
    )
    token = make_token(appointment.pk, appointment.start, salt=REMINDER_SALT)
    entry = WaitlistEntry.objects.create(
        patient=cast.other_patient, appointment_type=schedule.follow_up
    )
    claim = offer_url(entry.pk, appointment.pk, appointment.start)
    return [
        reverse("reminders:respond", args=[token]),
        reverse("reminders:respond", args=["no-longer-valid"]),
        claim[claim.index("/r/") :],
    ]
