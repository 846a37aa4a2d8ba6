"""Send every appointment reminder that is due: the safety net beside the deferred
tasks, for cron (every few minutes) or a loop with --every."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kapclinic.scheduling.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send appointment reminders that are due and not yet sent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, sweeping every SECONDS (default: once, then exit).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every: int = options["every"]
        while True:
            sent = send_due_reminders()
            self.stdout.write(f"{sent} reminder(s) sent.")
            if every <= 0:
                return
            time.sleep(every)
