"""Signed links a patient follows from a reminder or a waitlist offer, no password needed.

A link names one appointment (or waitlist entry) and the appointment's start time,
signed with its own salt. It stops working when the appointment starts, and when
the appointment moves (the start it names is no longer the appointment's), so an
old reminder cannot act on a new time. The link carries ids only, never PHI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

REMINDER_SALT = "kapclinic.scheduling.reminder-link"
OFFER_SALT = "kapclinic.scheduling.waitlist-offer"


@dataclass(frozen=True)
class LinkData:
    object_id: int
    start: dt.datetime


def make_token(object_id: int, start: dt.datetime, *, salt: str) -> str:
    return signing.dumps([object_id, int(start.timestamp())], salt=salt)


def read_token(token: str, *, salt: str, now: dt.datetime) -> LinkData | None:
    """What a genuine, unexpired token names; None for a forged, garbled or expired one."""
    try:
        value = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    if not (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return None
    try:
        start = dt.datetime.fromtimestamp(value[1], tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if now >= start:
        return None
    return LinkData(object_id=value[0], start=start)


def reminder_url(appointment_id: int, start: dt.datetime) -> str:
    token = make_token(appointment_id, start, salt=REMINDER_SALT)
    return settings.PUBLIC_BASE_URL + reverse("reminders:respond", args=[token])


@dataclass(frozen=True)
class OfferData:
    entry_id: int
    freed_id: int


def offer_url(entry_id: int, freed_id: int, start: dt.datetime) -> str:
    """The claim link of one waitlist entry for one freed appointment's time."""
    token = signing.dumps([entry_id, freed_id, int(start.timestamp())], salt=OFFER_SALT)
    return settings.PUBLIC_BASE_URL + reverse("reminders:claim", args=[token])


def read_offer_token(token: str, *, now: dt.datetime) -> OfferData | None:
    """What a genuine offer names, until the freed time starts; None otherwise."""
    try:
        value = signing.loads(token, salt=OFFER_SALT)
    except signing.BadSignature:
        return None
    if not (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return None
    if now.timestamp() >= value[2]:
        return None
    return OfferData(entry_id=value[0], freed_id=value[1])
