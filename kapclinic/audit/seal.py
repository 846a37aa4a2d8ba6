"""Putting audit rows into the hash chain without making requests wait for each other.

`record` tries the chain head with SKIP LOCKED: if it is free (the usual case) the
row is chained at once, inside the caller's transaction; if another transaction
holds it, the row is stored *pending* and the request goes on. After the commit a
pending row's request tries once more without waiting and, if the head is still
held, leaves the sealing to the task worker (`seal_audit_trail`), which waits for
the head. Only committed rows are ever sealed, in id order, each getting the next
`seq`: a row whose transaction commits after a higher id was sealed simply gets a
later place, and a rolled-back id never appears. The database trigger
(`db_guard`) allows exactly one change to a row: from pending to sealed, with its
content unchanged.
"""

from __future__ import annotations

import logging

from django.db import OperationalError, transaction
from django_tasks import task

from kapclinic.audit.chain import compute_hash
from kapclinic.audit.models import AuditChainHead, AuditEvent
from kapclinic.audit.verify import ROW_FIELDS, row_payload

logger = logging.getLogger(__name__)

BATCH = 500
# A request that finds rows pending seals at most this many itself (its reply waits
# for them); after a long stall the rest goes to the task worker.
IN_REQUEST = 20


def try_lock_head() -> AuditChainHead | None:
    """The chain head, locked for this transaction, or None if someone else holds it.

    One query in the usual case. SKIP LOCKED never waits and never raises, so it
    needs no savepoint. (SQLite has no row locks: its writers are already serial.)
    """
    head = AuditChainHead.objects.select_for_update(skip_locked=True).filter(pk=1).first()
    if head is not None:
        return head
    head, created = AuditChainHead.objects.get_or_create(pk=1)
    if created:
        return head  # the new row is ours until this transaction ends
    return None  # it exists, so it is locked by someone else


def wait_for_head() -> AuditChainHead:
    """The chain head, locked, waiting up to the database's lock timeout."""
    AuditChainHead.objects.get_or_create(pk=1)
    return AuditChainHead.objects.select_for_update().get(pk=1)


def seal_pending(head: AuditChainHead, *, limit: int | None = None) -> int:
    """Chain committed pending rows (all, or the first `limit`), in id order, after
    `head` (locked)."""
    sealed = 0
    while True:
        batch = BATCH if limit is None else min(BATCH, limit - sealed)
        pending = list(
            AuditEvent.objects.filter(seq__isnull=True)
            .order_by("id")
            .values_list(*ROW_FIELDS)[:batch]
        )
        for row in pending:
            digest = compute_hash(head.last_hash, row_payload(row))
            changed = AuditEvent.objects.filter(pk=row[0], seq__isnull=True).update(
                seq=head.last_seq + 1, prev_hash=head.last_hash, hash=digest
            )
            if changed != 1:  # impossible while we hold the head; never chain past it
                raise RuntimeError(f"audit row {row[0]} changed while being sealed")
            head.last_id, head.last_seq, head.last_hash = row[0], head.last_seq + 1, digest
        sealed += len(pending)
        if len(pending) < batch or (limit is not None and sealed >= limit):
            break
    if sealed:
        AuditChainHead.objects.filter(pk=head.pk).update(
            last_id=head.last_id, last_seq=head.last_seq, last_hash=head.last_hash
        )
    return sealed


def seal_now(*, wait: bool, limit: int | None = None) -> int | None:
    """Seal what is pending in a transaction of its own; None if the head was busy."""
    with transaction.atomic():
        head = wait_for_head() if wait else try_lock_head()
        if head is None:
            return None
        return seal_pending(head, limit=limit)


def seal_after_commit() -> None:
    """Run after a request committed a pending row: seal a few now, hand on the rest."""
    sealed = seal_now(wait=False, limit=IN_REQUEST)
    if sealed is None or sealed >= IN_REQUEST:
        seal_audit_trail.enqueue()


@task()
def seal_audit_trail() -> int:
    """Background task: seal pending audit rows, waiting for the head if need be."""
    try:
        return seal_now(wait=True) or 0
    except OperationalError:
        # The head stayed locked past the lock timeout; the next pending row or
        # the next anchoring run enqueues another try.
        logger.warning("audit sealing postponed: the chain head stayed locked")
        return 0
