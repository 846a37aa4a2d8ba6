"""Monitors' tokens: a vital-signs monitor sends readings with its own secret.

A device token is scoped twice: to one site (it sends readings only for sessions
there) and to one endpoint (`POST /api/v1/sessions/{id}/vitals`). It belongs to no
person, so readings it sends are stored with no `recorded_by` and the monitor's
label in the audit trail. Like API tokens (`kapclinic.accounts.api_tokens`) only the
SHA-256 of the token is kept: 32 random bytes need no slow hash, and a digest is
found with one indexed lookup. Its prefix differs from an API token's, so the API
token middleware leaves it alone and any other endpoint sees an anonymous caller (401).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from kapclinic.accounts.api_tokens import DEVICE_TOKEN_PREFIX
from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction

PREFIX_SHOWN = 12  # "kapdev_" and a few characters, so an admin can tell them apart
LAST_USED_RESOLUTION = timedelta(minutes=5)
MAX_TOKEN_LENGTH = 200


class DeviceToken(models.Model):
    """The secret one vital-signs monitor at one site sends readings with."""

    site = models.ForeignKey("clinics.Site", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=100, help_text="Which monitor, e.g. 'Chair 2 monitor'.")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "dosing"
        ordering = ["site", "label", "-created_at"]
        verbose_name = "monitor token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.label})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


def new_token() -> str:
    return DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_active(token: str) -> DeviceToken | None:
    """The live device token matching `token` at an active site, or None."""
    if not token.startswith(DEVICE_TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    found = (
        DeviceToken.objects.select_related("site")
        .filter(token_hash=digest(token), revoked_at__isnull=True, site__is_active=True)
        .first()
    )
    if found is not None:
        now = timezone.now()
        # Written at most every few minutes: a monitor posts many times a minute.
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            DeviceToken.objects.filter(pk=found.pk).update(last_used_at=now)
            found.last_used_at = now
    return found


@transaction.atomic
def create_device_token(*, actor: User | None, site_id: int, label: str) -> tuple[DeviceToken, str]:
    """Make a token for the monitor `label` at the site; return it and the token text,
    shown once and never stored. `actor` is None when made by the command."""
    text = new_token()
    token = DeviceToken.objects.create(
        site_id=site_id,
        label=label.strip()[:100],
        token_hash=digest(text),
        prefix=text[:PREFIX_SHOWN],
        created_by=actor,
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=token,
        detail={"site_id": site_id, "via": "command" if actor is None else "admin"},
    )
    return token, text


@transaction.atomic
def revoke_device_token(*, actor: User | None, token: DeviceToken) -> DeviceToken:
    """Revoke at once: the monitor's next post is refused. Revoking twice is a no-op."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=token,
        detail={"fields": ["revoked_at"], "site_id": token.site_id},
    )
    return token
