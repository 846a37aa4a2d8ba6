"""Server error views: a database that is down, locked or too slow answers 503.

Django calls the 500 handler from inside the `except` block that caught the error,
wherever it was raised (a view, a middleware, the session save), so this one place
sees every failure. A database that refuses a connection, drops one mid-request
(`pg_terminate_backend`, a restart) or hits `lock_timeout`/`statement_timeout`
raises `OperationalError` or `InterfaceError`; the request's transaction was rolled
back, so the page says plainly that nothing was saved and asks the client to retry
(`Retry-After`). Anything else is a real bug and keeps the ordinary 500 page.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from kapclinic.accounts.middleware import is_api_request

UNAVAILABLE_DETAIL = (
    "The clinic database is busy or unavailable, so nothing was saved. Try again in a few seconds."
)


def database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if is_api_request(request):
        response = JsonResponse({"detail": UNAVAILABLE_DETAIL}, status=503)
    else:
        # No request context: rendering it would need the database that just failed.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(settings.DB_RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    if is_api_request(request):
        return JsonResponse({"detail": "Server error: it has been logged."}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)
