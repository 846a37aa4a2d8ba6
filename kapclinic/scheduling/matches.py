"""Front desk's answer to an online booking that may be an existing patient's.

The public page never guesses (actions.book_from_public_page): it books on a new
record and notes an existing patient with the same name and birth date. Front desk
then decides: the same person, and the new record is merged into the existing one
(patients/merge.py), or not, and the note is dismissed. Either way the booking
leaves the list of bookings to check, and the decision is audited.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.patients.merge import MergeRefused, merge_records
from kapclinic.scheduling.access import visible_appointments
from kapclinic.scheduling.models import PublicBooking

Outcome = PublicBooking.MatchOutcome


def bookings_to_check(user: User) -> QuerySet[PublicBooking]:
    """Online bookings `user` may see whose possible match nobody has decided yet."""
    return PublicBooking.objects.filter(
        appointment__in=visible_appointments(user),
        possible_match__isnull=False,
        possible_match__merged_into__isnull=True,
        appointment__patient__merged_into__isnull=True,
        match_outcome="",
    ).exclude(
        # Already on the matched record (the visitor proved the e-mail address).
        possible_match=F("appointment__patient")
    )


def _open_booking(actor: User, booking: PublicBooking) -> PublicBooking:
    """The booking re-read under a lock, still waiting for a decision, or refused."""
    if actor.role != Role.FRONT_DESK:
        raise MergeRefused("Only front desk decides whether two records are the same person.")
    current = (
        bookings_to_check(actor)
        .select_for_update(of=("self",))
        .select_related("appointment__patient", "possible_match")
        .filter(pk=booking.pk)
        .first()
    )
    if current is None:
        raise MergeRefused("Someone has already decided about this booking.")
    return current


def _resolve(actor: User, booking: PublicBooking, outcome: str) -> None:
    booking.match_outcome = outcome
    booking.match_resolved_at = timezone.now()
    booking.match_resolved_by = actor
    booking.save(update_fields=["match_outcome", "match_resolved_at", "match_resolved_by"])


@transaction.atomic
def merge_booking_match(*, actor: User, booking: PublicBooking) -> PublicBooking:
    """Same person: the record made for the online booking is merged into the
    existing one. Raises `MergeRefused` (nothing changed) when it cannot be."""
    current = _open_booking(actor, booking)
    kept = current.possible_match
    assert kept is not None  # bookings_to_check has only bookings with a match
    merge_records(
        actor=actor,
        kept=kept,
        duplicate=current.appointment.patient,
        detail={"public_booking": current.pk},
    )
    _resolve(actor, current, Outcome.MERGED)
    return current


@transaction.atomic
def dismiss_booking_match(*, actor: User, booking: PublicBooking) -> PublicBooking:
    """Not the same person: both records stay, and the booking leaves the list."""
    current = _open_booking(actor, booking)
    _resolve(actor, current, Outcome.DISMISSED)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=current.appointment.patient,
        obj=current,
        detail={
            "fields": ["match_outcome"],
            "match_outcome": Outcome.DISMISSED,
            "possible_match": current.possible_match_id,
        },
    )
    return current
