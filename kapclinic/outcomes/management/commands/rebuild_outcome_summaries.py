"""`manage.py rebuild_outcome_summaries`: recompute every patient's outcome summary
(the rows clinic analytics adds up) from the scores, visits and plans.

The actions keep the summary current as they write, so this is for data written
another way (an import, a restore, a fix by hand) or a change to a definition.
Safe to run at any time: it replaces the rows in one transaction.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from kapclinic.outcomes.models import OutcomeSummary
from kapclinic.outcomes.summary import refresh_summary


class Command(BaseCommand):
    help = "Recompute every patient's outcome summary used by clinic analytics."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        refresh_summary(None)
        rows = OutcomeSummary.objects.count()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Rebuilt {rows} outcome summary row(s) in {elapsed:.1f} s.")
