"""One pass of the questionnaire schedule: plan what is due, then send links and
reminders; and the journal prompts after each dosing session, which follow the
same sessions. Run by the task of the same name and by
`manage.py send_due_questionnaires`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kapclinic.journal import prompts
from kapclinic.outcomes import schedule_plan, sends


def send_due_questionnaires(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    created = schedule_plan.plan_all(now=now)
    sent, reminded = sends.send_due(now=now)
    prompts.plan_prompts(now=now)
    prompted = prompts.send_prompts(now=now)
    return {"created": created, "sent": sent, "reminded": reminded, "prompted": prompted}
