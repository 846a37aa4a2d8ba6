"""What a change to a visit leaves behind: its audit row, the move on the visit's
history, and the work queued for after the commit (reminders re-planned, a freed
time offered to the waitlist).

The actions call these explicitly, never through signals, so reading an action shows
everything it does; the queued work goes out in `transaction.on_commit`, so a
refused or rolled-back change sends nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.scheduling.models import Appointment, AppointmentChange
from kapclinic.scheduling.reminders import plan_reminders_task


def _audit(
    actor: User | None, appointment: Appointment, action: AuditAction, **detail: Any
) -> None:
    record(
        actor=actor,
        action=action,
        patient=appointment.patient,
        obj=appointment,
        detail={"status": appointment.status, **detail},
    )


def _record_move(
    appointment: Appointment,
    *,
    from_start: dt.datetime,
    by: User | None,
    via: str,
    reason: str,
    at: dt.datetime,
) -> None:
    if from_start == appointment.start:
        return
    AppointmentChange.objects.create(
        appointment=appointment,
        at=at,
        by=by,
        via=via,
        from_start=from_start,
        to_start=appointment.start,
        reason=reason.strip()[:300],
    )


def _replan_reminders(appointment: Appointment) -> None:
    """Once the change has committed, bring the visit's reminders in step with it
    (new due times after a move, none after a cancellation)."""
    pk = appointment.pk
    transaction.on_commit(lambda: plan_reminders_task.enqueue(pk))


def _offer_to_waitlist(appointment: Appointment) -> None:
    """Once a cancellation has committed, offer the freed time to waiting patients."""
    # Imported here: the waitlist books through this package.
    from kapclinic.scheduling.waitlist import offer_freed_slot_task

    pk = appointment.pk
    transaction.on_commit(lambda: offer_freed_slot_task.enqueue(pk))
