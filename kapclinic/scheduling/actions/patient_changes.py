"""What a patient may change about their own visit: the site's change window, and
the reason a patient gives for a move.

Staff may always move or cancel (they can fill the slot, or know why a late change
is needed); a patient may only until the window before the visit, set per site in
`BookingPolicy`. The portal and reminder links check the window with
`change_window_hours`; the public page's manage link with `change_window`.
"""

from __future__ import annotations

import datetime as dt

from kapclinic.accounts.models import Role, User
from kapclinic.scheduling.actions.errors import InsideChangeWindow, InvalidRequest
from kapclinic.scheduling.models import Appointment, BookingPolicy

# BookingPolicy.change_window_hours for a site that has no policy row.
DEFAULT_CHANGE_WINDOW_HOURS = 24


def change_window_hours(site_id: int) -> int:
    """How long before a visit at the site its patient may still move or cancel it."""
    hours = (
        BookingPolicy.objects.filter(site=site_id)
        .values_list("change_window_hours", flat=True)
        .first()
    )
    return DEFAULT_CHANGE_WINDOW_HOURS if hours is None else hours


def patient_may_change(appointment: Appointment, *, now: dt.datetime, hours: int) -> bool:
    """Whether the visit is still far enough away for its patient to change it."""
    return appointment.start - now >= dt.timedelta(hours=hours)


def _check_change_window(actor: User | None, appointment: Appointment, now: dt.datetime) -> None:
    """Patients may move or cancel only before the site's window; staff always may
    (they can fill the slot or know why the late change is needed). `actor` None is
    the patient through a signed reminder link, so the window applies."""
    if actor is not None and actor.role != Role.PATIENT:
        return
    hours = change_window_hours(appointment.site_id)
    if not patient_may_change(appointment, now=now, hours=hours):
        raise InsideChangeWindow(
            f"This visit is less than {hours} hours away, so it can no longer be "
            "changed online. Please call the clinic."
        )


def change_window(appointment: Appointment) -> dt.timedelta:
    """How late before the visit a patient may still change it themselves."""
    policy = BookingPolicy.objects.filter(site_id=appointment.site_id).first()
    return dt.timedelta(hours=policy.change_window_hours if policy else 24)


def _patient_reason(reason: str) -> str:
    """A patient moving a visit says why (kept on the visit's history for staff)."""
    reason = reason.strip()
    if not reason:
        raise InvalidRequest("Give a reason for moving the visit.")
    return reason[:300]
