"""Every write to the schedule: booking, moving, and each step of an appointment's life.

Each action is atomic, takes the acting user as keyword-only `actor`, checks that the
actor may act and that the appointment is in a state the step starts from, and
writes one audit row in the same transaction. A refused action changes nothing.

One module per concern, each readable alone:

- `errors`: the refusals the actions raise (`SchedulingError` and its kinds).
- `placement`: putting a visit at a time: the availability check, the guard against
  double booking (SQLite and PostgreSQL), and the row lock for changes.
- `patient_changes`: what a patient may change themselves: the site's change
  window and the reason a move needs.
- `follow_ups`: what a change leaves behind: the audit row, the move on the visit's
  history, reminders re-planned and the waitlist offer after the commit.
- `booking`: booking and moving a known patient's visit (staff, portal, course,
  waitlist offer).
- `status`: the appointment's state machine and its steps (confirm, check in,
  start, complete, cancel, no-show).
- `public`: the public booking page and its e-mailed manage link.

Callers import the package (`from kapclinic.scheduling import actions`) and use the
names below. These are aliases: the modules call each other directly, so a test
that patches a function patches it in the module that defines it (e.g.
`actions.status.change_status`), not here.
"""

from kapclinic.scheduling.actions.booking import book_appointment, reschedule_appointment
from kapclinic.scheduling.actions.errors import (
    IllegalTransition,
    InsideChangeWindow,
    InvalidRequest,
    NotAllowed,
    SchedulingError,
    SlotTaken,
    SlotUnavailable,
)
from kapclinic.scheduling.actions.patient_changes import (
    DEFAULT_CHANGE_WINDOW_HOURS,
    change_window,
    change_window_hours,
    patient_may_change,
)
from kapclinic.scheduling.actions.public import (
    book_from_public_page,
    cancel_by_link,
    confirm_by_link,
    reschedule_by_link,
)
from kapclinic.scheduling.actions.status import (
    PATIENT_STATUSES,
    RESCHEDULABLE,
    TRANSITIONS,
    cancel,
    change_status,
    check_in,
    complete,
    confirm,
    mark_no_show,
    start_visit,
)

__all__ = [
    "DEFAULT_CHANGE_WINDOW_HOURS",
    "PATIENT_STATUSES",
    "RESCHEDULABLE",
    "TRANSITIONS",
    "IllegalTransition",
    "InsideChangeWindow",
    "InvalidRequest",
    "NotAllowed",
    "SchedulingError",
    "SlotTaken",
    "SlotUnavailable",
    "book_appointment",
    "book_from_public_page",
    "cancel",
    "cancel_by_link",
    "change_status",
    "change_window",
    "change_window_hours",
    "check_in",
    "complete",
    "confirm",
    "confirm_by_link",
    "mark_no_show",
    "patient_may_change",
    "reschedule_appointment",
    "reschedule_by_link",
    "start_visit",
]
