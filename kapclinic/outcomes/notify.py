"""Messages about risk alerts: to the care team at once, to the on-call prescriber
on escalation. Subjects and bodies name no patient and no answer (no PHI over
e-mail); the link opens the alert for someone signed in and allowed to see it.

There is no SMS backend in the codebase yet (scheduling has an SMS channel choice
but nothing that sends), so escalation goes by e-mail only for now.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import mail
from django.urls import reverse

from kapclinic.accounts.models import User

logger = logging.getLogger(__name__)


def _send(subject: str, body: str, recipients: list[str], alert_id: int) -> None:
    if not recipients:
        logger.warning("Risk alert #%s has no one to e-mail", alert_id)
        return
    messages = [(subject, body, None, [address]) for address in recipients]
    try:
        mail.send_mass_mail(messages, fail_silently=False)
    except Exception:
        # The alert is stored and shows on the alerts page; a mail outage must not
        # undo it or turn the patient's result page into an error.
        logger.exception("Could not e-mail about risk alert #%s", alert_id)


def _link(site_url: str) -> str:
    return site_url.rstrip("/") + reverse("outcomes:alerts")


def tell_care_team(alert_id: int, recipients: list[str], hours: int, site_url: str) -> None:
    subject = f"[{settings.SITE_NAME}] Risk alert #{alert_id} needs acknowledgement"
    body = (
        f"A questionnaire answer raised risk alert #{alert_id} for a patient on your care team.\n"
        f"Please acknowledge it within {hours} hours, or it goes to the on-call prescriber.\n\n"
        f"Open the alerts: {_link(site_url)}\n"
    )
    _send(subject, body, recipients, alert_id)


def tell_on_call(alert_id: int, prescriber: User | None, hours: int, site_url: str) -> None:
    subject = f"[{settings.SITE_NAME}] Escalated: risk alert #{alert_id} not acknowledged"
    body = (
        f"Risk alert #{alert_id} was not acknowledged within {hours} hours and is escalated"
        f" to you as the on-call prescriber.\n\nOpen the alerts: {_link(site_url)}\n"
    )
    recipients = [prescriber.email] if prescriber is not None and prescriber.email else []
    _send(subject, body, recipients, alert_id)
