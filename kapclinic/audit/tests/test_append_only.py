from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext

from kapclinic.audit import chain
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db


def test_saving_an_existing_event_raises(cast):
    event = record(actor=cast.admin, action=AuditAction.LIST)
    event.action = AuditAction.DELETE
    with pytest.raises(RuntimeError):
        event.save()
    assert AuditEvent.objects.get().action == AuditAction.LIST


def test_deleting_an_event_raises(cast):
    event = record(actor=cast.admin, action=AuditAction.LIST)
    with pytest.raises(RuntimeError):
        event.delete()
    assert AuditEvent.objects.count() == 1


def test_recorded_events_form_a_chain(cast):
    first = record(actor=cast.admin, action=AuditAction.LIST)
    second = record(actor=cast.nurse, action=AuditAction.VIEW, patient=cast.patient)
    assert first.prev_hash == chain.GENESIS_HASH
    assert second.prev_hash == first.hash
    head = AuditChainHead.objects.get()
    assert (head.last_id, head.last_hash) == (second.pk, second.hash)


def test_the_database_refuses_a_bulk_update(db):
    event = record(actor=None, action=AuditAction.LIST)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.EXPORT)
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.LIST


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite allows DELETE (test flush)")
def test_postgresql_refuses_a_bulk_delete(db):
    event = record(actor=None, action=AuditAction.LIST)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_record_locks_the_chain_head_row(db):
    """Writers must lock the head row, or two app servers can chain to the same row.

    The behaviour is proved on PostgreSQL by test_concurrent_chain. SQLite (in-memory,
    one connection in tests) cannot show it: it runs writers one at a time anyway
    (IMMEDIATE transactions) and ignores FOR UPDATE. So on SQLite this checks the head
    is read through select_for_update(), and on PostgreSQL that FOR UPDATE was sent.
    """
    original = QuerySet.select_for_update
    locked: list[type] = []

    def spy(self, *args, **kwargs):
        locked.append(self.model)
        return original(self, *args, **kwargs)

    record(actor=None, action=AuditAction.LIST)  # the head row exists from here on
    with (
        mock.patch.object(QuerySet, "select_for_update", spy),
        CaptureQueriesContext(connection) as queries,
    ):
        record(actor=None, action=AuditAction.LIST)
    assert AuditChainHead in locked
    if connection.features.has_select_for_update:
        assert any(
            "FOR UPDATE" in q["sql"] and AuditChainHead._meta.db_table in q["sql"]
            for q in queries.captured_queries
        )
