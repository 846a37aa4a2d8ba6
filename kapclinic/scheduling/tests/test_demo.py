"""The demo schedule: every status, no double booking, idempotent and deterministic."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kapclinic.audit.models import AuditEvent
from kapclinic.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    TypeCode,
    WorkingHours,
)


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
    seed()
    first = list(
        Appointment.objects.order_by("start", "pk").values_list("start", "status", "clinician_id")
    )
    seed()
    assert Appointment.objects.count() == len(first)
    Appointment.objects.all().delete()
    seed()
    again = list(
        Appointment.objects.order_by("start", "pk").values_list("start", "status", "clinician_id")
    )
    assert again == first
