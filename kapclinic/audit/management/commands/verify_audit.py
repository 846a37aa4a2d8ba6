"""`manage.py verify_audit`: check that no audit row was altered or deleted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kapclinic.audit.models import AuditChainHead, AuditEvent
from kapclinic.audit.verify import ROW_FIELDS, Head, Problem, verify_rows

# A pending row is normally sealed within a second; one left this long means the
# sealer is not running (no task worker) and the row is not yet tamper-evident.
UNSEALED_GRACE = timedelta(minutes=10)
UNSEALED = "unsealed"


class Command(BaseCommand):
    help = "Recompute every audit row's hash and check the chain links and head."

    def handle(self, *args: Any, **options: Any) -> None:
        # Read the head first: rows sealed after it are left for the next run.
        head_row = (
            AuditChainHead.objects.filter(pk=1)
            .values_list("last_id", "last_hash", "last_seq")
            .first()
        )
        head = Head(*head_row[:2]) if head_row is not None else None
        events = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
        if head_row is not None:
            events = events.filter(seq__lte=head_row[2])
        rows = events.values_list(*ROW_FIELDS).iterator(chunk_size=2000)
        report = verify_rows(rows, head)
        pending = AuditEvent.objects.filter(seq__isnull=True)
        stale = pending.filter(occurred_at__lt=timezone.now() - UNSEALED_GRACE)
        for row_id in stale.order_by("id").values_list("id", flat=True)[:100]:
            report.problems.append(
                Problem(row_id, UNSEALED, "still waiting to be sealed: is the task worker running?")
            )
        if report.ok:
            waiting = pending.count()
            note = f" ({waiting} new events waiting to be sealed)" if waiting else ""
            self.stdout.write(f"OK: {report.checked} events verified{note}")
            return
        for problem in report.problems:
            self.stderr.write(str(problem))
        raise CommandError(
            f"FAILED: {len(report.problems)} problem(s) in {report.checked} events checked"
        )
