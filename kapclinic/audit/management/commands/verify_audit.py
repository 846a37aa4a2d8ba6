"""`manage.py verify_audit`: check that no audit row was altered or deleted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kapclinic.audit.anchors import Anchor, anchor_file, check_anchors, read_anchors
from kapclinic.audit.models import AuditChainHead, AuditEvent
from kapclinic.audit.verify import ROW_FIELDS, Head, Problem, verify_rows

# A pending row is normally sealed within a second; one left this long means the
# sealer is not running (no task worker) and the row is not yet tamper-evident.
UNSEALED_GRACE = timedelta(minutes=10)
UNSEALED = "unsealed"


class Command(BaseCommand):
    help = (
        "Recompute every audit row's hash, check the chain links and head, and check "
        "the chain against the anchors recorded outside the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchors",
            type=Path,
            help="Anchor file to check against (default: AUDIT_ANCHOR_FILE).",
        )
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="An anchor from a daily digest e-mail; may be repeated.",
        )

    def _anchors(self, options: dict[str, Any]) -> tuple[list[Anchor], list[Any]]:
        path = options.get("anchors") or anchor_file()
        anchors, problems = read_anchors(path)
        for value in options.get("anchor") or []:
            seq, _, digest = str(value).partition(":")
            if not seq.isdigit() or len(digest) != 64:
                raise CommandError(f"--anchor {value!r}: expected SEQ:HASH from the digest")
            anchors.append(Anchor(timezone.now(), int(seq), 0, digest))
        return anchors, problems

    def handle(self, *args: Any, **options: Any) -> None:
        anchors, anchor_problems = self._anchors(options)
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
        report.problems.extend(anchor_problems)
        report.problems.extend(check_anchors(anchors))
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
