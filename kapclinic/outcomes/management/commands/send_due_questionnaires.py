"""`manage.py send_due_questionnaires`: create scheduled questionnaires that are due
and send their links (and the one reminder).

Idempotent (each occasion is created once, each link and reminder sent once), so
cron may run it every few minutes beside, or instead of, the task worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kapclinic.outcomes.sweep import send_due_questionnaires


class Command(BaseCommand):
    help = "Create due scheduled questionnaires and send their links and reminders."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = send_due_questionnaires()
        self.stdout.write(
            f"Created {counts['created']} questionnaire(s), sent {counts['sent']} link(s), "
            f"{counts['reminded']} reminder(s), {counts['prompted']} journal prompt(s)."
        )
