"""Per-clinician calendar feeds: secret, hashed, revocable, no patient names."""

from __future__ import annotations

import datetime as dt
import hashlib

import icalendar
import pytest
from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.scheduling import actions, feeds
from kapclinic.scheduling.models import CalendarFeed
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at
from kapclinic.test import login

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)


def feed_token(client, user) -> str:
    login(client, user)
    response = client.post(reverse("reminders:calendar_feeds"))
    assert response.status_code == 200
    link = response.context["new_link"]
    client.logout()
    return link.rsplit("/", 1)[1].removesuffix(".ics")


def test_token_is_shown_once_and_stored_hashed(client, cast):
    token = feed_token(client, cast.prescriber)
    feed = CalendarFeed.objects.get(user=cast.prescriber)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in feed.token_hash
    login(client, cast.prescriber)
    assert token not in client.get(reverse("reminders:calendar_feeds")).content.decode()
    assert AuditEvent.objects.filter(object_type="scheduling.calendarfeed").count() == 1


def test_feed_lists_upcoming_visits_without_names(client, schedule: Schedule, time_machine):
    cast = schedule.cast
    time_machine.move_to(NOW, tick=False)
    kept = actions.book_appointment(
        actor=cast.front_desk,
        patient=cast.patient,
        appointment_type=schedule.follow_up,
        start=at(MONDAY, 10),
        clinician=cast.prescriber.pk,
    )
    cancelled = actions.book_appointment(
        actor=cast.front_desk,
        patient=cast.patient,
        appointment_type=schedule.consultation,
        start=at(MONDAY, 13),
        clinician=cast.prescriber.pk,
        room=schedule.consulting_room.pk,
    )
    actions.cancel(actor=cast.front_desk, appointment=cancelled, reason="Moved away")
    token = feed_token(client, cast.prescriber)
    response = client.get(reverse("reminders:calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    (event,) = events
    assert event.decoded("dtstart") == kept.start
    assert event.decoded("dtend") == kept.end
    assert str(event["summary"]) == "Patient: Follow-up call"
    assert str(event["uid"]).startswith(f"appointment-{kept.pk}@")
    text = response.content.decode()
    for phi in ("Pat Ient", "Ient", "MRN-0001", "Moved away", "Consultation"):
        assert phi not in text


def test_anothers_appointments_are_not_in_my_feed(client, schedule: Schedule, time_machine):
    cast = schedule.cast
    time_machine.move_to(NOW, tick=False)
    actions.book_appointment(
        actor=cast.front_desk,
        patient=cast.patient,
        appointment_type=schedule.consultation,
        start=at(MONDAY, 10),
        clinician=cast.therapist.pk,
        room=schedule.consulting_room.pk,
    )
    token = feed_token(client, cast.prescriber)
    calendar = icalendar.Calendar.from_ical(
        client.get(reverse("reminders:calendar_feed", args=[token])).content
    )
    assert list(calendar.walk("VEVENT")) == []


def test_revoked_feed_is_gone(client, cast):
    token = feed_token(client, cast.nurse)
    feed = CalendarFeed.objects.get(user=cast.nurse)
    login(client, cast.nurse)
    assert client.post(reverse("reminders:calendar_feed_revoke", args=[feed.pk])).status_code == 302
    client.logout()
    assert client.get(reverse("reminders:calendar_feed", args=[token])).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is not None


def test_a_forged_token_is_not_found(client, cast):
    feed_token(client, cast.nurse)
    assert client.get(reverse("reminders:calendar_feed", args=["guess"])).status_code == 404


def test_staff_cannot_revoke_anothers_feed_but_an_admin_can(client, cast):
    token = feed_token(client, cast.nurse)
    feed = CalendarFeed.objects.get(user=cast.nurse)
    login(client, cast.prescriber)
    url = reverse("reminders:calendar_feed_revoke", args=[feed.pk])
    assert client.post(url).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None
    client.logout()
    login(client, cast.admin)
    page = client.get(reverse("reminders:calendar_feeds")).content.decode()
    assert str(cast.nurse) in page
    assert client.post(url).status_code == 302
    client.logout()
    assert client.get(reverse("reminders:calendar_feed", args=[token])).status_code == 404


def test_a_clinic_admin_gets_no_feed_of_their_own(client, cast):
    login(client, cast.admin)
    response = client.post(reverse("reminders:calendar_feeds"))
    assert response.status_code == 400
    assert not CalendarFeed.objects.exists()


def test_a_departed_staff_members_feed_stops(client, cast):
    token = feed_token(client, cast.nurse)
    cast.nurse.is_active = False
    cast.nurse.save(update_fields=["is_active"])
    assert feeds.feed_for_token(token) is None
