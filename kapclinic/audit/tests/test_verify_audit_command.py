import pytest
from django.core.management import CommandError, call_command

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.audit.tests.tampering import tampering
from kapclinic.audit.verify import ROW_FIELDS, row_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(cast):
    return [
        record(actor=cast.admin, action=AuditAction.LIST, detail={"page": "1"}),
        record(actor=cast.nurse, action=AuditAction.VIEW, patient=cast.patient),
        record(actor=cast.prescriber, action=AuditAction.UPDATE, patient=cast.patient),
        record(actor=cast.admin, action=AuditAction.SETTINGS, detail={"changes": {"x": [1, 2]}}),
    ]


def test_clean_chain_passes(events, capsys):
    call_command("verify_audit")
    assert capsys.readouterr().out.strip() == "OK: 4 events verified"


def test_empty_trail_passes(db, capsys):
    call_command("verify_audit")
    assert "OK: 0 events verified" in capsys.readouterr().out


def test_row_altered_behind_save_fails(events, capsys):
    with tampering():
        AuditEvent.objects.filter(pk=events[1].pk).update(action=AuditAction.LIST)
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert f"row {events[1].pk}: altered" in capsys.readouterr().err


def test_row_altered_with_a_recomputed_hash_breaks_the_next_link(events, capsys):
    # An attacker who knows the hash scheme rewrites a row and gives it the true hash
    # of its new content: the row itself then checks out, and only the next row's
    # prev_hash still names the old hash.
    with tampering():
        AuditEvent.objects.filter(pk=events[1].pk).update(action=AuditAction.LIST)
        altered = AuditEvent.objects.filter(pk=events[1].pk).values_list(*ROW_FIELDS).get()
        AuditEvent.objects.filter(pk=events[1].pk).update(hash=row_hash(altered))
    assert row_hash(altered) != events[1].hash
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_audit")
    err = capsys.readouterr().err
    assert f"row {events[1].pk}:" not in err
    assert f"row {events[2].pk}: broken link" in err


def test_deleted_middle_row_fails(events, capsys):
    with tampering():
        AuditEvent.objects.filter(pk=events[1].pk).delete()
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert f"row {events[2].pk}: broken link" in capsys.readouterr().err


def test_deleted_newest_row_fails(events, capsys):
    with tampering():
        AuditEvent.objects.filter(pk=events[-1].pk).delete()
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert f"row {events[-1].pk}: missing tail" in capsys.readouterr().err


def test_every_row_deleted_fails(events, capsys):
    with tampering():
        AuditEvent.objects.all().delete()
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert f"row {events[-1].pk}: missing tail" in capsys.readouterr().err


def test_every_problem_is_listed(events, capsys):
    with tampering():
        AuditEvent.objects.filter(pk=events[0].pk).update(detail={"page": "2"})
        AuditEvent.objects.filter(pk=events[-1].pk).delete()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("verify_audit")
