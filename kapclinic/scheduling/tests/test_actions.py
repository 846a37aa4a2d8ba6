"""Booking, moving and the appointment state machine, through the audited actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.patients.models import PathwayStage
from kapclinic.scheduling import actions
from kapclinic.scheduling.models import Appointment, AppointmentStatus, Closure, TimeOff
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at

S = AppointmentStatus
NOW = dt.datetime(2029, 12, 1, tzinfo=dt.UTC)


def book_consultation(s: Schedule, hour: int = 10, minute: int = 0, **kw) -> Appointment:
    params: dict[str, Any] = {
        "actor": s.cast.front_desk,
        "patient": s.cast.patient,
        "appointment_type": s.consultation,
        "start": at(MONDAY, hour, minute),
        "clinician": s.cast.prescriber.pk,
        "room": s.consulting_room.pk,
        "now": NOW,
    }
    params.update(kw)
    return actions.book_appointment(**params)


def book_dosing(s: Schedule, hour: int, minute: int = 0, **kw) -> Appointment:
    params: dict[str, Any] = {
        "actor": s.cast.nurse,
        "patient": s.cast.patient,
        "appointment_type": s.dosing,
        "start": at(MONDAY, hour, minute),
        "clinician": s.cast.nurse.pk,
        "chair": s.chair1.pk,
        "now": NOW,
    }
    params.update(kw)
    return actions.book_appointment(**params)


def test_booking_stores_utc_times_and_held_span_and_audits(schedule: Schedule) -> None:
    appt = book_consultation(schedule)
    appt.refresh_from_db()
    # 10:00 in New York in January is 15:00 UTC.
    assert appt.start == dt.datetime(2030, 1, 7, 15, 0, tzinfo=dt.UTC)
    assert appt.end - appt.start == dt.timedelta(minutes=60)
    assert appt.hold_start == appt.start
    assert appt.hold_end == appt.end + dt.timedelta(minutes=10)
    assert appt.status == S.BOOKED
    event = AuditEvent.objects.get(object_type="scheduling.appointment", action=AuditAction.CREATE)
    assert event.actor == schedule.cast.front_desk
    assert event.patient_id == schedule.cast.patient.pk
    assert event.object_id == str(appt.pk)


def test_dosing_holds_chair_for_dose_plus_site_observation_minimum(schedule: Schedule) -> None:
    settings = schedule.cast.site.settings
    settings.min_observation_minutes = 150
    settings.save()
    appt = book_dosing(schedule, 9)
    assert appt.end - appt.start == dt.timedelta(minutes=40 + 150)
    assert appt.hold_start == appt.start - dt.timedelta(minutes=15)
    assert appt.room_id == schedule.dosing_room.pk  # the chair's room, for the calendar


def test_clinician_cannot_be_double_booked(schedule: Schedule) -> None:
    book_consultation(schedule, 10)
    with pytest.raises(actions.SlotTaken) as caught:
        book_consultation(schedule, 10, 30, appointment_type=schedule.follow_up, room=None)
    assert caught.value.resource == "clinician"
    assert caught.value.message == "Priya Prescriber is already booked then."
    assert Appointment.objects.count() == 1


def test_room_cannot_be_double_booked(schedule: Schedule) -> None:
    book_consultation(schedule, 10)
    with pytest.raises(actions.SlotTaken) as caught:
        book_consultation(schedule, 10, 30, clinician=schedule.cast.therapist.pk)
    assert caught.value.resource == "room"
    assert "Consulting Room" in caught.value.message


def test_chair_cannot_be_double_booked_but_the_other_chair_can(schedule: Schedule) -> None:
    book_dosing(schedule, 9)
    with pytest.raises(actions.SlotTaken) as caught:
        book_dosing(schedule, 10, clinician=schedule.cast.prescriber.pk)
    assert caught.value.resource == "chair"
    assert "Chair 1" in caught.value.message
    other = book_dosing(
        schedule, 10, clinician=schedule.cast.prescriber.pk, chair=schedule.chair2.pk
    )
    assert other.chair_id == schedule.chair2.pk


def test_buffers_keep_visits_apart_but_back_to_back_holds_are_allowed(schedule: Schedule) -> None:
    book_consultation(schedule, 10)  # held 10:00-11:10
    with pytest.raises(actions.SlotTaken):
        book_consultation(schedule, 11, 5, patient=schedule.cast.other_patient)
    follow = book_consultation(schedule, 11, 10, patient=schedule.cast.other_patient)
    assert follow.start == at(MONDAY, 11, 10)


def test_outside_working_hours_is_refused(schedule: Schedule) -> None:
    with pytest.raises(actions.SlotUnavailable) as caught:
        book_consultation(schedule, 16, 30)  # would end 17:30; the prescriber leaves at 17:00
    assert not isinstance(caught.value, actions.SlotTaken)
    assert "is not working then" in caught.value.message
    assert not Appointment.objects.exists()


def test_dosing_needs_a_prescriber_on_site_for_the_whole_span(schedule: Schedule) -> None:
    # The nurse works until 18:00; the prescriber leaves at 17:00. 14:30 + 160 min = 17:10.
    with pytest.raises(actions.SlotUnavailable) as caught:
        book_dosing(schedule, 14, 30)
    assert "No prescriber is on site" in caught.value.message
    assert book_dosing(schedule, 14, 15).end == at(MONDAY, 16, 55)


def test_prescriber_time_off_blocks_dosing(schedule: Schedule) -> None:
    TimeOff.objects.create(staff=schedule.cast.prescriber, start=at(MONDAY, 12), end=at(MONDAY, 13))
    with pytest.raises(actions.SlotUnavailable, match="No prescriber"):
        book_dosing(schedule, 10)
    assert not Appointment.objects.exists()


def test_closure_blocks_booking(schedule: Schedule) -> None:
    Closure.objects.create(site=schedule.cast.site, start=at(MONDAY, 0), end=at(MONDAY, 23))
    with pytest.raises(actions.SlotUnavailable, match="closed"):
        book_consultation(schedule)


def test_past_and_naive_times_are_refused(schedule: Schedule) -> None:
    with pytest.raises(actions.SlotUnavailable, match="passed"):
        book_consultation(schedule, now=at(MONDAY, 12))
    with pytest.raises(actions.InvalidRequest, match="offset"):
        book_consultation(schedule, start=dt.datetime(2030, 1, 7, 10))


def test_a_room_at_the_wrong_kind_or_site_is_invalid(schedule: Schedule) -> None:
    with pytest.raises(actions.InvalidRequest):
        book_consultation(schedule, room=schedule.dosing_room.pk)
    with pytest.raises(actions.InvalidRequest):
        book_consultation(schedule, clinician=schedule.cast.nurse.pk)


def test_new_patient_may_book_only_the_initial_consultation(schedule: Schedule) -> None:
    patient = schedule.cast.patient
    patient.stage = PathwayStage.ENQUIRY
    patient.save()
    with pytest.raises(actions.NotAllowed, match="initial consultation"):
        actions.book_appointment(
            actor=schedule.cast.patient_user,
            patient=patient,
            appointment_type=schedule.follow_up,
            start=at(MONDAY, 10),
            clinician=schedule.cast.prescriber.pk,
            now=NOW,
        )
    appt = book_consultation(schedule, actor=schedule.cast.patient_user)
    assert appt.booked_by == schedule.cast.patient_user


def test_patient_cannot_book_dosing_or_for_someone_else(schedule: Schedule) -> None:
    with pytest.raises(actions.NotAllowed, match="clinic team"):
        book_dosing(schedule, 9, actor=schedule.cast.patient_user)
    with pytest.raises(actions.NotAllowed):
        book_consultation(
            schedule, actor=schedule.cast.other_patient_user, patient=schedule.cast.patient
        )
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("who", ["admin", "outsider"])
def test_staff_without_access_cannot_book(schedule: Schedule, who: str) -> None:
    with pytest.raises(actions.NotAllowed):
        book_consultation(schedule, actor=schedule.cast.staff()[who])
    assert not Appointment.objects.exists()


def test_the_whole_visit_lifecycle(schedule: Schedule) -> None:
    appt = book_consultation(schedule)
    desk = schedule.cast.front_desk
    actions.confirm(actor=schedule.cast.patient_user, appointment=appt)
    actions.check_in(actor=desk, appointment=appt)
    actions.start_visit(actor=schedule.cast.prescriber, appointment=appt)
    done = actions.complete(actor=schedule.cast.prescriber, appointment=appt)
    assert done.status == S.COMPLETED
    steps = AuditEvent.objects.filter(object_id=str(appt.pk), object_type="scheduling.appointment")
    assert sorted(e.detail["status"] for e in steps) == sorted(
        ["booked", "confirmed", "checked_in", "in_progress", "completed"]
    )


@pytest.mark.parametrize(
    ("start_status", "step"),
    [
        (S.BOOKED, actions.complete),
        (S.BOOKED, actions.start_visit),
        (S.CHECKED_IN, actions.confirm),
        (S.COMPLETED, actions.check_in),
        (S.CANCELLED, actions.confirm),
        (S.NO_SHOW, actions.check_in),
    ],
)
def test_illegal_transitions_change_nothing(schedule: Schedule, start_status, step) -> None:
    appt = book_consultation(schedule)
    Appointment.objects.filter(pk=appt.pk).update(status=start_status)
    events = AuditEvent.objects.count()
    with pytest.raises(actions.IllegalTransition):
        step(actor=schedule.cast.front_desk, appointment=appt)
    appt.refresh_from_db()
    assert appt.status == start_status
    assert AuditEvent.objects.count() == events


def test_cancel_needs_a_reason_and_frees_the_slot(schedule: Schedule) -> None:
    appt = book_consultation(schedule)
    with pytest.raises(actions.InvalidRequest, match="reason"):
        actions.cancel(actor=schedule.cast.patient_user, appointment=appt, reason="  ")
    cancelled = actions.cancel(actor=schedule.cast.patient_user, appointment=appt, reason="Unwell")
    assert cancelled.cancel_reason == "Unwell"
    event = AuditEvent.objects.filter(object_id=str(appt.pk)).order_by("-id").first()
    assert event is not None and "Unwell" not in str(event.detail)
    again = book_consultation(schedule, patient=schedule.cast.other_patient)
    assert again.start == appt.start


def test_patient_may_not_check_themselves_in(schedule: Schedule) -> None:
    appt = book_consultation(schedule)
    with pytest.raises(actions.NotAllowed):
        actions.check_in(actor=schedule.cast.patient_user, appointment=appt)
    appt.refresh_from_db()
    assert appt.status == S.BOOKED


def test_no_show_only_once_the_visit_was_due(schedule: Schedule) -> None:
    appt = book_consultation(schedule)
    with pytest.raises(actions.IllegalTransition):
        actions.mark_no_show(actor=schedule.cast.front_desk, appointment=appt, now=NOW)
    marked = actions.mark_no_show(
        actor=schedule.cast.front_desk, appointment=appt, now=at(MONDAY, 10, 20)
    )
    assert marked.status == S.NO_SHOW


def test_reschedule_moves_and_asks_for_confirmation_again(schedule: Schedule) -> None:
    appt = book_consultation(schedule)
    actions.confirm(actor=schedule.cast.front_desk, appointment=appt)
    moved = actions.reschedule_appointment(
        actor=schedule.cast.front_desk,
        appointment=appt,
        start=at(MONDAY, 14),
        clinician=schedule.cast.therapist.pk,
        now=NOW,
    )
    moved.refresh_from_db()
    assert moved.start == at(MONDAY, 14)
    assert moved.clinician == schedule.cast.therapist
    assert moved.room_id == schedule.consulting_room.pk
    assert moved.status == S.BOOKED
    event = AuditEvent.objects.filter(object_id=str(appt.pk)).order_by("-id").first()
    assert event is not None and event.detail["fields"] == ["start", "clinician"]


def test_reschedule_may_overlap_its_own_old_time(schedule: Schedule) -> None:
    appt = book_consultation(schedule, 10)
    moved = actions.reschedule_appointment(
        actor=schedule.cast.front_desk, appointment=appt, start=at(MONDAY, 10, 30), now=NOW
    )
    assert moved.start == at(MONDAY, 10, 30)


def test_reschedule_into_a_conflict_changes_nothing(schedule: Schedule) -> None:
    first = book_consultation(schedule, 10)
    second = book_consultation(schedule, 14, patient=schedule.cast.other_patient)
    with pytest.raises(actions.SlotTaken):
        actions.reschedule_appointment(
            actor=schedule.cast.front_desk, appointment=second, start=at(MONDAY, 10, 30), now=NOW
        )
    second.refresh_from_db()
    assert second.start == at(MONDAY, 14)
    assert first.start == at(MONDAY, 10)


def test_cancelled_appointment_cannot_be_moved(schedule: Schedule) -> None:
    appt = book_consultation(schedule)
    actions.cancel(actor=schedule.cast.front_desk, appointment=appt, reason="Clinic request")
    with pytest.raises(actions.IllegalTransition):
        actions.reschedule_appointment(
            actor=schedule.cast.front_desk, appointment=appt, start=at(MONDAY, 14), now=NOW
        )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's lock")
@pytest.mark.django_db(transaction=True)
def test_sqlite_booking_checks_and_inserts_under_the_write_lock(cast) -> None:
    # BEGIN IMMEDIATE takes SQLite's write lock before the availability check, so a
    # second booker's transaction waits until this one commits, then sees it.
    from kapclinic.scheduling.tests.conftest import build_schedule

    schedule = build_schedule(cast)
    with CaptureQueriesContext(connection) as queries:
        book_consultation(schedule)
    sql = [q["sql"] for q in queries.captured_queries]
    begin = next(i for i, q in enumerate(sql) if q.startswith("BEGIN"))
    assert sql[begin] == "BEGIN IMMEDIATE"
    checks = [
        i for i, q in enumerate(sql) if "scheduling_appointment" in q and q.startswith("SELECT")
    ]
    insert = next(
        i for i, q in enumerate(sql) if q.startswith('INSERT INTO "scheduling_appointment"')
    )
    assert begin < checks[0] < insert


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's constraint")
def test_postgres_constraint_refuses_overlap_even_without_the_check(schedule: Schedule) -> None:
    from django.db import IntegrityError, transaction

    appt = book_consultation(schedule)
    clone = Appointment(
        patient=schedule.cast.other_patient,
        appointment_type=appt.appointment_type,
        site=appt.site,
        clinician=schedule.cast.therapist,
        room=appt.room,
        start=appt.start + dt.timedelta(minutes=30),
        end=appt.end + dt.timedelta(minutes=30),
        hold_start=appt.start + dt.timedelta(minutes=30),
        hold_end=appt.end + dt.timedelta(minutes=30),
    )
    with (
        pytest.raises(IntegrityError, match="appointment_no_double_booked_room"),
        transaction.atomic(),
    ):
        clone.save()
    clone.room = None
    clone.clinician = schedule.cast.prescriber
    with (
        pytest.raises(IntegrityError, match="appointment_no_double_booked_clinician"),
        transaction.atomic(),
    ):
        clone.save()
    clone.status = S.CANCELLED  # cancelled visits hold nothing
    clone.save()
