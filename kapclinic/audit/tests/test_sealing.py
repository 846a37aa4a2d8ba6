"""Pending audit rows: sealed into the chain later, in commit order, never changed."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from kapclinic.audit import seal
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db


def pending(**detail):
    """A row as `record` stores it when another transaction holds the chain head."""
    return AuditEvent.objects.create(action=AuditAction.LIST, detail=detail)


def test_pending_rows_are_sealed_after_the_rows_already_chained(capsys):
    early = pending(n=1)
    chained = record(actor=None, action=AuditAction.VIEW)
    assert early.pk < chained.pk
    assert AuditEvent.objects.get(pk=early.pk).seq is None
    assert seal.seal_now(wait=True) == 1
    early.refresh_from_db()
    assert chained.seq is not None
    assert early.seq == chained.seq + 1 and early.prev_hash == chained.hash
    head = AuditChainHead.objects.get()
    assert (head.last_id, head.last_seq, head.last_hash) == (early.pk, early.seq, early.hash)
    call_command("verify_audit")
    assert "OK: 2 events verified" in capsys.readouterr().out


def test_nothing_pending_seals_nothing():
    record(actor=None, action=AuditAction.VIEW)
    assert seal.seal_now(wait=False) == 0


def test_verify_mentions_recent_pending_rows(capsys):
    record(actor=None, action=AuditAction.VIEW)
    pending(n=1)
    call_command("verify_audit")
    assert "OK: 1 events verified (1 new events waiting to be sealed)" in capsys.readouterr().out


def test_a_row_left_unsealed_too_long_is_reported(capsys, time_machine):
    row = pending(n=1)
    time_machine.move_to(row.occurred_at + seal_grace() * 2)
    with pytest.raises(Exception, match="1 problem"):
        call_command("verify_audit")
    assert f"row {row.pk}: unsealed" in capsys.readouterr().err


def seal_grace():
    from kapclinic.audit.management.commands.verify_audit import UNSEALED_GRACE

    return UNSEALED_GRACE


def test_the_database_refuses_changing_a_pending_rows_content():
    row = pending(n=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(action=AuditAction.EXPORT)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(seq=99, hash="a" * 64, detail={"n": 2})


def test_the_database_refuses_resealing_a_sealed_row():
    row = pending(n=1)
    seal.seal_now(wait=True)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(seq=99, prev_hash="", hash="b" * 64)


def test_a_request_seals_a_few_pending_rows_and_hands_the_rest_on(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    for n in range(seal.IN_REQUEST + 5):
        pending(n=n)
    seal.seal_after_commit()
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 5
    assert len(default_task_backend.results) == 1  # type: ignore[attr-defined]
    assert seal.seal_audit_trail.call() == 5
