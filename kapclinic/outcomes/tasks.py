"""Background work for risk alerts, run by `manage.py db_worker` (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from kapclinic.outcomes.actions import escalate_overdue


@task()
def escalate_risk_alerts() -> int:
    """Escalate alerts nobody acknowledged in time; safe to run as often as wanted."""
    return escalate_overdue()
