"""Messages about risk alerts: to the care team at once, to the on-call prescriber
on escalation. Subjects and bodies name no patient and no answer (no PHI over
e-mail); the link opens the alert for someone signed in and allowed to see it.

Escalation to the on-call prescriber goes by e-mail and, when they have an on-call
number (`OnCallContact`), by text message through the SMS backend
(`scheduling/sms.py`); the text names the alert number only. Each message handed
over, or not, is audited, so the trail shows who was told and how.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import mail
from django.urls import reverse

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditOutcome
from kapclinic.scheduling.sms import send_sms

logger = logging.getLogger(__name__)


def _send(subject: str, body: str, recipients: list[str], alert_id: int) -> bool:
    if not recipients:
        logger.warning("Risk alert #%s has no one to e-mail", alert_id)
        return False
    messages = [(subject, body, None, [address]) for address in recipients]
    try:
        mail.send_mass_mail(messages, fail_silently=False)
    except Exception:
        # The alert is stored and shows on the alerts page; a mail outage must not
        # undo it or turn the patient's result page into an error.
        logger.exception("Could not e-mail about risk alert #%s", alert_id)
        return False
    return True


def _text(number: str, body: str, alert_id: int) -> bool:
    try:
        send_sms(number, body)
    except Exception:
        logger.exception("Could not text about risk alert #%s", alert_id)
        return False
    return True


def _audit_message(alert_id: int, to: User | None, channel: str, sent: bool) -> None:
    """One audit row per escalation message: who, which channel, whether it went."""
    record(
        actor=None,
        action=AuditAction.CREATE,
        outcome=AuditOutcome.SUCCESS if sent else AuditOutcome.FAILURE,
        object_type="outcomes.riskalert",
        object_id=str(alert_id),
        detail={"message": "escalation", "channel": channel, "to": to.pk if to else None},
    )


def _link(site_url: str) -> str:
    # The background escalation has no request to take the address from.
    return (site_url or settings.PUBLIC_BASE_URL).rstrip("/") + reverse("outcomes:alerts")


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
    _audit_message(alert_id, prescriber, "email", _send(subject, body, recipients, alert_id))
    number = on_call_number(prescriber)
    if number:
        text = (
            f"{settings.SITE_NAME}: risk alert #{alert_id} was not acknowledged within {hours} h"
            f" and is escalated to you as on call. Open: {_link(site_url)}"
        )
        _audit_message(alert_id, prescriber, "sms", _text(number, text, alert_id))
    elif prescriber is not None:
        logger.warning("On-call prescriber for risk alert #%s has no on-call number", alert_id)


def on_call_number(prescriber: User | None) -> str:
    """The number the prescriber receives on-call texts on ('' if none)."""
    from kapclinic.outcomes.models import OnCallContact

    if prescriber is None:
        return ""
    number = OnCallContact.objects.filter(user=prescriber).values_list("sms_number", flat=True)
    return number.first() or ""
