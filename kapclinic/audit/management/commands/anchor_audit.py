"""`manage.py anchor_audit`: record the audit chain head outside the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kapclinic.audit.anchors import anchor_file, write_anchor


class Command(BaseCommand):
    help = (
        "Seal pending audit events and append the chain head to the anchor file; "
        "once a day also e-mail it to the clinic admins. Run every few minutes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = write_anchor()
        mailed = " (daily digest queued)" if anchor.digest else ""
        self.stdout.write(f"Anchored event {anchor.seq} in {anchor_file()}{mailed}")
