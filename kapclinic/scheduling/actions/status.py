"""An appointment's life after booking: its state machine (`TRANSITIONS`) and the
steps along it (confirm, check in, start, complete, cancel, no-show).

Every step goes through `change_status`, so the checks (who may, from which state,
a reason to cancel, the patient's change window) and the follow-ups (the outcome
summary for a dosing visit, reminders, the waitlist offer) are the same from the
staff pages, the portal, the API, reminder links and the dosing session. The public
page's manage link confirms and cancels through its own actions (`public`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.models import AuditAction
from kapclinic.outcomes.summary import refresh_summary
from kapclinic.scheduling.access import may_manage
from kapclinic.scheduling.actions.errors import IllegalTransition, InvalidRequest, NotAllowed
from kapclinic.scheduling.actions.follow_ups import _audit, _offer_to_waitlist, _replan_reminders
from kapclinic.scheduling.actions.patient_changes import _check_change_window
from kapclinic.scheduling.actions.placement import _lock
from kapclinic.scheduling.models import DOSING_CODES, Appointment, AppointmentStatus

S = AppointmentStatus

# For each status, the statuses it may be reached from.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.CONFIRMED: frozenset({S.BOOKED}),
    S.CHECKED_IN: frozenset({S.BOOKED, S.CONFIRMED}),
    S.IN_PROGRESS: frozenset({S.CHECKED_IN}),
    S.COMPLETED: frozenset({S.IN_PROGRESS}),
    S.CANCELLED: frozenset({S.BOOKED, S.CONFIRMED}),
    S.NO_SHOW: frozenset({S.BOOKED, S.CONFIRMED}),
}
RESCHEDULABLE = frozenset({S.BOOKED, S.CONFIRMED})
# What a patient may do to their own appointment (the rest is the clinic's).
PATIENT_STATUSES = frozenset({S.CONFIRMED, S.CANCELLED})


@transaction.atomic
def change_status(
    *,
    actor: User | None,
    appointment: Appointment,
    to: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Move an appointment along its state machine (TRANSITIONS), or refuse and change
    nothing. Cancelling needs a reason; a no-show can be marked once the visit was due.

    `actor` None is the patient acting through a signed link from a reminder (the
    caller has checked the link); they may do what a signed-in patient may."""
    current = _lock(appointment)
    if actor is not None and not may_manage(actor, current):
        raise NotAllowed("You cannot change this appointment.")
    if to not in TRANSITIONS:
        raise InvalidRequest("Unknown appointment status.")
    if (actor is None or actor.role == Role.PATIENT) and to not in PATIENT_STATUSES:
        raise NotAllowed("Please ask the clinic to make this change.")
    if current.status not in TRANSITIONS[to]:
        raise IllegalTransition(
            f"A {current.get_status_display().lower()} appointment cannot be marked "
            f"{S(to).label.lower()}."
        )
    reason = reason.strip()
    if to == S.CANCELLED and not reason:
        raise InvalidRequest("Give a reason for cancelling.")
    if to == S.CANCELLED:
        _check_change_window(actor, current, now or timezone.now())
    if to == S.NO_SHOW and current.start > (now or timezone.now()):
        raise IllegalTransition("A visit that has not started yet cannot be a no-show.")
    was = current.status
    current.status = to
    current.status_changed_at = now or timezone.now()
    fields = ["status", "status_changed_at"]
    if to == S.CANCELLED:
        current.cancel_reason = reason[:300]
        fields.append("cancel_reason")
    current.save(update_fields=fields)
    completed = S.COMPLETED in (was, to)
    if completed and current.appointment_type.code in DOSING_CODES:
        # A completed dosing visit without a dosing record counts as a dose.
        refresh_summary([current.patient_id])
    # The cancellation reason may be personal: the audit row names the field only.
    _audit(actor, current, AuditAction.UPDATE, fields=fields)
    if to in (S.CANCELLED, S.NO_SHOW):
        _replan_reminders(current)
    if to == S.CANCELLED:
        _offer_to_waitlist(current)
    return current


def confirm(*, actor: User, appointment: Appointment) -> Appointment:
    return change_status(actor=actor, appointment=appointment, to=S.CONFIRMED)


def check_in(*, actor: User, appointment: Appointment) -> Appointment:
    return change_status(actor=actor, appointment=appointment, to=S.CHECKED_IN)


def start_visit(*, actor: User, appointment: Appointment) -> Appointment:
    return change_status(actor=actor, appointment=appointment, to=S.IN_PROGRESS)


def complete(*, actor: User, appointment: Appointment) -> Appointment:
    return change_status(actor=actor, appointment=appointment, to=S.COMPLETED)


def cancel(*, actor: User, appointment: Appointment, reason: str) -> Appointment:
    return change_status(actor=actor, appointment=appointment, to=S.CANCELLED, reason=reason)


def mark_no_show(
    *, actor: User, appointment: Appointment, now: dt.datetime | None = None
) -> Appointment:
    return change_status(actor=actor, appointment=appointment, to=S.NO_SHOW, now=now)
