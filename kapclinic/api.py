"""The JSON API under /api/v1/: one NinjaAPI, one router per app.

Callers authenticate with an API token (`Authorization: Bearer <token>`, made by
`manage.py create_api_token`; no CSRF, as no browser sends it on its own) or with
the browser session (ninja checks CSRF on unsafe methods), under the pages' rules:
an active account, and for staff a session that passed the second factor. The
middleware already answers 401 JSON under /api/
(kapclinic/accounts/middleware.py); the auth here says the same, so an operation
stays closed even if it were reached some other way.

Errors are JSON `{"detail": "<one readable message>"}`: 400 for bad parameters,
401 without a (verified) session or a valid token, 403 for a booking the caller
may not make, 404 for anything out of scope, 405 for a wrong method, 409 when a
time is taken or an appointment's state does not allow the change. The OpenAPI
document is at /api/v1/openapi.json for anyone signed in; the
interactive docs page is off, because ninja loads its scripts from a CDN.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, Throttled, ValidationError
from ninja.security import HttpBearer, SessionAuth

from kapclinic.accounts import two_factor
from kapclinic.accounts.middleware import TWO_FACTOR_DETAIL
from kapclinic.accounts.models import ApiToken, User
from kapclinic.dosing.device_api import DEVICE_URL_NAMES, DeviceTokenAuth
from kapclinic.dosing.device_api import router as device_router
from kapclinic.patients.api import router as patients_router
from kapclinic.scheduling import actions as scheduling
from kapclinic.scheduling.api import router as scheduling_router

NOT_FOUND_DETAIL = "Not found"


class ClinicSessionAuth(SessionAuth):
    """The signed-in browser session, with staff past the second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_active:
            return None
        if two_factor.is_required(user) and not two_factor.is_verified(user):
            raise AuthenticationError(message=TWO_FACTOR_DETAIL)
        return user


class ApiTokenAuth(HttpBearer):
    """An API token the middleware (ApiTokenMiddleware) has already checked."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found: ApiToken | None = getattr(request, "api_token", None)
        if found is None or not isinstance(request.user, User):
            return None
        return request.user


api = NinjaAPI(
    title="kapclinic API",
    version="1",
    description="The clinic's records and schedule, with the same access rules as the pages.",
    urls_namespace="api",
    auth=[ApiTokenAuth(), ClinicSessionAuth()],
    docs_url=None,
)
api.add_router("", patients_router)
api.add_router("", scheduling_router)
# The device feed also takes a monitor's token, which signs no one in.
api.add_router("", device_router, auth=[DeviceTokenAuth(), ApiTokenAuth(), ClinicSessionAuth()])


def urls() -> tuple[list[URLResolver | URLPattern], str, str]:
    """The API's URL patterns. The device feed's are opened to callers with no
    signed-in person (a monitor), so the sign-in middleware lets them through; the
    operation's own auth (a device token, an API token or a verified session)
    still refuses anyone else with a 401."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name in DEVICE_URL_NAMES:
            login_not_required(pattern.callback)
    return patterns, app_name, namespace


def readable_errors(errors: list[dict[str, Any]]) -> str:
    """One sentence naming each bad parameter, e.g. "page_size: Input should be ..."."""
    parts = []
    for error in errors:
        # loc is (source, [schema argument,] name...); the source says nothing useful.
        names = [str(part) for part in error.get("loc", ())[1:]]
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        parts.append(f"{names[-1]}: {message}" if names else message)
    return "; ".join(parts) or "The request is not valid."


@api.exception_handler(ValidationError)
def bad_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": readable_errors(exc.errors)}, status=400)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Never the exception's text: it must not say whether or why something exists.
    return api.create_response(request, {"detail": NOT_FOUND_DETAIL}, status=404)


@api.exception_handler(Throttled)
def too_many_requests(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # Only the monitors' endpoint is limited (dosing/device_api.py); ninja adds the
    # Retry-After header to this answer.
    return api.create_response(
        request,
        {
            "detail": "Too many requests from this monitor: wait the seconds in Retry-After, "
            "and send readings in batches rather than one request each."
        },
        status=429,
    )


# A refused booking or status change: the action's message is written for people.
_SCHEDULING_STATUS: tuple[tuple[type[scheduling.SchedulingError], int], ...] = (
    (scheduling.InvalidRequest, 400),
    (scheduling.NotAllowed, 403),
    (scheduling.SlotUnavailable, 409),  # includes SlotTaken
    (scheduling.IllegalTransition, 409),
)


@api.exception_handler(scheduling.SchedulingError)
def scheduling_refused(request: HttpRequest, exc: scheduling.SchedulingError) -> HttpResponse:
    status = next((code for kind, code in _SCHEDULING_STATUS if isinstance(exc, kind)), 400)
    return api.create_response(request, {"detail": exc.message}, status=status)
