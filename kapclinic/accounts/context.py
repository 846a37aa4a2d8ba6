"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kapclinic.accounts import two_factor
from kapclinic.accounts.models import Role, User
from kapclinic.clinics.branding import clinic_name


def _polls_urgent_alerts(request: HttpRequest) -> bool:
    """Whether pages poll for the dosing floor's urgent alerts for this person: a nurse
    or prescriber past the second factor (before it, the poll would only be sent back
    to the sign-in, and would pull the page there with it)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or user.role not in (Role.NURSE, Role.PRESCRIBER):
        return False
    return two_factor.is_verified(user) or not two_factor.is_required(user)


def site_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "POLL_URGENT_ALERTS": SimpleLazyObject(lambda: _polls_urgent_alerts(request)),
        "DEMO_MODE": settings.DEMO_MODE,
        # The clinic's own name; read (one query) only when a page shows it.
        "SITE_NAME": SimpleLazyObject(clinic_name),
        # The browser warns before the idle logout (static/js/session.js).
        "SESSION_IDLE_SECONDS": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
    }
