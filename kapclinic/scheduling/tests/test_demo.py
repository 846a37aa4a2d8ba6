"""The demo schedule: every status, no double booking, idempotent and deterministic."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts.models import Role, User
from kapclinic.audit.models import AuditEvent
from kapclinic.dosing.demo import delete_demo_dosing
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    TypeCode,
    WorkingHours,
)
from kapclinic.test import login


def seed(**options: int) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **{"patients": 30, **options})
    return out.getvalue()


def _overlaps(rows: list[tuple[int | None, object, object]]) -> int:
    clashes = 0
    by_key: dict[int, list[tuple[object, object]]] = {}
    for key, a, b in rows:
        if key is None:
            continue
        for c, d in by_key.get(key, []):
            if a < d and c < b:  # type: ignore[operator]
                clashes += 1
        by_key.setdefault(key, []).append((a, b))
    return clashes


@pytest.mark.django_db
def test_demo_schedule_has_every_status_and_no_double_booking() -> None:
    output = seed()
    assert "appointments:" in output
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert statuses == set(AppointmentStatus.values)
    assert AppointmentType.objects.filter(code=TypeCode.DOSING_ESKETAMINE).count() == 2
    assert WorkingHours.objects.exists()
    active = Appointment.objects.filter(status__in=ACTIVE_STATUSES)
    for field in ("clinician_id", "chair_id"):
        rows = list(active.values_list(field, "hold_start", "hold_end"))
        assert _overlaps(rows) == 0, field
    assert not AuditEvent.objects.exists()
    assert all(a.cancel_reason for a in Appointment.objects.filter(status="cancelled"))


@pytest.mark.django_db
def test_demo_schedule_is_idempotent_and_deterministic() -> None:
    # The clock stands still: the demo's dosing floor is laid out around "now".
    with time_machine.travel(timezone.now(), tick=False):
        seed()
        first = list(
            Appointment.objects.order_by("start", "pk").values_list(
                "start", "status", "clinician_id"
            )
        )
        seed()
        assert Appointment.objects.count() == len(first)
        delete_demo_dosing()  # dosing sessions protect their appointments
        Appointment.objects.all().delete()
        # The online visitor the demo adds (a possible duplicate) goes too, so the same
        # patients are booked again.
        Patient.objects.filter(mrn__startswith="KAP-").delete()
        seed()
    again = list(
        Appointment.objects.order_by("start", "pk").values_list("start", "status", "clinician_id")
    )
    assert again == first


@pytest.mark.django_db
def test_demo_front_desk_sees_a_full_today_and_week(client) -> None:
    # A Wednesday morning: the demo clinics are open on weekdays.
    with time_machine.travel(dt.datetime(2030, 1, 9, 13, 0, tzinfo=dt.UTC), tick=False):
        seed()
        desks = User.objects.filter(role=Role.FRONT_DESK, is_active=True)
        assert desks.count() >= 2
        for desk in desks:
            site = desk.sites.get()
            TOTPDevice.objects.create(user=desk, name="Authenticator app", confirmed=True)
            login(client, desk)
            today = client.get(reverse("scheduling:today"))
            week = client.get(reverse("scheduling:week"), {"site": site.pk})
            assert today.status_code == week.status_code == 200
            assert len(today.context["appointments"]) >= 3, site.name
            days = [items for _, items, _ in week.context["days"]]
            assert all(days[n] for n in range(5)), site.name  # every weekday has visits


@pytest.mark.django_db
def test_demo_has_reminders_a_waitlist_and_a_duplicate_to_merge() -> None:
    from kapclinic.scheduling.matches import bookings_to_check, merge_booking_match
    from kapclinic.scheduling.models import PublicBooking, Reminder, WaitlistEntry

    seed()
    reminders = Reminder.objects.all()
    assert reminders.filter(sent_at__isnull=False).exists()
    assert reminders.filter(sent_at__isnull=True).exists()
    assert not reminders.filter(sent_at__isnull=True, due_at__lte=dt.datetime.now(dt.UTC)).exists()
    for site_entries in (
        WaitlistEntry.objects.filter(appointment_type__site=s)
        for s in {
            e.appointment_type.site
            for e in WaitlistEntry.objects.select_related("appointment_type")
        }
    ):
        assert site_entries.count() == 2
        offered = site_entries.filter(offered_appointment__isnull=False)
        assert offered.count() == 1
        freed = offered.get().offered_appointment
        assert freed is not None and freed.status == AppointmentStatus.CANCELLED
        assert offered.get().created_at < site_entries.exclude(pk=offered.get().pk).get().created_at
    desk = User.objects.get(email="frontdesk@demo.kapclinic.test")
    [booking] = bookings_to_check(desk)
    seed()  # again: nothing more
    assert PublicBooking.objects.filter(possible_match__isnull=False).count() == 1
    assert Reminder.objects.count() == reminders.count()
    merge_booking_match(actor=desk, booking=booking)
    assert Patient.objects.filter(merged_into=booking.possible_match).count() == 1
