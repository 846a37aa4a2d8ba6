"""Appointment reminders: planned when a visit is booked or moved, sent once each.

Each upcoming appointment gets one `Reminder` row per channel (e-mail if the patient
has an address, text message if they have a phone) and per lead time of the site's
`BookingPolicy` (48 and 24 hours by default). `plan_reminders` keeps those rows in
step with the appointment: it runs after every booking, move and cancellation
commits (`actions/follow_ups.py`), sets each row's due time, and drops unsent rows of a visit
that is no longer booked. Sending is idempotent: a row is claimed (its `sent_at`
set) in a short transaction before anything goes out, so a retried task or a
second worker finds it sent and does nothing.

Two ways rows get sent, either is enough: a task deferred to the due time (on a
backend that can defer, the database one the worker runs) and the sweep
`send_due_reminders` (management command, for cron or a loop), which sends every
due row that is still unsent.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import default_task_backend, task

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.scheduling.models import (
    Appointment,
    AppointmentStatus,
    BookingPolicy,
    Reminder,
    TypeCode,
)
from kapclinic.scheduling.reminder_links import reminder_url
from kapclinic.scheduling.sms import send_sms

log = logging.getLogger(__name__)

# Only visits still ahead of the patient are reminded of.
UPCOMING = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)

RIDE_HOME = "Arrange for someone to take you home; you cannot drive yourself."
# CLINICAL.md section 3 (esketamine pre-dose) and section 4 (leaving safely).
NO_DRIVING_NEXT_DAY = "Do not drive until the next day, after a restful night's sleep."
NO_DRIVING_24H = "Do not drive for 24 hours, and not before a restful night's sleep."
PREPARATION: dict[str, tuple[str, ...]] = {
    TypeCode.DOSING_ESKETAMINE: (
        "Do not eat for 2 hours before your appointment.",
        "Do not drink anything for 30 minutes before your appointment.",
        RIDE_HOME,
        NO_DRIVING_NEXT_DAY,
    ),
    TypeCode.DOSING_IV: (RIDE_HOME, NO_DRIVING_24H),
    TypeCode.DOSING_IM: (RIDE_HOME, NO_DRIVING_24H),
    TypeCode.DOSING_ORAL: (RIDE_HOME, NO_DRIVING_24H),
}


def preparation(code: str) -> tuple[str, ...]:
    """What a patient must do before and after a visit of this kind (dosing only)."""
    return PREPARATION.get(code, ())


def policy_for(site_id: int) -> BookingPolicy:
    """The site's booking policy, or the defaults when it has none."""
    return BookingPolicy.objects.filter(site_id=site_id).first() or BookingPolicy(site_id=site_id)


def local_when(appointment: Appointment) -> str:
    """'Tuesday 8 January 2030 at 10:00 AM EST' in the appointment's site time."""
    local = appointment.start.astimezone(ZoneInfo(appointment.site.time_zone))
    hour = local.hour % 12 or 12
    return f"{local:%A} {local.day} {local:%B %Y} at {hour}:{local:%M} {local:%p} {local.tzname()}"


def _lead_hours(policy: BookingPolicy) -> list[int]:
    hours = {int(policy.first_reminder_hours), int(policy.second_reminder_hours)}
    return sorted((h for h in hours if h > 0), reverse=True)


def _channels(appointment: Appointment) -> list[str]:
    patient = appointment.patient
    channels: list[str] = []
    if patient.email:
        channels.append(Reminder.Channel.EMAIL)
    if patient.phone:
        channels.append(Reminder.Channel.SMS)
    return channels


def plan_reminders(appointment_id: int, *, now: dt.datetime | None = None) -> list[Reminder]:
    """Bring the appointment's reminder rows in line with its time and status; return
    the rows still to be sent. A moved appointment's rows get new due times and are
    sent again (the patient's last reminder named the old time); lead times already
    past are skipped rather than sent late all at once."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_related("patient", "site").filter(pk=appointment_id).first()
        )
        if appointment is None:
            return []
        rows = Reminder.objects.filter(appointment=appointment)
        if appointment.status not in UPCOMING:
            rows.filter(sent_at__isnull=True).delete()
            return []
        existing = {(r.channel, r.hours_before): r for r in rows}
        pending: list[Reminder] = []
        for channel in _channels(appointment):
            for hours in _lead_hours(policy_for(appointment.site_id)):
                due = appointment.start - dt.timedelta(hours=hours)
                row = existing.pop((channel, hours), None)
                if row is not None and row.due_at == due:
                    if row.sent_at is None:
                        pending.append(row)
                    continue
                if due <= now:
                    if row is not None and row.sent_at is None:
                        row.delete()
                    continue
                if row is None:
                    row = Reminder.objects.create(
                        appointment=appointment, channel=channel, hours_before=hours, due_at=due
                    )
                else:
                    row.due_at, row.sent_at = due, None
                    row.save(update_fields=["due_at", "sent_at"])
                pending.append(row)
        # Rows for a channel or lead time no longer in use.
        for row in existing.values():
            if row.sent_at is None:
                row.delete()
        if default_task_backend.supports_defer:
            for row in pending:
                transaction.on_commit(partial(_defer_send, row.pk, row.due_at))
    return pending


def _defer_send(reminder_id: int, due_at: dt.datetime) -> None:
    send_reminder_task.using(run_after=due_at).enqueue(reminder_id)


def render_reminder(appointment: Appointment, channel: str) -> tuple[str, str]:
    """The subject and body of a reminder of `appointment` on `channel`.

    The text message says when and where, the preparation and the link; it names no
    treatment (a phone's lock screen is not private). The e-mail adds the visit's
    name and the clinic's instructions for it."""
    kind = appointment.appointment_type
    context = {
        "appointment": appointment,
        "type_name": kind.name,
        "when": local_when(appointment),
        "site": appointment.site,
        "address": appointment.site.address,
        "instructions": kind.instructions.strip(),
        "preparation": preparation(kind.code),
        "link": reminder_url(appointment.pk, appointment.start),
        "clinic_name": settings.SITE_NAME,
    }
    folder = "scheduling/reminders"
    if channel == Reminder.Channel.SMS:
        return "", render_to_string(f"{folder}/reminder_sms.txt", context).strip()
    subject = f"Reminder: your appointment on {context['when']}"
    return subject, render_to_string(f"{folder}/reminder_email.txt", context).strip()


def _claim(reminder_id: int, now: dt.datetime) -> Reminder | None:
    """Mark the reminder sent if it is due and unsent and its visit still upcoming."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("appointment__patient", "appointment__site")
            .select_related("appointment__appointment_type")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None or reminder.sent_at is not None or now < reminder.due_at:
            return None
        appointment = reminder.appointment
        if appointment.status not in UPCOMING or now >= appointment.start:
            return None
        later_one_due = Reminder.objects.filter(
            appointment=appointment,
            channel=reminder.channel,
            hours_before__lt=reminder.hours_before,
            due_at__lte=now,
        ).exists()
        if later_one_due:
            # Sending was held up past the next reminder's time: send only that one,
            # rather than two reminders of the same visit at once.
            reminder.delete()
            return None
        reminder.sent_at = now
        reminder.save(update_fields=["sent_at"])
        record(
            actor=None,
            action=AuditAction.CREATE,
            patient=appointment.patient,
            obj=reminder,
            detail={"channel": reminder.channel, "hours_before": reminder.hours_before},
        )
        return reminder


def send_reminder(reminder_id: int, *, now: dt.datetime | None = None) -> bool:
    """Send one reminder if it is due and not yet sent; True if it went out.

    Claimed before sending, so it goes out at most once; if the e-mail or text
    cannot be handed over, the claim is undone and the next sweep tries again."""
    now = now or timezone.now()
    reminder = _claim(reminder_id, now)
    if reminder is None:
        return False
    appointment = reminder.appointment
    subject, body = render_reminder(appointment, reminder.channel)
    try:
        if reminder.channel == Reminder.Channel.SMS:
            send_sms(appointment.patient.phone, body)
        else:
            send_mail(subject, body, None, [appointment.patient.email])
    except Exception:
        Reminder.objects.filter(pk=reminder.pk).update(sent_at=None)
        log.exception("Reminder %s could not be sent; it will be retried", reminder.pk)
        return False
    return True


def send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """Send every reminder that is due and unsent; the number sent."""
    now = now or timezone.now()
    due = Reminder.objects.filter(
        sent_at__isnull=True,
        due_at__lte=now,
        appointment__status__in=UPCOMING,
        appointment__start__gt=now,
    ).values_list("pk", flat=True)
    return sum(send_reminder(pk, now=now) for pk in list(due))


@task()
def send_reminder_task(reminder_id: int) -> bool:
    return send_reminder(reminder_id)


@task()
def plan_reminders_task(appointment_id: int) -> int:
    return len(plan_reminders(appointment_id))
