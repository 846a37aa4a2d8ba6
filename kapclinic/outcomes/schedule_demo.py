"""Demo questionnaire schedules for `seed_demo` (synthetic data only).

Every demo site gets the default schedule; the schedule planner then works out what
is due over the demo appointments, so the demo holds exactly what the real sweep
would create, each marked as sent at its due time (seeding sends no e-mail or text
and, like all demo data, writes no audit rows). One demo patient has PCL-5 added
weekly, one has questionnaires paused.
Idempotent: a second run finds the occasions taken and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from kapclinic.accounts.models import Role
from kapclinic.clinics.models import Site
from kapclinic.outcomes import schedule_plan
from kapclinic.outcomes.models import QuestionnaireAssignment, SchedulePause, ScheduleRule
from kapclinic.patients.models import CareTeamMember, Patient

BATCH = 500


@dataclass
class DemoSchedules:
    created: int = 0
    sent: int = 0


def build_demo_schedules(sites: list[Site]) -> DemoSchedules:
    result = DemoSchedules()
    now = timezone.now()
    with transaction.atomic():
        for site in sites:
            schedule_plan.ensure_site_defaults(site, audit=False)
        if not ScheduleRule.objects.filter(patient__site__in=sites).exists():
            _personalise(list(_candidates(sites)))
        candidates = list(_candidates(sites))
        # New questionnaires only: the demo has no copies open before this step.
        due = [
            (patient, d)
            for start in range(0, len(candidates), BATCH)
            for patient, d, reuse in schedule_plan.due_for(
                candidates[start : start + BATCH], now=now
            )
            if reuse is None
        ]
        QuestionnaireAssignment.objects.bulk_create(
            QuestionnaireAssignment(
                patient=patient,
                instrument=d.instrument,
                due_at=d.due_at,
                expires_at=d.expires_at,
                schedule_key=d.key,
                sent_at=d.due_at,
            )
            for patient, d in due
        )
        result.created = result.sent = len(due)
    return result


def _candidates(sites: list[Site]) -> QuerySet[Patient]:
    # Portal account holders only: the score histories seeded after this step add
    # past doses to patients without one, so planning those here would let a second
    # seed_demo find new occasions (the demo must be idempotent).
    return (
        schedule_plan.candidates()
        .filter(site__in=sites, user__isnull=False)
        .select_related("site")
        .order_by("pk")
    )


def _personalise(candidates: list[Patient]) -> None:
    """A PCL-5 added for the first patient, a pause for the last, by a care-team prescriber."""
    if not candidates:
        return
    first = candidates[0]
    prescriber = (
        CareTeamMember.objects.filter(patient=first, user__role=Role.PRESCRIBER)
        .select_related("user")
        .first()
    )
    if prescriber is not None:
        ScheduleRule.objects.create(
            patient=first, trigger="weekly", instrument="pcl5", changed_by=prescriber.user
        )
    last = candidates[-1]
    member = CareTeamMember.objects.filter(patient=last, user__role=Role.NURSE).first()
    if len(candidates) > 1 and member is not None:
        SchedulePause.objects.get_or_create(
            patient=last,
            defaults={"reason": "Admitted to hospital this week", "paused_by_id": member.user_id},
        )
