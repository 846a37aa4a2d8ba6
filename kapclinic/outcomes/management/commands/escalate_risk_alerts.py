"""`manage.py escalate_risk_alerts`: escalate overdue risk alerts to on-call.

Idempotent (an escalated alert is never escalated again), so cron may run it every
few minutes beside, or instead of, the task worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kapclinic.outcomes.actions import escalate_overdue


class Command(BaseCommand):
    help = "Escalate risk alerts not acknowledged within their site's window to on-call."

    def handle(self, *args: Any, **options: Any) -> None:
        count = escalate_overdue()
        self.stdout.write(f"Escalated {count} risk alert(s).")
