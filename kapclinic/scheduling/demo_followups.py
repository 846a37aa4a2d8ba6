"""The demo clinic's reminders, waitlist and one online booking to check.

Part of the schedule demo (demo.py calls `build_demo_followups` once the
appointments exist): reminders already sent and still due for the next days'
visits, a waitlist with two patients for a first consultation (the longer-waiting
one offered a cancelled time), and one visitor who booked online with the same name
and birth date as an existing patient, for front desk to merge or dismiss. Written
directly like the rest of the demo data (no audit rows); each part is made only
when the demo sites have none of it yet, so seeding again adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kapclinic.clinics.models import Site
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    PublicBooking,
    Reminder,
    TypeCode,
    WaitlistEntry,
)
from kapclinic.scheduling.public_forms import PRESCREEN_QUESTIONS

_S = AppointmentStatus
# Who waits for each kind of visit patients book themselves (pathway stages).
WAITING_STAGES: dict[str, tuple[str, ...]] = {
    TypeCode.INITIAL_CONSULTATION: (PathwayStage.ENQUIRY, PathwayStage.CONSULTATION),
    TypeCode.PREPARATION: (PathwayStage.PREPARATION, PathwayStage.CONSENT),
    TypeCode.INTEGRATION: (PathwayStage.DOSING, PathwayStage.MAINTENANCE),
    TypeCode.FOLLOW_UP: (PathwayStage.FOLLOW_UP, PathwayStage.REVIEW, PathwayStage.MAINTENANCE),
}
# How far ahead visits get their reminders in the demo (the 48- and 24-hour ones).
REMINDER_DAYS = 3
LEAD_HOURS = (48, 24)


def build_demo_followups(sites: list[Site]) -> dict[str, int]:
    """Reminders, waitlist entries and possible duplicates made (counts)."""
    now = timezone.now()
    return {
        "reminders": _reminders(sites, now),
        "waitlist": sum(_waitlist(site, now) for site in sites),
        "possible_duplicates": _possible_duplicate(sites[0], now) if sites else 0,
    }


def _reminders(sites: list[Site], now: dt.datetime) -> int:
    if Reminder.objects.filter(appointment__site__in=sites).exists():
        return 0
    upcoming = Appointment.objects.filter(
        site__in=sites,
        status__in=(_S.BOOKED, _S.CONFIRMED),
        start__gt=now,
        start__lt=now + dt.timedelta(days=REMINDER_DAYS),
    ).select_related("patient")
    rows: list[Reminder] = []
    for appointment in upcoming:
        channels = [Reminder.Channel.EMAIL] if appointment.patient.email else []
        if appointment.patient.phone:
            channels.append(Reminder.Channel.SMS)
        for hours in LEAD_HOURS:
            due = appointment.start - dt.timedelta(hours=hours)
            # Those already due went out at their time; the rest wait for the worker.
            sent = due if due <= now else None
            rows.extend(
                Reminder(
                    appointment=appointment,
                    channel=channel,
                    hours_before=hours,
                    due_at=due,
                    sent_at=sent,
                )
                for channel in channels
            )
    Reminder.objects.bulk_create(rows)
    return len(rows)


def _waitlist(site: Site, now: dt.datetime) -> int:
    """Two patients waiting at `site` for a kind of visit patients book themselves;
    the first (the longer waiting) was offered the time of a cancelled one. The
    appointments are left as they are, so the schedule stays the same for a seed."""
    if WaitlistEntry.objects.filter(appointment_type__site=site).exists():
        return 0
    freed = (
        Appointment.objects.filter(
            site=site,
            status=_S.CANCELLED,
            start__gt=now,
            appointment_type__patient_bookable=True,
        )
        .select_related("appointment_type")
        .order_by("start", "pk")
        .first()
    )
    kind = (
        freed.appointment_type
        if freed is not None
        else AppointmentType.objects.filter(site=site, code=TypeCode.INITIAL_CONSULTATION).first()
    )
    if kind is None:
        return 0
    stages = WAITING_STAGES.get(kind.code, (PathwayStage.ENQUIRY, PathwayStage.CONSULTATION))
    patients = Patient.objects.filter(site=site, merged_into=None)
    if freed is not None:
        patients = patients.exclude(pk=freed.patient_id)
    # Patients at the stage for the visit first; a small demo may need others too.
    waiting = list(patients.filter(stage__in=stages).order_by("mrn")[:2])
    waiting += list(patients.exclude(stage__in=stages).order_by("mrn")[: 2 - len(waiting)])
    for n, patient in enumerate(waiting):
        entry = WaitlistEntry.objects.create(
            patient=patient,
            appointment_type=kind,
            offered_appointment=freed if n == 0 else None,
        )
        # Waiting for 12 and 5 days (created_at is set on insert, so set it after).
        since = now - dt.timedelta(days=12 if n == 0 else 5)
        WaitlistEntry.objects.filter(pk=entry.pk).update(created_at=since)
    return len(waiting)


def _possible_duplicate(site: Site, now: dt.datetime) -> int:
    """A visitor booked a first consultation online under the name and birth date of
    a patient already on file: a new record, and a note for front desk."""
    if PublicBooking.objects.filter(possible_match__site=site).exists():
        return 0
    from kapclinic.patients.actions import _new_mrn

    booked = (
        Appointment.objects.filter(
            site=site,
            appointment_type__code=TypeCode.INITIAL_CONSULTATION,
            status__in=(_S.BOOKED, _S.CONFIRMED),
            start__gt=now,
            public_booking__isnull=True,
        )
        .order_by("start")
        .first()
    )
    if booked is None:
        return 0
    # A returning patient: someone whose course ended, else anyone else on file.
    others = Patient.objects.filter(site=site, merged_into=None, user__isnull=False).exclude(
        pk=booked.patient_id
    )
    existing = (
        others.filter(stage=PathwayStage.FOLLOW_UP).order_by("mrn").first()
        or others.order_by("mrn").first()
    )
    if existing is None:
        return 0
    visitor = Patient.objects.create(
        site=site,
        mrn=_new_mrn(),
        given_name=existing.given_name,
        family_name=existing.family_name,
        birth_date=existing.birth_date,
        email=f"{existing.given_name.lower()}.online@example.org",
        phone=existing.phone,
    )
    booked.patient = visitor
    booked.booked_by = None
    booked.save(update_fields=["patient", "booked_by"])
    PublicBooking.objects.create(
        appointment=booked,
        reason="Low mood for most of the last two years; a friend recommended the clinic.",
        prescreen=dict.fromkeys(PRESCREEN_QUESTIONS, False),
        possible_match=existing,
    )
    return 1
