"""A transaction holding the audit chain head stalls nobody else (PostgreSQL).

Another connection locks the head as a stuck writer would; a chart read by an
unrelated user still answers, well within the lock timeout, and its audit row is
sealed into the chain once the head is free again.
"""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse

from kapclinic.audit import seal
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.test import login

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
)


@pytest.mark.django_db(transaction=True)
def test_a_chart_read_answers_while_another_connection_holds_the_chain_head(
    cast, client, settings, capsys
):
    # The sealing task goes to a separate worker in production, not into this request.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    record(actor=None, action=AuditAction.LIST)
    login(client, cast.prescriber)
    holder = connections.create_connection("default")
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute("SELECT * FROM audit_auditchainhead WHERE id = 1 FOR UPDATE")
        started = time.monotonic()
        response = client.get(reverse("patients:chart", args=[cast.patient.pk]))
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        assert elapsed < settings.DB_LOCK_TIMEOUT_MS / 1000
        read = AuditEvent.objects.filter(patient=cast.patient, action=AuditAction.VIEW).get()
        assert read.seq is None  # pending: the head was held
        assert seal.seal_now(wait=False) is None  # still held: the sealer waits its turn
    finally:
        holder.rollback()
        holder.close()
    later = record(actor=None, action=AuditAction.LIST)  # chained at once, ahead of `read`
    assert seal.seal_now(wait=False) == 1
    read.refresh_from_db()
    assert read.seq is not None and read.seq > later.seq > 0
    call_command("verify_audit")
    count = AuditEvent.objects.count()
    assert f"OK: {count} events verified" in capsys.readouterr().out
