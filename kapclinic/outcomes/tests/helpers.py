"""Small builders for the outcomes tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.outcomes import actions
from kapclinic.outcomes.models import QuestionnaireAssignment
from kapclinic.test import Cast

PHQ9_SAFE = [1, 1, 1, 1, 1, 1, 1, 1, 0]
PHQ9_ITEM9 = [1, 1, 1, 1, 1, 1, 1, 1, 1]


def assign_phq9(
    cast: Cast, instrument: str = "phq9", actor: User | None = None
) -> QuestionnaireAssignment:
    now = timezone.now()
    return actions.assign(
        actor=actor or cast.prescriber,
        patient=cast.patient,
        instrument=instrument,
        due_at=now,
        expires_at=now + dt.timedelta(days=7),
    )
