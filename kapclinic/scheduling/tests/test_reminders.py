"""Reminders: planned on booking, moved with the visit, sent once, never for a
cancelled visit; content in the site's time, with the route's preparation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from kapclinic.audit.models import AuditEvent
from kapclinic.scheduling import actions, sms
from kapclinic.scheduling.models import (
    Appointment,
    AppointmentType,
    BookingPolicy,
    Reminder,
    Resource,
    TypeCode,
)
from kapclinic.scheduling.reminders import plan_reminders, send_due_reminders, send_reminder
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at

pytestmark = pytest.mark.django_db

BOOKED_AT = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
VISIT = at(MONDAY + dt.timedelta(days=1), 10)  # Tuesday 8 January 2030, 10:00 New York


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.SMS_BACKEND = "kapclinic.scheduling.sms.LocmemBackend"
    settings.PUBLIC_BASE_URL = "https://clinic.test"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def book(schedule: Schedule, start: dt.datetime, kind: AppointmentType | None = None, **kw):
    cast = schedule.cast
    kind = kind or schedule.follow_up
    return actions.book_appointment(
        actor=cast.front_desk,
        patient=cast.patient,
        appointment_type=kind,
        start=start,
        clinician=kw.pop("clinician", cast.prescriber.pk),
        now=BOOKED_AT,
        **kw,
    )


@pytest.fixture
def with_phone(schedule: Schedule) -> None:
    schedule.cast.patient.phone = "+1 555 0100"
    schedule.cast.patient.save(update_fields=["phone"])


def test_booking_plans_email_and_sms_48_and_24_hours_before(
    schedule, with_phone, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(BOOKED_AT, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(schedule, VISIT)
    rows = Reminder.objects.filter(appointment=appointment)
    assert sorted((r.channel, r.hours_before, r.due_at) for r in rows) == [
        ("email", 24, VISIT - dt.timedelta(hours=24)),
        ("email", 48, VISIT - dt.timedelta(hours=48)),
        ("sms", 24, VISIT - dt.timedelta(hours=24)),
        ("sms", 48, VISIT - dt.timedelta(hours=48)),
    ]
    assert not any(r.sent_at for r in rows)


def test_each_reminder_goes_out_once_when_due(schedule, with_phone, time_machine):
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(schedule, VISIT)
    plan_reminders(appointment.pk)

    time_machine.move_to(VISIT - dt.timedelta(hours=48, seconds=1), tick=False)
    assert send_due_reminders() == 0
    time_machine.move_to(VISIT - dt.timedelta(hours=48), tick=False)
    assert send_due_reminders() == 2
    assert send_due_reminders() == 0  # a second sweep, or a retried task, sends nothing
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    first = Reminder.objects.get(appointment=appointment, channel="email", hours_before=48)
    assert send_reminder(first.pk) is False

    time_machine.move_to(VISIT - dt.timedelta(hours=23), tick=False)
    assert send_due_reminders() == 2
    assert len(mail.outbox) == 2 and len(sms.outbox) == 2
    assert Reminder.objects.filter(appointment=appointment, sent_at__isnull=True).count() == 0
    assert AuditEvent.objects.filter(object_type="scheduling.reminder").count() == 4


def test_no_reminder_after_the_visit_has_started(schedule, time_machine):
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(schedule, VISIT)
    plan_reminders(appointment.pk)
    time_machine.move_to(VISIT, tick=False)
    assert send_due_reminders() == 0
    assert mail.outbox == []


def test_lead_times_already_past_at_booking_are_skipped(schedule, time_machine):
    time_machine.move_to(VISIT - dt.timedelta(hours=30), tick=False)
    appointment = book(schedule, VISIT)
    planned = plan_reminders(appointment.pk)
    assert sorted((r.channel, r.hours_before) for r in planned) == [("email", 24), ("sms", 24)]


def test_policy_sets_the_lead_times(schedule, time_machine):
    BookingPolicy.objects.create(
        site=schedule.cast.site, first_reminder_hours=72, second_reminder_hours=2
    )
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(schedule, VISIT)
    planned = plan_reminders(appointment.pk)
    assert sorted({r.hours_before for r in planned}) == [2, 72]


def test_cancelling_stops_reminders(schedule, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(BOOKED_AT, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(schedule, VISIT)
    assert Reminder.objects.filter(appointment=appointment).count() == 4
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel(actor=schedule.cast.front_desk, appointment=appointment, reason="Ill")
    assert Reminder.objects.filter(appointment=appointment).count() == 0


def test_a_cancelled_visit_is_not_reminded_even_with_rows_left(schedule, time_machine):
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(schedule, VISIT)
    plan_reminders(appointment.pk)
    # Cancelled without the follow-up running (e.g. a worker was down).
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled")
    time_machine.move_to(VISIT - dt.timedelta(hours=24), tick=False)
    assert send_due_reminders() == 0
    assert mail.outbox == []


def test_moving_the_visit_moves_and_resends_its_reminders(
    schedule, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(BOOKED_AT, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(schedule, VISIT)
    time_machine.move_to(VISIT - dt.timedelta(hours=47), tick=False)
    assert send_due_reminders() == 2  # the 48-hour e-mail and text
    later = VISIT + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reschedule_appointment(
            actor=schedule.cast.front_desk, appointment=appointment, start=later
        )
    emails = Reminder.objects.filter(appointment=appointment, channel="email")
    rows = {r.hours_before: r for r in emails}
    assert rows[48].due_at == later - dt.timedelta(hours=48) and rows[48].sent_at is None
    assert rows[24].due_at == later - dt.timedelta(hours=24)
    time_machine.move_to(VISIT - dt.timedelta(hours=24), tick=False)
    assert send_due_reminders() == 0  # the old due time no longer counts
    time_machine.move_to(later - dt.timedelta(hours=48), tick=False)
    assert send_due_reminders() == 2
    assert "Thursday 10 January 2030 at 10:00 AM EST" in mail.outbox[-1].body


def test_email_content_in_site_time_with_address_and_instructions(schedule, time_machine):
    schedule.follow_up.instructions = "Join from a quiet, private room."
    schedule.follow_up.save(update_fields=["instructions"])
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(schedule, VISIT)
    plan_reminders(appointment.pk)
    time_machine.move_to(VISIT - dt.timedelta(hours=24), tick=False)
    send_due_reminders()
    (message,) = mail.outbox
    assert message.to == ["pat@test.example"]
    assert "Tuesday 8 January 2030 at 10:00 AM EST" in message.subject
    assert "Tuesday 8 January 2030 at 10:00 AM EST" in message.body
    assert schedule.cast.site.address in message.body
    assert "Join from a quiet, private room." in message.body
    assert "https://clinic.test/r/" in message.body
    assert "drive" not in message.body  # not a dosing session


def test_esketamine_reminder_carries_the_route_preparation(schedule, with_phone, time_machine):
    esketamine = AppointmentType.objects.create(
        site=schedule.cast.site,
        code=TypeCode.DOSING_ESKETAMINE,
        name="Esketamine session",
        duration_minutes=10,
        provider_roles=["nurse", "prescriber"],
        resource=Resource.CHAIR,
        instructions="Bring your REMS wallet card.",
    )
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(
        schedule, VISIT, esketamine, clinician=schedule.cast.nurse.pk, chair=schedule.chair1.pk
    )
    plan_reminders(appointment.pk)
    time_machine.move_to(VISIT - dt.timedelta(hours=24), tick=False)
    assert send_due_reminders() == 2
    body = mail.outbox[0].body
    for line in (
        "Do not eat for 2 hours before",
        "Do not drink anything for 30 minutes before",
        "Arrange for someone to take you home",
        "Do not drive until the next day, after a restful night's sleep.",
        "Bring your REMS wallet card.",
    ):
        assert line in body
    (text,) = sms.outbox
    assert text.to == "+1 555 0100"
    assert "Do not eat for 2 hours before" in text.body
    assert "https://clinic.test/r/" in text.body
    # A lock screen is not private: no treatment named, no clinic instructions.
    assert "ketamine" not in text.body.lower() and "REMS" not in text.body


def test_racemic_dosing_says_no_driving_for_24_hours(schedule, time_machine):
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(
        schedule, VISIT, schedule.dosing, clinician=schedule.cast.nurse.pk, chair=schedule.chair1.pk
    )
    plan_reminders(appointment.pk)
    time_machine.move_to(VISIT - dt.timedelta(hours=24), tick=False)
    send_due_reminders()
    body = mail.outbox[0].body
    assert "Do not drive for 24 hours" in body
    assert "Do not eat" not in body


def test_late_sweep_sends_only_the_latest_reminder(schedule, time_machine):
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(schedule, VISIT)
    plan_reminders(appointment.pk)
    time_machine.move_to(VISIT - dt.timedelta(hours=20), tick=False)  # both overdue
    assert send_due_reminders() == 2  # one e-mail, one text
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    assert not Reminder.objects.filter(appointment=appointment, hours_before=48).exists()


def test_24_hour_reminder_the_day_after_the_clocks_go_forward(schedule, time_machine):
    # US daylight saving starts Sunday 10 March 2030; the visit is Monday 10:00 EDT.
    visit = at(dt.date(2030, 3, 11), 10)
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(schedule, visit)
    planned = {r.hours_before: r for r in plan_reminders(appointment.pk) if r.channel == "email"}
    # 24 hours of real time: Sunday 10:00 EDT (14:00 UTC), after the change at 02:00.
    assert planned[24].due_at == dt.datetime(2030, 3, 10, 14, tzinfo=dt.UTC)
    # 48 hours spans the change: Saturday 09:00 EST (14:00 UTC), one clock hour earlier.
    assert planned[48].due_at == dt.datetime(2030, 3, 9, 14, tzinfo=dt.UTC)
    time_machine.move_to(dt.datetime(2030, 3, 10, 13, 59, tzinfo=dt.UTC), tick=False)
    assert send_due_reminders() == 2  # only the 48-hour ones
    time_machine.move_to(dt.datetime(2030, 3, 10, 14, tzinfo=dt.UTC), tick=False)
    assert send_due_reminders() == 2
    assert "Monday 11 March 2030 at 10:00 AM EDT" in mail.outbox[-1].body


def test_a_failed_send_is_retried_later(schedule, with_phone, time_machine, settings):
    settings.SMS_BACKEND = "kapclinic.scheduling.tests.test_reminders.BrokenSms"
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(schedule, VISIT)
    plan_reminders(appointment.pk)
    time_machine.move_to(VISIT - dt.timedelta(hours=24), tick=False)
    assert send_due_reminders() == 1  # the e-mail only
    sms_row = Reminder.objects.get(appointment=appointment, channel="sms", hours_before=24)
    assert sms_row.sent_at is None
    settings.SMS_BACKEND = "kapclinic.scheduling.sms.LocmemBackend"
    assert send_due_reminders() == 1
    assert len(sms.outbox) == 1


class BrokenSms:
    def send(self, message: sms.SmsMessage) -> None:
        raise ConnectionError("provider down")


def test_deferred_tasks_are_queued_for_the_due_times(
    schedule, time_machine, settings, django_capture_on_commit_callbacks
):
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(schedule, VISIT)
    with django_capture_on_commit_callbacks(execute=True):
        plan_reminders(appointment.pk)
    runs = sorted(r.task.run_after for r in default_task_backend.results)  # type: ignore[attr-defined]
    first, second = VISIT - dt.timedelta(hours=48), VISIT - dt.timedelta(hours=24)
    assert runs == [first, first, second, second]


def test_sweep_command(schedule, time_machine):
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(schedule, VISIT)
    plan_reminders(appointment.pk)
    time_machine.move_to(VISIT - dt.timedelta(hours=24), tick=False)
    call_command("send_due_reminders")
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1


def test_reminders_the_day_after_the_clocks_go_back(schedule, time_machine):
    # US daylight saving ends Sunday 3 November 2030; the visit is Monday 10:00 EST.
    visit = at(dt.date(2030, 11, 4), 10)
    time_machine.move_to(BOOKED_AT, tick=False)
    appointment = book(schedule, visit)
    planned = {r.hours_before: r for r in plan_reminders(appointment.pk) if r.channel == "email"}
    # Sunday 10:00 EST, after the change at 02:00.
    assert planned[24].due_at == dt.datetime(2030, 11, 3, 15, tzinfo=dt.UTC)
    # 48 hours spans the change: Saturday 11:00 EDT, one clock hour later.
    assert planned[48].due_at == dt.datetime(2030, 11, 2, 15, tzinfo=dt.UTC)
    time_machine.move_to(dt.datetime(2030, 11, 3, 15, tzinfo=dt.UTC), tick=False)
    assert send_due_reminders() == 2  # the 24-hour ones; the 48-hour ones are superseded
    assert "Monday 4 November 2030 at 10:00 AM EST" in mail.outbox[-1].body
