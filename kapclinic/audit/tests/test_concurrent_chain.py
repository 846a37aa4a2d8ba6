"""Audit rows written at the same time by several connections still form one chain.

App servers are separate processes over one PostgreSQL database, so the head row's
lock is what keeps the chain linear. SQLite serialises writers itself (immediate
transactions), and its in-memory test database cannot be shared between threads
reliably, so this runs on PostgreSQL only.
"""

from __future__ import annotations

import itertools
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
)

WRITERS = 4
EVENTS_EACH = 15


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_form_one_valid_chain(capsys: pytest.CaptureFixture[str]) -> None:
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(EVENTS_EACH):
                record(actor=None, action=AuditAction.LIST, detail={"writer": n, "i": i})
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    rows = list(AuditEvent.objects.order_by("seq").values_list("prev_hash", "hash"))
    assert len(rows) == WRITERS * EVENTS_EACH
    for (_, previous), (prev_hash, _) in itertools.pairwise(rows):
        assert prev_hash == previous
    call_command("verify_audit")
    assert f"OK: {WRITERS * EVENTS_EACH} events verified" in capsys.readouterr().out
