"""Session limits, sign-in and the two-factor requirement (staff; patients who enrolled).

All work in `process_view`, after every middleware's request phase, so they know
which view was resolved (and whether it is public) and the messages framework is
ready. A response returned here still passes through every response phase.

`ApiTokenMiddleware` runs first: a JSON API request carrying a valid
`Authorization: Bearer` token is signed in as the token's user for that request
only (no session), and counts as past the second factor, because a clinic admin or
the create_api_token command issued it to that person.

Pages send a person who must sign in (again) to a page; the JSON API under
`API_PATH_PREFIX` has no pages to send anyone to, so it answers 401 with a JSON
`{"detail": ...}` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from kapclinic.accounts import actions, api_tokens, session_clock, two_factor
from kapclinic.accounts.models import User

ViewFunc = Callable[..., HttpResponse]

_EXPIRY_MESSAGES = {
    session_clock.IDLE: "You were signed out after {minutes} minutes without activity.",
    session_clock.ABSOLUTE: "You were signed out because sessions last at most {hours} hours.",
}

# Views a user who needs a second factor may reach before passing it.
TWO_FACTOR_EXEMPT_VIEWS = frozenset({"accounts:setup", "accounts:verify", "accounts:logout"})


# Requests under this path are the JSON API (kapclinic/api.py).
API_PATH_PREFIX = "/api/"

SIGN_IN_DETAIL = "Sign in first."
TWO_FACTOR_DETAIL = "Two-factor verification is required: enter your authenticator code first."
BAD_TOKEN_DETAIL = "The API token is not valid: it may be mistyped, revoked, or its account closed."


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PATH_PREFIX)


def api_unauthorized(detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=401)


def _is_public(view_func: ViewFunc) -> bool:
    return not getattr(view_func, "login_required", True)


def _redirect(request: HttpRequest, url_name: str, next_url: str) -> HttpResponse:
    url = f"{reverse(url_name)}?{urlencode({'next': next_url})}"
    if request.headers.get("HX-Request") == "true":
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None without one."""
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credential.strip()


class ApiTokenMiddleware:
    """Signs in the user of a valid API token on a JSON API request; refuses a bad one.

    Must come after AuthenticationMiddleware and OTPMiddleware, which it overrides
    for the request. A token request never touches the session, so it neither
    starts one nor refreshes a browser's idle clock.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        text = bearer_token(request) if is_api_request(request) else None
        if text is None or text.startswith(api_tokens.DEVICE_TOKEN_PREFIX):
            # A monitor's token signs no one in: only the vitals endpoint reads it, and
            # everywhere else the caller stays anonymous (401).
            return self.get_response(request)
        token = api_tokens.find_active(text)
        if token is None:
            return api_unauthorized(BAD_TOKEN_DETAIL)
        user = token.user
        user.is_verified = lambda: True  # type: ignore[attr-defined]
        user.otp_device = None  # type: ignore[attr-defined]
        request.user = user
        request.api_token = token  # type: ignore[attr-defined]
        return self.get_response(request)


def uses_api_token(request: HttpRequest) -> bool:
    return getattr(request, "api_token", None) is not None


class SessionLimitsMiddleware:
    """Ends a signed-in session after idle time or at an absolute limit since sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session_clock.set_seen_cookie(request, response)
        return response

    def process_view(
        self, request: HttpRequest, view_func: ViewFunc, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not isinstance(user, User) or uses_api_token(request):
            return None
        reason = session_clock.expired_reason(request)
        if reason is None:
            if session_clock.is_activity(view_func):
                session_clock.touch(request)
            return None
        actions.record_logout(actor=user, reason=reason)
        logout(request)
        explanation = _EXPIRY_MESSAGES[reason].format(
            minutes=int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60),
            hours=int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600),
        )
        messages.info(request, explanation)
        if _is_public(view_func):
            return None
        if is_api_request(request):
            return api_unauthorized(explanation)
        return _redirect(request, settings.LOGIN_URL, request.get_full_path())


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's sign-in requirement for every non-public view; the API answers 401 JSON."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        args: tuple[Any, ...],
        kwargs: dict[Any, Any],
    ) -> HttpResponseBase | None:
        response = super().process_view(request, view_func, args, kwargs)
        if response is not None and is_api_request(request):
            return api_unauthorized(SIGN_IN_DETAIL)
        return response


class TwoFactorRequiredMiddleware:
    """Sends a signed-in user who needs a second factor and has not passed one to set
    one up (staff without an authenticator yet) or to enter a code.

    Staff always need one (outside demo mode); a patient needs one once they have
    enrolled an authenticator, so they never reach setup from here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: ViewFunc, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not isinstance(user, User) or _is_public(view_func):
            return None
        # Verified first: for a patient, `is_required` costs a device lookup.
        if two_factor.is_verified(user) or not two_factor.is_required(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_EXEMPT_VIEWS:
            return None
        if request.path.startswith(str(settings.STATIC_URL)):
            return None
        if is_api_request(request):
            return api_unauthorized(TWO_FACTOR_DETAIL)
        step = "accounts:verify" if two_factor.confirmed_totp(user) else "accounts:setup"
        return _redirect(request, step, request.get_full_path())


class PrivateResponsesMiddleware:
    """Marks every response to a signed-in user, and every download, `private, no-store`.

    A clinic computer is shared and may sit behind a caching proxy: a chart, a list, a
    form, an API answer or an export kept in a cache could be read by the next person
    at the desk. Public pages (home, articles, sign-in) stay cacheable. Static files
    never get here (whitenoise answers them first) and hold no patient data.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # request.user is read after the view, so a sign-in in this very request counts.
        signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
        if signed_in or response.has_header("Content-Disposition"):
            patch_cache_control(response, private=True, no_store=True)
        return response
