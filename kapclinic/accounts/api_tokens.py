"""API tokens: making them, and finding the one a request presents.

A token is "kap_" and 43 URL-safe characters (32 random bytes). Only its SHA-256 is
stored (see `ApiToken` for why a fast hash is right here), so a stolen database
copy holds no usable token, and the token itself is shown once, when made.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from kapclinic.accounts.models import ApiToken

TOKEN_PREFIX = "kap_"
# Monitors' tokens (kapclinic/dosing/device_tokens.py): not a person's, so the
# middleware leaves them to the one endpoint that takes them.
DEVICE_TOKEN_PREFIX = "kapdev_"
PREFIX_SHOWN = 8  # characters kept in clear so an admin can tell tokens apart
# Last-use times are written at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def shown_prefix(token: str) -> str:
    return token[:PREFIX_SHOWN]


def find_active(token: str) -> ApiToken | None:
    """The live token matching `token` (not revoked, its user active), or None.

    The lookup is by the digest, an exact indexed match, so it takes no longer
    for a near miss than for a wrong guess and leaks nothing by timing.
    """
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    found = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is not None:
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
            found.last_used_at = now
    return found
