"""When a session started and when it was last used, kept in the session itself.

Times are epoch seconds from `django.utils.timezone.now()` so they survive any
session serializer and can be checked on whichever app server gets the request.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

LOGIN_AT_KEY = "kap_login_at"
LAST_SEEN_KEY = "kap_last_seen"

IDLE = "idle"
ABSOLUTE = "absolute"

# The last-seen time is written at most this often, so a run of requests saves the
# session once a minute instead of at every request. Activity after the stored
# time and before the next write is at most TOUCH_EVERY - 1 seconds later, so the
# idle limit counts from there: a session never ends before the idle limit after
# its last real activity, and at most that many seconds after.
TOUCH_EVERY = 60


def touch_every() -> int:
    """Seconds between saves: TOUCH_EVERY, shortened for a short idle limit.

    The slack is at most a fifteenth of the idle limit, so a limit of a few seconds
    (tests, or a clinic that sets one very short) is still kept to the second.
    """
    return min(TOUCH_EVERY, int(settings.SESSION_IDLE_TIMEOUT.total_seconds()) // 15)


def _now() -> int:
    return int(timezone.now().timestamp())


def start(request: HttpRequest) -> None:
    """Call right after `django.contrib.auth.login`."""
    now = _now()
    request.session[LOGIN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now


def expired_reason(request: HttpRequest) -> str | None:
    """Why this signed-in session must end now (IDLE or ABSOLUTE), or None.

    A session without timestamps (signed in some other way, e.g. the test client's
    force_login) starts its clocks on its first request.
    """
    now = _now()
    login_at = request.session.get(LOGIN_AT_KEY)
    last_seen = request.session.get(LAST_SEEN_KEY)
    if login_at is None:
        request.session[LOGIN_AT_KEY] = login_at = now
    if last_seen is None:
        last_seen = now
    if now - int(login_at) >= settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
        return ABSOLUTE
    slack = max(touch_every() - 1, 0)
    if now - int(last_seen) - slack > settings.SESSION_IDLE_TIMEOUT.total_seconds():
        return IDLE
    return None


def touch(request: HttpRequest) -> None:
    """Record activity now, unless it was recorded less than `touch_every()` seconds ago."""
    now = _now()
    last_seen = request.session.get(LAST_SEEN_KEY)
    if last_seen is None or now - int(last_seen) >= touch_every():
        request.session[LAST_SEEN_KEY] = now
