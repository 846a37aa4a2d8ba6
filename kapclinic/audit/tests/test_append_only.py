import pytest

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
