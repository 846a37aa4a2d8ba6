"""Anchors outside the database catch a shortened chain that is otherwise consistent."""

import json

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command

from kapclinic.audit.actions import record
from kapclinic.audit.anchors import ANCHOR_MISMATCH, BEHIND_ANCHOR, anchor_file
from kapclinic.audit.models import AuditAction, AuditChainHead, AuditEvent
from kapclinic.audit.tests.tampering import tampering

pytestmark = pytest.mark.django_db


def events(n):
    return [record(actor=None, action=AuditAction.LIST, detail={"n": i}) for i in range(n)]


def cut_tail_and_rewrite_head(keep):
    """What an owner with database rights can do: drop the newest rows, fix the head."""
    with tampering():
        AuditEvent.objects.filter(seq__gt=keep.seq).delete()
        AuditChainHead.objects.filter(pk=1).update(
            last_id=keep.pk, last_seq=keep.seq, last_hash=keep.hash
        )


def test_anchor_audit_appends_the_head_to_the_anchor_file(cast, capsys):
    rows = events(2)
    call_command("anchor_audit")
    call_command("anchor_audit")
    lines = [json.loads(x) for x in anchor_file().read_text().splitlines()]
    assert [(x["seq"], x["hash"]) for x in lines] == [(rows[-1].seq, rows[-1].hash)] * 2
    assert f"Anchored event {rows[-1].seq}" in capsys.readouterr().out


def test_anchors_that_match_pass(cast, capsys):
    events(2)
    call_command("anchor_audit")
    events(1)
    call_command("verify_audit")
    assert "OK: 3 events verified" in capsys.readouterr().out


def test_a_deleted_tail_with_a_rewritten_head_is_reported(cast, capsys):
    rows = events(4)
    call_command("anchor_audit")
    cut_tail_and_rewrite_head(rows[1])
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert f"row {rows[-1].pk}: {BEHIND_ANCHOR}" in capsys.readouterr().err


def test_a_rewritten_chain_after_a_cut_is_reported(cast, capsys):
    rows = events(3)
    call_command("anchor_audit")
    cut_tail_and_rewrite_head(rows[0])
    events(2)  # the chain grows back past the anchored place, with other rows
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert f"row {rows[-1].pk}: {ANCHOR_MISMATCH}" in capsys.readouterr().err


def test_an_anchor_from_the_digest_email_is_checked(cast, capsys):
    rows = events(3)
    cut_tail_and_rewrite_head(rows[0])
    call_command("verify_audit")  # without anchors the shortened chain looks fine
    capsys.readouterr()
    with pytest.raises(CommandError):
        call_command("verify_audit", anchor=[f"{rows[-1].seq}:{rows[-1].hash}"])
    assert BEHIND_ANCHOR in capsys.readouterr().err


def test_a_malformed_digest_anchor_is_refused(cast):
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("verify_audit", anchor=["12:abc"])


def test_an_unreadable_anchor_line_is_reported(cast, capsys):
    anchor_file().write_text("not json\n")
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert "bad anchor line" in capsys.readouterr().err


def test_the_first_anchor_of_the_day_emails_the_digest_to_admins(cast):
    rows = events(1)
    call_command("anchor_audit")
    call_command("anchor_audit")  # the same day: no second e-mail
    assert [m.to for m in mail.outbox] == [[cast.admin.email]]
    body = mail.outbox[0].body
    assert rows[0].hash in body and f"--anchor {rows[0].seq}:{rows[0].hash}" in body
    assert settings.SITE_NAME in mail.outbox[0].subject
