"""Schema rules the database keeps, whatever the code does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from kapclinic.scheduling import actions
from kapclinic.scheduling.models import Reminder, WorkingHours
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at


def test_a_reminder_is_recorded_once_per_channel_and_time(schedule: Schedule) -> None:
    appt = actions.book_appointment(
        actor=schedule.cast.front_desk,
        patient=schedule.cast.patient,
        appointment_type=schedule.follow_up,
        start=at(MONDAY, 10),
        clinician=schedule.cast.prescriber.pk,
    )
    due = appt.start - dt.timedelta(hours=24)
    Reminder.objects.create(appointment=appt, channel="email", hours_before=24, due_at=due)
    Reminder.objects.create(appointment=appt, channel="sms", hours_before=24, due_at=due)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(appointment=appt, channel="email", hours_before=24, due_at=due)


def test_working_hours_must_end_after_they_start(schedule: Schedule) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingHours.objects.create(
            staff=schedule.cast.nurse,
            site=schedule.cast.site,
            weekday=0,
            start_time=dt.time(12),
            end_time=dt.time(9),
        )
