"""Journal prompts: 24 hours after each dosing session the patient is invited to
write about it, until 72 hours after (CLINICAL.md: integration follows each dose).

Derived from data only: a dosing appointment whose session was discharged, or that
was marked completed, gets one prompt (unique per session), so the sweep may run as
often as wanted. The message is sent once (claimed before sending), names neither
the patient nor the treatment, and links to the portal's journal, which needs the
patient's sign-in: a journal is too private for a password-free link.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.journal.models import JournalPrompt
from kapclinic.scheduling.models import DOSING_CODES, Appointment, AppointmentStatus
from kapclinic.scheduling.sms import send_sms

log = logging.getLogger(__name__)

OPENS = dt.timedelta(hours=24)
CLOSES = dt.timedelta(hours=72)


def _ended_at(appointment: Appointment) -> dt.datetime | None:
    session = getattr(appointment, "dosing_session", None)
    if session is not None and session.discharged_at is not None:
        ended: dt.datetime = session.discharged_at
        return ended
    if appointment.status == AppointmentStatus.COMPLETED:
        return appointment.end
    return None


def plan_prompts(*, now: dt.datetime | None = None) -> int:
    """Create the prompt of every dosing session that ended 24-72 hours ago."""
    now = now or timezone.now()
    ended_window = Q(dosing_session__discharged_at__gt=now - CLOSES) & Q(
        dosing_session__discharged_at__lte=now - OPENS
    )
    completed_window = Q(
        status=AppointmentStatus.COMPLETED, end__gt=now - CLOSES, end__lte=now - OPENS
    )
    sessions = (
        Appointment.objects.filter(
            appointment_type__code__in=DOSING_CODES,
            patient__is_active=True,
            patient__user__isnull=False,
            journal_prompt__isnull=True,
        )
        .filter(ended_window | completed_window)
        .select_related("dosing_session", "patient")
    )
    created = 0
    for appointment in sessions:
        ended = _ended_at(appointment)
        if ended is None or not (ended + OPENS <= now < ended + CLOSES):
            continue
        try:
            with transaction.atomic():
                prompt = JournalPrompt.objects.create(
                    patient=appointment.patient,
                    session=appointment,
                    due_at=ended + OPENS,
                    expires_at=ended + CLOSES,
                )
                record(
                    actor=None,
                    action=AuditAction.CREATE,
                    patient=appointment.patient,
                    obj=prompt,
                    detail={"session": appointment.pk},
                )
        except IntegrityError:
            continue  # another worker made it a moment ago
        created += 1
    return created


def send_prompts(*, now: dt.datetime | None = None) -> int:
    """Send every open, unsent prompt once; the number sent."""
    now = now or timezone.now()
    due = JournalPrompt.objects.filter(
        sent_at__isnull=True,
        entry__isnull=True,
        due_at__lte=now,
        expires_at__gt=now,
        patient__user__is_active=True,
    ).values_list("pk", flat=True)
    return sum(_send(pk, now) for pk in list(due))


def _send(prompt_id: int, now: dt.datetime) -> bool:
    if JournalPrompt.objects.filter(pk=prompt_id, sent_at__isnull=True).update(sent_at=now) != 1:
        return False
    prompt = JournalPrompt.objects.select_related("patient").get(pk=prompt_id)
    patient = prompt.patient
    link = settings.PUBLIC_BASE_URL + reverse("journal:mine")
    text = (
        f"{settings.SITE_NAME}: how are you since your session? Your journal is open for"
        f" a few words, when you are ready: {link}"
    )
    channels = []
    if patient.email:
        try:
            send_mail(f"[{settings.SITE_NAME}] Your journal", text, None, [patient.email])
            channels.append("email")
        except Exception:
            log.exception("Journal prompt %s could not be e-mailed", prompt_id)
    if patient.phone:
        try:
            send_sms(patient.phone, text)
            channels.append("sms")
        except Exception:
            log.exception("Journal prompt %s could not be texted", prompt_id)
    if not channels and (patient.email or patient.phone):
        JournalPrompt.objects.filter(pk=prompt_id).update(sent_at=None)
        return False
    record(
        actor=None,
        action=AuditAction.UPDATE,
        patient=patient,
        obj=prompt,
        detail={"fields": ["sent_at"], "channels": channels},
    )
    return bool(channels)
