"""Fixtures shared by every test: the cast, signed-in clients, fast hashing."""

from __future__ import annotations

import os

import hypothesis
import pytest
from django.test import Client

from kapclinic.test import Cast, build_cast, login

# Property tests (hypothesis) run on a shared, busy machine and in CI: a slow example
# is not a failure, so no per-example deadline.
hypothesis.settings.register_profile("kapclinic", deadline=None)
hypothesis.settings.load_profile("kapclinic")

# Playwright's sync API runs an event loop in the test thread; Django refuses
# database access from such a thread unless told it is safe (it is, in tests).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_test_settings(settings, tmp_path):
    # Argon2 is the production hasher (tested in accounts); tests use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SECURE_SSL_REDIRECT = False
    settings.DEMO_MODE = False
    # Never read or extend a developer's real audit anchors.
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.log")
    # Tests serve static files through the finders; no collected directory exists.
    settings.STATIC_ROOT = None
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()


@pytest.fixture
def as_user(client: Client):
    """Return a function that signs a user in on the test client and returns it."""

    def _as(user):
        client.logout()
        return login(client, user)

    return _as
