"""Signed links that let a patient view, reschedule or cancel one appointment
without a password.

The token carries only the appointment's id, signed with the site's secret key
(django.core.signing), so a URL reveals nothing about the patient. It stops
working once the appointment is over, and a changed or made-up token is refused.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.utils import timezone

from kapclinic.scheduling.models import Appointment

SALT = "kapclinic.scheduling.manage-link"


class LinkRefused(Exception):
    """The link is not one we made, or its appointment is over; the message is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def make_token(appointment: Appointment) -> str:
    return signing.dumps(appointment.pk, salt=SALT, compress=False)


def appointment_for(token: str, *, now: dt.datetime | None = None) -> Appointment:
    """The appointment a token names, or LinkRefused saying why not."""
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkRefused(
            "This link is not complete or has been changed. Please use the link in your "
            "e-mail exactly as it is, or call the clinic."
        ) from None
    found = (
        Appointment.objects.select_related("appointment_type", "site", "clinician", "patient")
        .filter(pk=pk)
        .first()
        if isinstance(pk, int)
        else None
    )
    if found is None:
        raise LinkRefused("We cannot find this appointment. Please call the clinic.")
    if found.end <= (now or timezone.now()):
        raise LinkRefused(
            "This link has expired because the appointment is over. Please call the "
            "clinic or book a new visit."
        )
    return found
