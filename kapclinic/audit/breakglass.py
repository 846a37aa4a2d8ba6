"""Break-glass: time-limited, audited access to a patient outside one's scope.

A grant records who, which patient, why (the written reason lives on the grant, not
in the audit row) and until when. Opening one writes a flagged audit row and e-mails
every active clinic admin after the transaction commits, so they can review it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, BreakGlassGrant
from kapclinic.patients.access import can_break_glass, live_grants
from kapclinic.patients.models import Patient

logger = logging.getLogger(__name__)

MIN_REASON_LENGTH = 20


def active_grant(user: User, patient: Patient) -> BreakGlassGrant | None:
    """The user's live grant for this patient that lasts longest, if any."""
    return live_grants(user).filter(patient=patient).order_by("-expires_at").first()


@transaction.atomic
def open_break_glass(
    *, actor: User, patient: Patient, reason: str, site_url: str = ""
) -> BreakGlassGrant:
    """Grant `actor` full access to `patient` for settings.BREAK_GLASS_DURATION.

    `site_url` (scheme and host, e.g. "https://clinic.example") makes the review link
    in the admins' e-mail absolute.
    """
    reason = reason.strip()
    if not can_break_glass(actor):
        raise PermissionDenied("Your role cannot use break-glass access.")
    if len(reason) < MIN_REASON_LENGTH:
        raise ValueError(f"A break-glass reason needs at least {MIN_REASON_LENGTH} characters.")
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=actor,
        patient=patient,
        reason=reason,
        granted_at=now,
        expires_at=now + settings.BREAK_GLASS_DURATION,
    )
    record(
        actor=actor,
        action=AuditAction.BREAK_GLASS,
        patient=patient,
        obj=grant,
        flagged=True,
        detail={"grant_id": grant.pk, "expires_at": grant.expires_at.isoformat()},
    )
    link = site_url.rstrip("/") + reverse("audit:grant", kwargs={"pk": grant.pk})
    transaction.on_commit(lambda: notify_admins(grant.pk, link))
    return grant


@transaction.atomic
def review_grant(*, actor: User, grant: BreakGlassGrant, note: str) -> BreakGlassGrant:
    """A clinic admin records that they reviewed a break-glass grant, with a note.

    A grant is reviewed once; the review cannot be changed afterwards.
    """
    if actor.role != Role.CLINIC_ADMIN:
        raise PermissionDenied("Only a clinic admin reviews break-glass access.")
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.reviewed_at is not None:
        raise ValueError("This grant has already been reviewed.")
    grant.reviewed_by = actor
    grant.reviewed_at = timezone.now()
    grant.review_note = note.strip()
    grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=grant,
        detail={"fields": ["reviewed_by", "reviewed_at", "review_note"]},
    )
    return grant


def notify_admins(grant_id: int, link: str) -> None:
    """E-mail every active clinic admin; the message names no patient."""
    recipients = list(
        User.objects.filter(role=Role.CLINIC_ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    subject = f"[{settings.SITE_NAME}] Break-glass access #{grant_id} needs review"
    body = f"Break-glass access #{grant_id} was opened just now.\n\nReview it: {link}\n"
    messages = [(subject, body, None, [address]) for address in recipients]
    try:
        mail.send_mass_mail(messages, fail_silently=False)
    except Exception:
        # The grant is committed and audited; a mail outage must not turn the
        # clinician's emergency access into an error page.
        logger.exception("Could not e-mail clinic admins about break-glass #%s", grant_id)
