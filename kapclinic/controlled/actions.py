"""Every write to the controlled-substance log: atomic, audited, append-only.

A count that disagrees with the log is kept as counted (never "fixed") and flagged:
the site's clinic admins are e-mailed once the count is committed. A clinic admin of
the site marks a flag reviewed with a note of what they found; the review is
append-only and the flag then leaves the "needs review" list.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site
from kapclinic.controlled.access import may_record, site_staff
from kapclinic.controlled.ledger import balance_of, site_flags
from kapclinic.controlled.models import FlagReview, StockEntry


class LogRefused(ValueError):
    """A log entry that cannot be made; the message says why, for the person at the desk."""


def _check(actor: User, site: Site) -> None:
    if not may_record(actor) or not actor.sites.filter(pk=site.pk).exists():
        raise LogRefused("Only the site's nurses and prescribers record in its log.")


def _audit(actor: User, entry: StockEntry, **detail: object) -> None:
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        detail={"kind": entry.kind, "site_id": entry.site_id, **detail},
    )


@transaction.atomic
def record_receipt(
    *,
    actor: User,
    site: Site,
    drug: str,
    strength: str,
    lot_number: str,
    quantity_mg: Decimal,
    supplier: str,
    occurred_at: dt.datetime | None = None,
) -> StockEntry:
    _check(actor, site)
    entry = StockEntry.objects.create(
        site=site,
        kind=StockEntry.Kind.RECEIPT,
        drug=drug,
        strength=strength.strip(),
        lot_number=lot_number.strip(),
        quantity_mg=quantity_mg,
        supplier=supplier.strip(),
        recorded_by=actor,
        occurred_at=occurred_at or timezone.now(),
    )
    _audit(actor, entry)
    return entry


@transaction.atomic
def record_waste(
    *,
    actor: User,
    site: Site,
    drug: str,
    lot_number: str,
    quantity_mg: Decimal,
    witness: User,
    reason: str,
    occurred_at: dt.datetime | None = None,
) -> StockEntry:
    _check(actor, site)
    if witness.pk == actor.pk:
        raise LogRefused("The witness must be a second member of staff, not you.")
    if not site_staff(site).filter(pk=witness.pk).exists():
        raise LogRefused("The witness must be a nurse or prescriber at this site.")
    lot = lot_number.strip()
    if quantity_mg > balance_of(site.pk, drug, lot):
        raise LogRefused("That is more than the log holds for this lot; count the stock first.")
    entry = StockEntry.objects.create(
        site=site,
        kind=StockEntry.Kind.WASTE,
        drug=drug,
        lot_number=lot,
        quantity_mg=quantity_mg,
        witness=witness,
        reason=reason.strip(),
        recorded_by=actor,
        occurred_at=occurred_at or timezone.now(),
    )
    _audit(actor, entry, witness_id=witness.pk)
    return entry


def _email_admins(entry_id: int) -> None:
    entry = StockEntry.objects.select_related("site").get(pk=entry_id)
    admins = User.objects.filter(
        role=Role.CLINIC_ADMIN, is_active=True, sites=entry.site
    ).values_list("email", flat=True)
    if not admins:
        return
    send_mail(
        f"Controlled-substance count differs at {entry.site.name}",
        (
            f"A physical count of lot {entry.lot_number} at {entry.site.name} found "
            f"{entry.quantity_mg} mg; the log holds {entry.expected_mg} mg "
            f"(difference {entry.discrepancy_mg:+} mg). Please review the site's "
            "controlled-substance log."
        ),
        None,
        list(admins),
    )


@transaction.atomic
def record_count(
    *, actor: User, site: Site, drug: str, lot_number: str, counted_mg: Decimal
) -> StockEntry:
    """Record a physical count with what the log held at that moment."""
    _check(actor, site)
    lot = lot_number.strip()
    expected = balance_of(site.pk, drug, lot)
    entry = StockEntry.objects.create(
        site=site,
        kind=StockEntry.Kind.COUNT,
        drug=drug,
        lot_number=lot,
        quantity_mg=counted_mg,
        expected_mg=expected,
        recorded_by=actor,
    )
    differs = counted_mg != expected
    _audit(actor, entry, differs=differs)
    if differs:
        transaction.on_commit(lambda: _email_admins(entry.pk))
    return entry


@transaction.atomic
def record_correction(
    *, actor: User, site: Site, drug: str, lot_number: str, change_mg: Decimal, reason: str
) -> StockEntry:
    """A correction changes the balance by `change_mg` (negative removes); the entries
    it puts right stay as they were."""
    _check(actor, site)
    if not reason.strip():
        raise LogRefused("Say why the log needs correcting.")
    if change_mg == 0:
        raise LogRefused("A correction must change the balance.")
    entry = StockEntry.objects.create(
        site=site,
        kind=StockEntry.Kind.CORRECTION,
        drug=drug,
        lot_number=lot_number.strip(),
        quantity_mg=change_mg,
        reason=reason.strip(),
        recorded_by=actor,
    )
    _audit(actor, entry)
    return entry


def may_review(actor: User, site: Site) -> bool:
    """Only the site's own clinic admins review its flags (not the staff who record)."""
    return (
        actor.is_active
        and actor.role == Role.CLINIC_ADMIN
        and actor.sites.filter(pk=site.pk).exists()
    )


@transaction.atomic
def review_flag(*, actor: User, site: Site, flag_key: str, note: str) -> FlagReview:
    """Record that `actor` reviewed the open flag `flag_key` of the site's log, with
    what they found. The flag must be one the log raises now and not yet reviewed."""
    if not may_review(actor, site):
        raise LogRefused("Only the site's clinic admins review its flags.")
    note = note.strip()
    if not note:
        raise LogRefused("Write what you found when you looked into this flag.")
    flag = next((f for f in site_flags(site.pk) if f.key == flag_key), None)
    if flag is None:
        raise LogRefused("This flag is no longer raised by the log; reload the log to see it now.")
    try:
        # A savepoint: a second admin reviewing the same flag at the same moment hits
        # the unique constraint, and this transaction can still answer them.
        with transaction.atomic():
            review = FlagReview.objects.create(
                site=site,
                kind=flag.kind,
                drug=flag.drug,
                lot_number=flag.lot_number,
                flag_key=flag.key,
                flag_message=flag.message,
                note=note,
                reviewed_by=actor,
            )
    except IntegrityError:
        raise LogRefused("This flag has already been reviewed.") from None
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=review,
        detail={"site_id": site.pk, "kind": flag.kind, "flag": flag.key},
    )
    return review
