"""Signed questionnaire links: a patient answers a scheduled questionnaire from an
e-mail or text message without signing in.

The token names one assignment (so one patient) and is signed with its own salt
and a timestamp; it works for LINK_HOURS after it was made, and only while the
assignment is open. It opens that questionnaire and nothing else: no name, no
earlier answers, no other record. Once answered, the same link only says so.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse

LINK_SALT = "kapclinic.outcomes.questionnaire-link"
LINK_HOURS = 72


def make_token(assignment_id: int) -> str:
    return signing.dumps(assignment_id, salt=LINK_SALT)


def read_token(token: str) -> int | None:
    """The assignment a genuine, unexpired token names; None for a forged, garbled
    or expired one (the page is the same for all three)."""
    try:
        value = signing.loads(token, salt=LINK_SALT, max_age=dt.timedelta(hours=LINK_HOURS))
    except signing.BadSignature:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
        return None
    return value


def link_url(assignment_id: int) -> str:
    return settings.PUBLIC_BASE_URL + reverse(
        "questionnaire_link:answer", args=[make_token(assignment_id)]
    )
