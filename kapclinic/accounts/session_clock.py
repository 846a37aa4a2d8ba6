"""When a session started and when it was last used.

Times are epoch seconds from `django.utils.timezone.now()` so they survive any
session serializer and can be checked on whichever app server gets the request.

Saving the session at every request costs a database write per page, so the
last-seen time is written into the session at most once a minute. The exact time
of the latest request travels instead in a small signed cookie (`SEEN_COOKIE`),
bound to the session's key, that every response refreshes for free. The idle
clock runs from the later of the two: a session ends exactly when it would if
every request were saved, no earlier (a note being typed is not lost) and no
later. The cookie can only carry a time the server itself signed for this
session, so it cannot stretch a session beyond real activity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

ViewT = TypeVar("ViewT", bound=Callable[..., Any])

LOGIN_AT_KEY = "kap_login_at"
LAST_SEEN_KEY = "kap_last_seen"
SEEN_COOKIE = "kap_seen"
_SEEN_SALT = "kapclinic.session-clock.seen"
_SEEN_ATTR = "_kap_seen_now"

IDLE = "idle"
ABSOLUTE = "absolute"

# The session itself is saved at most this often by `touch`.
TOUCH_EVERY = 60


def not_activity(view: ViewT) -> ViewT:
    """Mark a view a page polls on its own (a banner on every page), not something a
    person did: it neither refreshes the idle clock nor keeps the session alive, so an
    unattended screen still signs out after the idle limit."""
    view.not_activity = True  # type: ignore[attr-defined]
    return view


def is_activity(view: Callable[..., Any]) -> bool:
    return not getattr(view, "not_activity", False)


def _now() -> int:
    return int(timezone.now().timestamp())


def start(request: HttpRequest) -> None:
    """Call right after `django.contrib.auth.login`."""
    now = _now()
    request.session[LOGIN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now


def _seen_by_cookie(request: HttpRequest) -> int | None:
    """The time in this session's signed cookie, if it carries a valid one."""
    raw = request.COOKIES.get(SEEN_COOKIE)
    key = request.session.session_key
    if not raw or not key:
        return None
    try:
        value = signing.loads(raw, salt=_SEEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, list) or len(value) != 2 or value[0] != key:
        return None
    return int(value[1]) if isinstance(value[1], int) else None


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
    by_cookie = _seen_by_cookie(request)
    if by_cookie is not None and by_cookie <= now:
        last_seen = max(int(last_seen), by_cookie)
    if now - int(login_at) >= settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
        return ABSOLUTE
    if now - int(last_seen) > settings.SESSION_IDLE_TIMEOUT.total_seconds():
        return IDLE
    return None


def touch(request: HttpRequest) -> None:
    """Record activity now: in the cookie always, in the session once a minute."""
    now = _now()
    setattr(request, _SEEN_ATTR, now)
    last_seen = request.session.get(LAST_SEEN_KEY)
    if last_seen is None or now - int(last_seen) >= TOUCH_EVERY:
        request.session[LAST_SEEN_KEY] = now


def set_seen_cookie(request: HttpRequest, response: HttpResponseBase) -> None:
    """Put this request's time, signed for its session, on the response."""
    now = getattr(request, _SEEN_ATTR, None)
    key = request.session.session_key if hasattr(request, "session") else None
    if now is None or not key:
        return
    response.set_cookie(
        SEEN_COOKIE,
        signing.dumps([key, now], salt=_SEEN_SALT),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
