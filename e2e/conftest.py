"""Browser tests: Playwright driving Debian's Chromium, headless, against live_server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.test import override_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config: pytest.Config) -> None:
    # pytest-base-url (pulled in by pytest-playwright) defines its session fixture as
    # a method, which pytest 9 deprecates; nothing here can change that.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance methods:DeprecationWarning",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"Chromium not installed at {CHROMIUM}")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# The live server is session-scoped, so its middleware (SecurityMiddleware reads
# SECURE_SSL_REDIRECT once, when it is built) and whitenoise are set up before any
# function-scoped `settings` override can apply. Plain http on localhost needs these
# in place before the server starts; they are the settings DEBUG would choose.
E2E_SETTINGS = {
    "SECURE_SSL_REDIRECT": False,
    "SECURE_HSTS_SECONDS": 0,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
    "STATIC_ROOT": None,
}


@pytest.fixture(scope="session")
def _e2e_http_settings():
    from django.conf import settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(**E2E_SETTINGS, STORAGES=storages):
        yield


@pytest.fixture(scope="session")
def live_server(_e2e_http_settings, live_server):
    """pytest-django's live server, started over plain http (see E2E_SETTINGS)."""
    return live_server
