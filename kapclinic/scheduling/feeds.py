"""A clinician's upcoming appointments as an iCalendar feed at a secret, revocable URL.

The feed is read by calendar apps that cannot sign in, so the URL's random token
is the only key: it is shown once when made, only its SHA-256 is stored (a random
256-bit token needs no slow hash, as for API tokens), and a revoked feed is a 404.
A calendar app is no place for health information: events say "Patient" and the
kind of visit, never a name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import icalendar
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.scheduling.models import Appointment, AppointmentStatus, CalendarFeed

# How far ahead a feed reaches; a calendar app refreshes it every few hours.
HORIZON = dt.timedelta(days=120)
# Statuses shown; a cancelled visit drops out of the calendar on the next refresh.
SHOWN = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.IN_PROGRESS,
)


class FeedError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_have_feed(user: User) -> bool:
    """Staff who are given appointments; a clinic admin has none to show."""
    return user.is_active and user.is_clinic_staff and not user.is_clinic_admin


@transaction.atomic
def create_feed(*, actor: User) -> tuple[CalendarFeed, str]:
    """A new feed of `actor`'s appointments and its secret token (shown once)."""
    if not may_have_feed(actor):
        raise FeedError("Only clinic staff who see patients have a calendar feed.")
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=actor, token_hash=digest(token))
    record(actor=actor, action=AuditAction.CREATE, obj=feed)
    return feed, token


@transaction.atomic
def revoke_feed(*, actor: User, feed: CalendarFeed) -> CalendarFeed:
    """Stop a feed working: its owner, or a clinic admin for anyone's."""
    if feed.user_id != actor.pk and not actor.is_clinic_admin:
        raise FeedError("You can only turn off your own calendar feed.")
    current = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if current.revoked_at is None:
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
        record(actor=actor, action=AuditAction.UPDATE, obj=current, detail={"revoked": True})
    return current


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed a token opens, or None (unknown, revoked, or its owner left)."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def build_feed(user: User, *, now: dt.datetime | None = None) -> bytes:
    """`user`'s appointments from today on, as an iCalendar document."""
    now = now or timezone.now()
    appointments = (
        Appointment.objects.filter(
            clinician=user,
            status__in=SHOWN,
            end__gte=now - dt.timedelta(days=1),
            start__lte=now + HORIZON,
        )
        .select_related("appointment_type", "site", "room", "chair")
        .order_by("start")
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//kapclinic//appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{settings.SITE_NAME}: my appointments")
    for appointment in appointments:
        event = icalendar.Event()
        event.add("uid", f"appointment-{appointment.pk}@{settings.SITE_NAME}")
        event.add("dtstamp", now)
        event.add("dtstart", appointment.start)
        event.add("dtend", appointment.end)
        event.add("summary", f"Patient: {appointment.appointment_type.name}")
        place = [appointment.site.name]
        if appointment.chair is not None:
            place.append(appointment.chair.name)
        elif appointment.room is not None:
            place.append(appointment.room.name)
        event.add("location", ", ".join(place))
        confirmed = appointment.status != AppointmentStatus.BOOKED
        event.add("status", "CONFIRMED" if confirmed else "TENTATIVE")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
