"""Auditing and limiting the break-glass form's medical record number lookups.

The form answers whether an MRN exists ("No patient has this medical record
number"), so every lookup is a small read and is audited: found or not, and refused
once a user has had too many misses in a short time, so MRN probing is visible in
the audit log and cannot run on unchecked.

The typed MRN is never stored. A found lookup names the patient by reference, as
every audit row does. A miss refers to no record: its text (which may be another
clinic's MRN, or a name typed in the wrong box) would be an identifier with no review
value, and hashing does not hide it, since an eight-digit MRN space is enumerated in
seconds. The count of misses is what shows probing, so that is what the row keeps.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditEvent, AuditOutcome
from kapclinic.patients.models import Patient

# Five misses in fifteen minutes is beyond typos; a real emergency with the right
# number is not slowed by it, and a colleague or the front desk can look it up.
MISS_LIMIT = 5
MISS_WINDOW = dt.timedelta(minutes=15)
PAGE = "break_glass"


def _recent_miss_times(user: User) -> list[dt.datetime]:
    since = timezone.now() - MISS_WINDOW
    return list(
        AuditEvent.objects.filter(
            actor=user,
            action=AuditAction.LIST,
            outcome=AuditOutcome.FAILURE,
            occurred_at__gte=since,
            detail__page=PAGE,
        )
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)
    )


def lookup_refusal(user: User) -> str | None:
    """Why `user` may not look up an MRN now (too many recent misses), or None."""
    misses = _recent_miss_times(user)
    if len(misses) < MISS_LIMIT:
        return None
    # Lookups open again when enough misses have left the window.
    reopens = timezone.localtime(misses[len(misses) - MISS_LIMIT] + MISS_WINDOW)
    return (
        f"Too many medical record numbers were not found in the last "
        f"{int(MISS_WINDOW.total_seconds() // 60)} minutes. Check the number with a "
        f"colleague or the front desk, and try again after {reopens:%H:%M}."
    )


def record_lookup(user: User, patient: Patient | None) -> None:
    """Audit one lookup: the patient it found, or a miss with the user's recent count."""
    if patient is not None:
        record(
            actor=user,
            action=AuditAction.LIST,
            patient=patient,
            object_type="patients.patient",
            detail={"page": PAGE, "found": True},
        )
        return
    misses = len(_recent_miss_times(user)) + 1
    record(
        actor=user,
        action=AuditAction.LIST,
        outcome=AuditOutcome.FAILURE,
        object_type="patients.patient",
        flagged=misses >= MISS_LIMIT,
        detail={"page": PAGE, "found": False, "recent_misses": misses},
    )


def record_lookup_refused(user: User) -> None:
    record(
        actor=user,
        action=AuditAction.LIST,
        outcome=AuditOutcome.DENIED,
        object_type="patients.patient",
        flagged=True,
        detail={"page": PAGE, "reason": "too_many_misses"},
    )
