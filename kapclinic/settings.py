"""Django settings for kapclinic, read from the environment.

Every variable is listed in `.env.example`. The defaults run a fresh checkout on
SQLite under `var/`; production mistakes are caught by the system checks in
`kapclinic/checks.py` and by `manage.py check --deploy`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from kapclinic.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KAPCLINIC_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# A development key is only allowed when DEBUG is on; checks.py refuses it otherwise.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
# Earlier keys, still accepted while rotating: sign-in sessions, reset links and the
# keyed hashes of two-factor backup codes made under them keep working.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Demo mode relaxes staff two-factor so the demo clinic can be explored; a banner
# says so on every page, and checks.py refuses it when DEBUG is off.
DEMO_MODE = env_bool("KAPCLINIC_DEMO_MODE", False)
# A plain local server: http on this machine only (`make run`). It allows demo mode
# with DEBUG off, so no debug page can show a patient's details, and serves static
# files straight from their sources. checks.py refuses it for any other host.
LOCAL_SERVER = env_bool("KAPCLINIC_LOCAL_SERVER", False)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
SITE_NAME = env_str("KAPCLINIC_SITE_NAME", "kapclinic")

INSTALLED_APPS = [
    "kapclinic.admin_apps.KapAdminConfig",  # Django admin, on kapclinic's audited site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "kapclinic.accounts",
    "kapclinic.clinics",
    "kapclinic.patients",
    "kapclinic.audit",
    "kapclinic.content",
    "kapclinic.ops",
    "kapclinic.scheduling",
    "kapclinic.screening",
    "kapclinic.treatment",
    "kapclinic.dosing",
    "kapclinic.controlled",
    "kapclinic.outcomes",
    "kapclinic.intake",
    "kapclinic.consent",
    "kapclinic.preparation",
    "kapclinic.outcomes.safety",
    "kapclinic.journal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kapclinic.audit.middleware.RequestContextMiddleware",
    # Before the session: a request with a NUL byte is refused before any query.
    "kapclinic.request_guard.RequestInputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside everything below, so their redirects and refusals are covered too.
    "kapclinic.accounts.middleware.PrivateResponsesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kapclinic.accounts.middleware.ApiTokenMiddleware",
    "kapclinic.accounts.middleware.SessionLimitsMiddleware",
    "kapclinic.accounts.middleware.LoginRequiredMiddleware",
    "kapclinic.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must be last: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kapclinic.urls"
WSGI_APPLICATION = "kapclinic.wsgi.application"
ASGI_APPLICATION = "kapclinic.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kapclinic" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kapclinic.accounts.context.site_context",
            ],
        },
    },
]

# Database: SQLite (WAL, immediate transactions so concurrent writers queue instead
# of failing) by default; PostgreSQL through DATABASE_URL in production.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kapclinic.sqlite3'}")
# Persistent connections only pay off when a process serves requests one after
# another on the same thread (gunicorn's sync workers: scripts/serve-prod sets 60).
# The development server starts a thread per request, and each finished thread's
# persistent connection stays open until garbage collection: with a positive value
# it exhausts PostgreSQL's max_connections under ordinary load. So 0 by default.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0), conn_health_checks=True
    )
}
# Seconds a request may wait for a connection, a row lock or a statement before it
# gives up and answers 503 (kapclinic/errors.py) instead of hanging the worker.
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 5)
DB_LOCK_TIMEOUT_MS = env_int("DB_LOCK_TIMEOUT_MS", 5000)
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 20000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # synchronous=FULL: in WAL mode NORMAL can lose the last acknowledged commits on
    # a power cut or OS crash; FULL syncs the log at every commit (cost: bench/).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["connect_timeout"] = DB_CONNECT_TIMEOUT
    DATABASES["default"]["OPTIONS"]["options"] = (
        f"-c lock_timeout={DB_LOCK_TIMEOUT_MS} -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
    )
# How long a client is asked to wait (Retry-After) after a 503 for a database that
# is down, locked or too slow.
DB_RETRY_AFTER_SECONDS = env_int("DB_RETRY_AFTER_SECONDS", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: idle logout after 15 minutes and an absolute limit of 12 hours, both
# enforced by accounts.middleware.SessionLimitsMiddleware.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 15))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", 12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor: TOTP for every staff account, single-use backup codes.


def OTP_TOTP_ISSUER(device: object) -> str:  # django-otp calls it
    """Authenticator apps list the code under the clinic's own name (read when enrolling)."""
    from kapclinic.clinics.branding import totp_issuer

    return totp_issuer(device)


OTP_TOTP_THROTTLE_FACTOR = 1
BACKUP_CODE_COUNT = 10

# Lockout after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# AuthenticationForm passes the e-mail to authenticate() as `username`; axes would
# otherwise look for USERNAME_FIELD ("email") and never count a failure.
AXES_USERNAME_FORM_FIELD = "username"
# axes.W006 warns that user-agent or cookie rotation bypasses IP-based limits; we lock
# the account name itself, which rotation does not get round, and we do not lock a
# whole clinic's shared IP address because one person mistyped.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# Break-glass access lasts this long.
BREAK_GLASS_DURATION = timedelta(minutes=env_int("BREAK_GLASS_MINUTES", 60))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "kapclinic" / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or LOCAL_SERVER or env_bool("KAPCLINIC_PLAIN_STATIC", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or LOCAL_SERVER

# The audit chain head is appended here at intervals (audit/anchors.py); keep it
# off the database's disk, or copy it elsewhere, so one restore cannot undo both.
AUDIT_ANCHOR_FILE = env_str("AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.log"))

# E-mail: console in development; SMTP in production.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kapclinic <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Text-message reminders: a class with send(message); console in development.
SMS_BACKEND = env_str("SMS_BACKEND", "kapclinic.scheduling.sms.ConsoleBackend")
# The address patients reach the site at, for links in reminders (no trailing slash).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Security headers; HTTPS settings follow DEBUG so `check --deploy` is clean in
# production and plain http works on a developer's machine.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_PLAIN_HTTP = DEBUG or LOCAL_SERVER
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not _PLAIN_HTTP)
# Load balancers probe health over plain http on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not _PLAIN_HTTP)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if _PLAIN_HTTP else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Content Security Policy: only this site's own scripts, styles and forms. Templates
# carry no inline script or style; Pico's CSS draws icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Behind a TLS-terminating proxy (or a chain of TRUSTED_PROXY_COUNT of them) the
# scheme and the client's address come from the proxies' headers; without one,
# those headers come from the client itself and are ignored
# (kapclinic/audit/middleware.py).
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
if TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 1 or more")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Failed sign-ins (django-axes) record the same client address as the audit trail.
AXES_CLIENT_IP_CALLABLE = "kapclinic.audit.middleware.client_ip"

# The monitors' endpoint (POST /api/v1/sessions/{id}/vitals): each device token may
# send this many requests a minute on average, and this many at once (a monitor
# catching up after a network drop). Far above what a real monitor sends, which is a
# reading or a batch every few seconds; a runaway or copied token gets 429s instead
# of filling the database. Counted in Django's cache (per process with the default
# local-memory cache): kapclinic/dosing/device_api.py.
DEVICE_FEED_REQUESTS_PER_MINUTE = env_int("DEVICE_FEED_REQUESTS_PER_MINUTE", 300)
DEVICE_FEED_BURST = env_int("DEVICE_FEED_BURST", 30)
if DEVICE_FEED_REQUESTS_PER_MINUTE < 1 or DEVICE_FEED_BURST < 1:
    raise ImproperlyConfigured(
        "DEVICE_FEED_REQUESTS_PER_MINUTE and DEVICE_FEED_BURST must be 1 or more"
    )

# How often the dosing board asks whether anything on it changed while chairs are in
# use (four times as long when none is). An unchanged board costs the server one small
# answer with no content; the alert target is on screen within a second of the monitor
# sending it (kapclinic/dosing/views.py, bench/device_feed.py).
DOSING_BOARD_POLL_MS = env_int("DOSING_BOARD_POLL_MS", 500)
if not 100 <= DOSING_BOARD_POLL_MS <= 60_000:
    raise ImproperlyConfigured("DOSING_BOARD_POLL_MS must be between 100 and 60000")

LOG_LEVEL = env_str("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "server": {"class": "logging.StreamHandler", "formatter": "server"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # One line per request from the development server. Named here because
        # configuring "django" below resets its children to inherit from it.
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        # Django's own logger has a console handler and also passed its records up to
        # the root's, so each of its lines printed twice; it now prints once, here.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # A 4xx is already in the server's own line for the request; Django's
        # "Not Found" warning repeated it. Server errors still print.
        "django.request": {"level": "ERROR"},
    },
}
