"""`manage.py restore PATH --yes`: replace the database with a backup, then verify it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kapclinic.ops import backups


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by `manage.py backup`, then run "
        "verify_audit. Stop the app servers and the task worker first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup file.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm: everything written since the backup is replaced.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not options["yes"]:
            raise CommandError(
                "restore replaces the whole database with the backup: everything "
                "written since it was made is lost. Stop the app, then add --yes."
            )
        backups.restore(path)
        self.stdout.write(f"Restored {path}")
        ok, report = backups.verify_live()
        self.stdout.write(f"verify_audit: {report}")
        if not ok:
            raise CommandError(
                "The restored audit trail did not verify. If it says 'behind anchor', "
                "the backup is older than the newest anchored events: they are not in it."
            )
