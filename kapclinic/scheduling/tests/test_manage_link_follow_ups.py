"""A booking from the public page, and a change made from its e-mailed manage link,
have the same follow-ups as the same booking or change made anywhere else: the visit
is reminded of, a moved visit's reminders move with it, and a cancelled visit's time
is offered to the waitlist."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from kapclinic.scheduling import actions, waitlist
from kapclinic.scheduling.models import Appointment, Reminder
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
VISIT = at(MONDAY + dt.timedelta(days=1), 10)  # Tuesday 8 January 2030, 10:00 New York
LATER = VISIT + dt.timedelta(days=2)


@pytest.fixture
def booked(schedule: Schedule, time_machine, django_capture_on_commit_callbacks) -> Appointment:
    """The patient's consultation, with its reminders planned."""
    time_machine.move_to(NOW, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        return actions.book_appointment(
            actor=schedule.cast.front_desk,
            patient=schedule.cast.patient,
            appointment_type=schedule.consultation,
            start=VISIT,
            clinician=schedule.cast.prescriber.pk,
            room=schedule.consulting_room.pk,
        )


def test_moving_by_link_moves_the_reminders(schedule, booked, django_capture_on_commit_callbacks):
    due = set(Reminder.objects.filter(appointment=booked).values_list("due_at", flat=True))
    assert due == {VISIT - dt.timedelta(hours=48), VISIT - dt.timedelta(hours=24)}
    with django_capture_on_commit_callbacks(execute=True):
        actions.reschedule_by_link(
            appointment=booked,
            start=LATER,
            clinician=schedule.cast.prescriber.pk,
            room=schedule.consulting_room.pk,
            chair=None,
            reason="Work",
        )
    due = set(Reminder.objects.filter(appointment=booked).values_list("due_at", flat=True))
    assert due == {LATER - dt.timedelta(hours=48), LATER - dt.timedelta(hours=24)}


def test_cancelling_by_link_offers_the_time_and_stops_the_reminders(
    schedule, booked, django_capture_on_commit_callbacks
):
    waitlist.join_waitlist(
        actor=schedule.cast.front_desk,
        patient=schedule.cast.other_patient,
        appointment_type=schedule.consultation,
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_by_link(appointment=booked, reason="Feeling better")
    assert [m.to[0] for m in mail.outbox] == ["oscar@test.example"]
    assert "Tuesday 8 January 2030 at 10:00 AM EST" in mail.outbox[0].body
    assert not Reminder.objects.filter(appointment=booked).exists()


def test_a_refused_change_by_link_sends_nothing(
    schedule, booked, time_machine, django_capture_on_commit_callbacks
):
    waitlist.join_waitlist(
        actor=schedule.cast.front_desk,
        patient=schedule.cast.other_patient,
        appointment_type=schedule.consultation,
    )
    planned = Reminder.objects.filter(appointment=booked).count()
    time_machine.move_to(VISIT - dt.timedelta(hours=2), tick=False)  # inside the window
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(actions.NotAllowed):
        actions.cancel_by_link(appointment=booked, reason="Feeling better")
    assert mail.outbox == []
    assert planned > 0
    assert Reminder.objects.filter(appointment=booked).count() == planned


def test_a_visitor_booking_is_reminded_of(
    schedule, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = actions.book_from_public_page(
            appointment_type=schedule.consultation,
            start=VISIT,
            clinician=schedule.cast.prescriber.pk,
            room=schedule.consulting_room.pk,
            chair=None,
            details={
                "given_name": "Vera",
                "family_name": "Visitor",
                "birth_date": dt.date(1990, 5, 1),
                "email": "vera@test.example",
                "phone": "",
            },
            reason="Depression",
            prescreen={},
        )
    reminders = Reminder.objects.filter(appointment=appointment)
    assert {(r.channel, r.due_at) for r in reminders} == {
        ("email", VISIT - dt.timedelta(hours=48)),
        ("email", VISIT - dt.timedelta(hours=24)),
    }
