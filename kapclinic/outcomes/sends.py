"""Sending questionnaire links: once when an assignment falls due, and one reminder
halfway to its expiry if it is still unanswered.

Each send is claimed first (a conditional UPDATE of `sent_at` or `reminded_at`
that only one worker can win), then the e-mail and text go out; if neither can be
handed over the claim is undone and the next sweep tries again. So a retried task,
a second worker or cron beside the worker never sends twice.

The messages name neither the patient nor the questionnaire (a phone's lock
screen and a shared inbox are not private): only the clinic and the link.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.outcomes.links import LINK_HOURS, link_url
from kapclinic.outcomes.models import QuestionnaireAssignment
from kapclinic.scheduling.sms import send_sms

log = logging.getLogger(__name__)

FIRST, REMINDER = "sent_at", "reminded_at"


def _open(now: dt.datetime) -> Q:
    # No portal account needed: the link is answered without one, so a patient
    # without an account is reached at the e-mail and number on their record.
    return Q(completed_at__isnull=True, expires_at__gt=now, patient__is_active=True)


def due_first_sends(now: dt.datetime) -> list[int]:
    return list(
        QuestionnaireAssignment.objects.filter(_open(now), sent_at__isnull=True, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )


def due_reminders(now: dt.datetime) -> list[int]:
    """Sent, unanswered and past halfway from sending to expiry."""
    rows = (
        QuestionnaireAssignment.objects.filter(
            _open(now), sent_at__isnull=False, reminded_at__isnull=True
        )
        .order_by("due_at", "pk")
        .values_list("pk", "sent_at", "expires_at")
    )
    return [
        pk for pk, sent, expires in rows if sent is not None and now >= sent + (expires - sent) / 2
    ]


def render_message(
    assignment_id: int, *, reminder: bool, has_portal: bool = True, clinic_phone: str = ""
) -> tuple[str, str, str]:
    """Subject, e-mail body and text message for one assignment's link. A patient
    without a portal account is told to call the clinic, not to sign in."""
    context = {
        "clinic_name": settings.SITE_NAME,
        "link": link_url(assignment_id),
        "hours": LINK_HOURS,
        "reminder": reminder,
        "portal": settings.PUBLIC_BASE_URL + reverse("patients:portal") if has_portal else "",
        "clinic_phone": clinic_phone,
    }
    subject = (
        f"[{settings.SITE_NAME}] "
        + ("Reminder: a" if reminder else "A")
        + " short questionnaire from your care team"
    )
    email = render_to_string("outcomes/messages/questionnaire_email.txt", context).strip()
    sms = render_to_string("outcomes/messages/questionnaire_sms.txt", context).strip()
    return subject, email, sms


def send_one(assignment_id: int, *, field: str, now: dt.datetime | None = None) -> bool:
    """Send (field FIRST) or remind (field REMINDER) once; True if anything went out."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = QuestionnaireAssignment.objects.filter(
            _open(now), pk=assignment_id, **{f"{field}__isnull": True}
        )
        if field == REMINDER:
            claimed = claimed.filter(sent_at__isnull=False)
        if claimed.update(**{field: now}) != 1:
            return False
        assignment = QuestionnaireAssignment.objects.select_related(
            "patient__user", "patient__site"
        ).get(pk=assignment_id)
    patient = assignment.patient
    account = patient.user
    subject, email_body, sms_body = render_message(
        assignment.pk,
        reminder=field == REMINDER,
        has_portal=account is not None and account.is_active,
        clinic_phone=patient.site.phone,
    )
    channels: list[str] = []
    if patient.email:
        try:
            send_mail(subject, email_body, None, [patient.email])
            channels.append("email")
        except Exception:
            log.exception("Questionnaire link %s could not be e-mailed", assignment.pk)
    if patient.phone:
        try:
            send_sms(patient.phone, sms_body)
            channels.append("sms")
        except Exception:
            log.exception("Questionnaire link %s could not be texted", assignment.pk)
    if not channels and (patient.email or patient.phone):
        # Nothing reached the patient: undo the claim so the next sweep retries.
        QuestionnaireAssignment.objects.filter(pk=assignment.pk).update(**{field: None})
        return False
    record(
        actor=None,
        action=AuditAction.UPDATE,
        patient=patient,
        obj=assignment,
        detail={"fields": [field], "channels": channels, "instrument": assignment.instrument},
    )
    return bool(channels)


def send_due(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Send every due first link and every due reminder: (sent, reminded)."""
    now = now or timezone.now()
    sent = sum(send_one(pk, field=FIRST, now=now) for pk in due_first_sends(now))
    reminded = sum(send_one(pk, field=REMINDER, now=now) for pk in due_reminders(now))
    return sent, reminded
