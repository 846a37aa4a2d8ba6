"""`manage.py verify_audit`: check that no audit row was altered or deleted."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kapclinic.audit.models import AuditChainHead, AuditEvent
from kapclinic.audit.verify import ROW_FIELDS, Head, verify_rows


class Command(BaseCommand):
    help = "Recompute every audit row's hash and check the chain links and head."

    def handle(self, *args: Any, **options: Any) -> None:
        # Read the head first: rows committed after it are left for the next run.
        head_row = AuditChainHead.objects.filter(pk=1).values_list("last_id", "last_hash").first()
        head = Head(*head_row) if head_row is not None else None
        events = AuditEvent.objects.order_by("id")
        if head is not None:
            events = events.filter(id__lte=head.last_id)
        rows = events.values_list(*ROW_FIELDS).iterator(chunk_size=2000)
        report = verify_rows(rows, head)
        if report.ok:
            self.stdout.write(f"OK: {report.checked} events verified")
            return
        for problem in report.problems:
            self.stderr.write(str(problem))
        raise CommandError(
            f"FAILED: {len(report.problems)} problem(s) in {report.checked} events checked"
        )
