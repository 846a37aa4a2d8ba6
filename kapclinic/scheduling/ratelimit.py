"""A rate limiter for the public pages that holds across app processes.

Each attempt is a row (`RateLimitHit`) keyed by a hash of the scope and the client
(IP address or e-mail), so every process counts the same attempts; a per-process
cache would let each process allow its own quota. Rows older than the longest
window are pruned as new ones arrive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kapclinic.scheduling.models import RateLimitHit

# Longest window in use; older rows can never count again.
KEEP = dt.timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    window: dt.timedelta


def _key(scope: str, who: str) -> str:
    return hashlib.sha256(f"{scope}\x00{who.strip().lower()}".encode()).hexdigest()


def hit(limit: Limit, who: str, *, now: dt.datetime | None = None) -> bool:
    """Count one attempt by `who`; False when they have used up the limit (the
    refused attempt is not counted, so waiting out the window always works)."""
    now = now or timezone.now()
    key = _key(limit.scope, who)
    with transaction.atomic():
        used = RateLimitHit.objects.filter(key=key, at__gt=now - limit.window).count()
        if used >= limit.count:
            return False
        RateLimitHit.objects.create(key=key, at=now)
    RateLimitHit.objects.filter(at__lt=now - KEEP).delete()
    return True
