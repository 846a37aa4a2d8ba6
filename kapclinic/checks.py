"""System checks for production mistakes in kapclinic's own settings.

Demo mode (except on a plain local server) and a wildcard host with DEBUG off are
refused by every `manage.py check` (and so by runserver and migrate), as is a
plain local server that answers other hosts. The secret key is a deploy check, reported by
`manage.py check --deploy`, because a fresh checkout runs with DEBUG off and the
development key, and its plain `check` must stay clean.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

MIN_SECRET_KEY_LENGTH = 50


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    key = str(settings.SECRET_KEY)
    if key == settings.DEV_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the development key while DEBUG is off.",
                hint="Set SECRET_KEY to 50 or more random characters (see .env.example).",
                id="kapclinic.E001",
            )
        ]
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return [
            Error(
                f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters.",
                hint='Generate one: python -c "import secrets; print(secrets.token_urlsafe(64))"',
                id="kapclinic.E002",
            )
        ]
    return []


def _loopback_only() -> bool:
    return bool(settings.ALLOWED_HOSTS) and set(settings.ALLOWED_HOSTS) <= settings.LOOPBACK_HOSTS


@register(Tags.security)
def check_local_server(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.LOCAL_SERVER and not _loopback_only():
        return [
            Error(
                "KAPCLINIC_LOCAL_SERVER is on while ALLOWED_HOSTS names other hosts.",
                hint="The local server speaks plain http: use it on 127.0.0.1/localhost only.",
                id="kapclinic.E005",
            )
        ]
    return []


@register(Tags.security)
def check_demo_mode(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    # A plain local server (`make run`) may show the demo with DEBUG off.
    local = settings.LOCAL_SERVER and _loopback_only()
    if settings.DEMO_MODE and not settings.DEBUG and not local:
        return [
            Error(
                "KAPCLINIC_DEMO_MODE is on while DEBUG is off.",
                hint="Demo mode relaxes staff two-factor; never use it with real patients.",
                id="kapclinic.E003",
            )
        ]
    return []


@register(Tags.security)
def check_allowed_hosts(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not settings.DEBUG and "*" in settings.ALLOWED_HOSTS:
        return [
            Error(
                'ALLOWED_HOSTS contains "*" while DEBUG is off.',
                hint="List the host names the clinic's site answers to.",
                id="kapclinic.E004",
            )
        ]
    return []
