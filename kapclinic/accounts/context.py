"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kapclinic.clinics.branding import clinic_name


def site_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        # The clinic's own name; read (one query) only when a page shows it.
        "SITE_NAME": SimpleLazyObject(clinic_name),
        # The browser warns before the idle logout (static/js/session.js).
        "SESSION_IDLE_SECONDS": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
    }
