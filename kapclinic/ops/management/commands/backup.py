"""`manage.py backup [PATH]`: a consistent backup, verified with verify_audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kapclinic.ops import backups


class Command(BaseCommand):
    help = (
        "Back up the database while the clinic keeps working (SQLite online backup, "
        "PostgreSQL pg_dump custom format), then check the copy with verify_audit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="Where to write the backup.")
        parser.add_argument(
            "--no-verify", action="store_true", help="Skip checking the copy's audit trail."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"] or backups.default_path()
        backups.backup(path)
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size} bytes)")
        if options["no_verify"]:
            return
        ok, report = backups.verify_backup(path)
        self.stdout.write(f"verify_audit on the backup: {report}")
        if not ok:
            raise CommandError("The backup's audit trail did not verify; keep the previous one.")
