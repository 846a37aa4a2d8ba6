import pytest
from django.db import DatabaseError, connection, transaction

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
