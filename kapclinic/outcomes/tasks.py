"""Background work of measurement-based care, run by `manage.py db_worker` (django-tasks).

Both tasks are idempotent, so the worker, cron (the management commands of the
same names) or both may run them as often as wanted.
"""

from __future__ import annotations

from django_tasks import task

from kapclinic.outcomes.actions import escalate_overdue
from kapclinic.outcomes.sweep import send_due_questionnaires as sweep


@task()
def escalate_risk_alerts() -> int:
    """Escalate alerts nobody acknowledged in time; safe to run as often as wanted."""
    return escalate_overdue()


@task()
def send_due_questionnaires() -> dict[str, int]:
    """Create the questionnaires the schedules make due, send their links and the
    one reminder; nothing is sent twice."""
    return sweep()
