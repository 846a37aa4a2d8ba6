"""The change window: a patient may move or cancel a visit only until the site's
BookingPolicy window (default 24 hours) before it; staff always may."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from kapclinic.accounts.actions import create_api_token
from kapclinic.audit.models import AuditEvent
from kapclinic.scheduling import actions
from kapclinic.scheduling.models import Appointment, AppointmentStatus, BookingPolicy
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at

S = AppointmentStatus
VISIT = at(MONDAY, 10)  # Monday 10:00 New York


def _book(s: Schedule) -> Appointment:
    with time_machine.travel(VISIT - dt.timedelta(days=10), tick=False):
        return actions.book_appointment(
            actor=s.cast.front_desk,
            patient=s.cast.patient,
            appointment_type=s.consultation,
            start=VISIT,
            clinician=s.cast.prescriber.pk,
            room=s.consulting_room.pk,
        )


def test_patient_cancels_just_outside_the_default_window(schedule: Schedule) -> None:
    appointment = _book(schedule)
    with time_machine.travel(VISIT - dt.timedelta(hours=24), tick=False):
        actions.cancel(actor=schedule.cast.patient_user, appointment=appointment, reason="Ill")
    appointment.refresh_from_db()
    assert appointment.status == S.CANCELLED


def test_patient_cannot_cancel_inside_the_window_and_nothing_changes(schedule: Schedule) -> None:
    appointment = _book(schedule)
    events = AuditEvent.objects.count()
    with (
        time_machine.travel(VISIT - dt.timedelta(hours=23, minutes=59), tick=False),
        pytest.raises(actions.InsideChangeWindow, match="less than 24 hours away"),
    ):
        actions.cancel(actor=schedule.cast.patient_user, appointment=appointment, reason="Ill")
    appointment.refresh_from_db()
    assert appointment.status == S.BOOKED
    assert AuditEvent.objects.count() == events


def test_patient_cannot_reschedule_inside_the_window(schedule: Schedule) -> None:
    appointment = _book(schedule)
    with (
        time_machine.travel(VISIT - dt.timedelta(hours=2), tick=False),
        pytest.raises(actions.InsideChangeWindow),
    ):
        actions.reschedule_appointment(
            actor=schedule.cast.patient_user, appointment=appointment, start=at(MONDAY, 14)
        )
    appointment.refresh_from_db()
    assert appointment.start == VISIT


def test_patient_may_still_confirm_inside_the_window(schedule: Schedule) -> None:
    appointment = _book(schedule)
    with time_machine.travel(VISIT - dt.timedelta(hours=2), tick=False):
        actions.confirm(actor=schedule.cast.patient_user, appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.status == S.CONFIRMED


def test_staff_may_always_change(schedule: Schedule) -> None:
    appointment = _book(schedule)
    with time_machine.travel(VISIT - dt.timedelta(hours=2), tick=False):
        moved = actions.reschedule_appointment(
            actor=schedule.cast.front_desk, appointment=appointment, start=at(MONDAY, 14)
        )
        actions.cancel(actor=schedule.cast.front_desk, appointment=moved, reason="Clinic closed")
    appointment.refresh_from_db()
    assert appointment.status == S.CANCELLED


def test_site_policy_sets_the_window(schedule: Schedule) -> None:
    BookingPolicy.objects.create(site=schedule.cast.site, change_window_hours=48)
    appointment = _book(schedule)
    with (
        time_machine.travel(VISIT - dt.timedelta(hours=30), tick=False),
        pytest.raises(actions.InsideChangeWindow, match="less than 48 hours away"),
    ):
        actions.cancel(actor=schedule.cast.patient_user, appointment=appointment, reason="Ill")
    with time_machine.travel(VISIT - dt.timedelta(hours=49), tick=False):
        actions.cancel(actor=schedule.cast.patient_user, appointment=appointment, reason="Ill")


def test_api_patch_obeys_the_window_for_patients(client: Client, schedule: Schedule) -> None:
    appointment = _book(schedule)
    _, token = create_api_token(actor=None, user=schedule.cast.patient_user, name="t")
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/appointments/{appointment.pk}"
    body = {"status": "cancelled", "reason": "Ill"}
    with time_machine.travel(VISIT - dt.timedelta(hours=3), tick=False):
        late = client.patch(url, body, content_type="application/json", headers=headers)
        moved = client.patch(
            url,
            {"start": at(MONDAY, 14).isoformat()},
            content_type="application/json",
            headers=headers,
        )
    assert late.status_code == 403
    assert "less than 24 hours away" in late.json()["detail"]
    assert moved.status_code == 403
    appointment.refresh_from_db()
    assert (appointment.status, appointment.start) == (S.BOOKED, VISIT)
    with time_machine.travel(VISIT - dt.timedelta(days=3), tick=False):
        early = client.patch(url, body, content_type="application/json", headers=headers)
    assert early.status_code == 200
    assert early.json()["status"] == "cancelled"
