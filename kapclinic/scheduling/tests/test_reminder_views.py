"""The confirm-or-cancel page a reminder links to: no password, signed link, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.scheduling import actions
from kapclinic.scheduling.models import Appointment
from kapclinic.scheduling.reminder_links import REMINDER_SALT, make_token
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at

pytestmark = pytest.mark.django_db

VISIT = at(MONDAY + dt.timedelta(days=1), 10)
NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def appointment(schedule: Schedule, time_machine) -> Appointment:
    time_machine.move_to(NOW, tick=False)
    return actions.book_appointment(
        actor=schedule.cast.front_desk,
        patient=schedule.cast.patient,
        appointment_type=schedule.follow_up,
        start=VISIT,
        clinician=schedule.cast.prescriber.pk,
    )


def url_for(appointment: Appointment) -> str:
    return reverse(
        "reminders:respond",
        args=[make_token(appointment.pk, appointment.start, salt=REMINDER_SALT)],
    )


def audit_rows(appointment: Appointment) -> int:
    return AuditEvent.objects.filter(
        object_type="scheduling.appointment", object_id=str(appointment.pk)
    ).count()


def test_page_shows_the_visit_without_the_patients_name(client, appointment):
    before = audit_rows(appointment)
    response = client.get(url_for(appointment))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tuesday 8 January 2030 at 10:00 AM EST" in body
    assert "Yes, I will be there" in body
    assert "Ient" not in body and "Pat " not in body
    assert audit_rows(appointment) == before + 1


def test_confirm(client, appointment):
    url = url_for(appointment)
    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"
    assert "You have confirmed this appointment" in client.get(url).content.decode()
    # Confirming twice is harmless.
    assert client.post(url, {"action": "confirm"}).status_code == 302


def test_cancel_needs_a_reason(client, appointment):
    response = client.post(url_for(appointment), {"action": "cancel", "reason": "  "})
    assert response.status_code == 400
    assert "Why are you cancelling?" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_cancel_with_a_reason(client, appointment):
    before = audit_rows(appointment)
    url = url_for(appointment)
    response = client.post(url, {"action": "cancel", "reason": "Family emergency"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert appointment.cancel_reason == "Family emergency"
    assert audit_rows(appointment) == before + 1
    body = client.get(url).content.decode()
    assert "This appointment is cancelled" in body
    assert "Yes, I will be there" not in body


def test_a_link_cannot_do_what_only_the_clinic_may(client, appointment):
    client.post(url_for(appointment), {"action": "checked_in"})
    appointment.refresh_from_db()
    assert appointment.status == "booked"


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        signing.dumps([1, 1893456000], salt="another-purpose"),
        signing.dumps(["1", "x"], salt=REMINDER_SALT),
    ],
    # Fixed ids: a signed value carries the time, so two xdist workers collecting
    # a second apart would otherwise see different test names and refuse to run.
    ids=["garbage", "other-purpose", "bad-payload"],
)
def test_forged_links_get_a_kind_message(client, appointment, token):
    response = client.get(reverse("reminders:respond", args=[token]))
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()


def test_a_link_expires_when_the_visit_starts(client, appointment, time_machine):
    url = url_for(appointment)
    time_machine.move_to(VISIT, tick=False)
    response = client.post(url, {"action": "cancel", "reason": "late"})
    assert "This link no longer works" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_a_moved_visit_voids_the_old_link(client, appointment, schedule):
    old = url_for(appointment)
    actions.reschedule_appointment(
        actor=schedule.cast.front_desk, appointment=appointment, start=VISIT + dt.timedelta(hours=2)
    )
    assert "This link no longer works" in client.get(old).content.decode()
    client.post(old, {"action": "confirm"})
    appointment.refresh_from_db()
    assert appointment.status == "booked"
