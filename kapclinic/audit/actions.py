"""Writing to the audit trail. Every other app records its events through `record`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from kapclinic.audit import chain, context, seal
from kapclinic.audit.models import AuditAction, AuditChainHead, AuditEvent, AuditOutcome

if TYPE_CHECKING:
    from kapclinic.accounts.models import User
    from kapclinic.patients.models import Patient


def record(
    *,
    actor: User | None,
    action: AuditAction | str,
    outcome: AuditOutcome | str = AuditOutcome.SUCCESS,
    patient: Patient | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    flagged: bool = False,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event, chained to the previous one.

    Runs inside the caller's transaction when there is one, so an event and the
    write it describes commit or roll back together. `detail` must hold references
    and field names only, never PHI values.

    Never waits for another transaction: if the chain head is held elsewhere the
    event is stored pending and sealed into the chain right after (`audit.seal`).
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    ctx = context.current()
    actor_id = actor.pk if actor is not None and actor.pk is not None else None
    with transaction.atomic():
        head = seal.try_lock_head()
        fields: dict[str, Any] = {
            "occurred_at": timezone.now(),
            "actor_id": actor_id,
            "actor_role": getattr(actor, "role", "") if actor_id else "",
            "action": str(action),
            "outcome": str(outcome),
            "patient_id": patient.pk if patient is not None else None,
            "object_type": object_type,
            "object_id": object_id,
            "ip_address": ctx.ip_address,
            "request_id": ctx.request_id,
            "path": ctx.path,
            "flagged": flagged,
            "detail": detail or {},
        }
        if head is None:
            event = AuditEvent.objects.create(**fields)
            transaction.on_commit(seal.seal_after_commit, robust=True)
            return event
        digest = chain.compute_hash(head.last_hash, chain.event_payload(**fields))
        seq = head.last_seq + 1
        event = AuditEvent.objects.create(seq=seq, prev_hash=head.last_hash, hash=digest, **fields)
        AuditChainHead.objects.filter(pk=head.pk).update(
            last_id=event.pk, last_seq=seq, last_hash=digest
        )
    return event
