"""Refuses requests carrying input no database column can hold, before any view runs.

PostgreSQL refuses the NUL character in text, so `?q=%00` used to reach a query and
fail there as a server error (SQLite accepts it, so only one database showed it).
No person types a NUL, and no field of ours means anything with one, so the whole
request is refused with a 400 saying why: a page for the browser, JSON under the API.

It sits before the session middleware, so a refused request does not touch the
session store (a NUL in the session cookie would otherwise reach the database too).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from kapclinic.accounts.middleware import is_api_request
from kapclinic.lib.limits import NUL, contains_nul

NUL_DETAIL = (
    "The request contained a null character, which is never valid here. Remove it and try again."
)


def _texts(request: HttpRequest) -> Iterator[str]:
    """Every piece of text the request brings that could end up in a query."""
    yield request.path
    for key, values in request.GET.lists():
        yield key
        yield from values
    for name, value in request.COOKIES.items():
        yield name
        yield value
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str):
            yield value
    if request.method in ("POST", "PUT", "PATCH"):
        if request.path_info.startswith("/api/"):
            # The API reads the raw body after this; parsing a multipart POST first
            # would consume the stream (RawPostDataException, a 500). Reading the body
            # here keeps a copy that both can use.
            request.body  # noqa: B018
        for key, values in request.POST.lists():
            yield key
            yield from values
        for uploads in request.FILES.lists():
            yield from (upload.name or "" for upload in uploads[1])


def _json_has_nul(request: HttpRequest) -> bool:
    if request.content_type != "application/json" or not request.body:
        return False
    # The raw body is checked too: a NUL byte outside a string makes the JSON invalid,
    # which the view reports itself, but inside a string Python's parser would take it.
    if NUL.encode() in request.body:
        return True
    try:
        data = json.loads(request.body)
    except ValueError:
        return False  # not JSON after all: the view answers that
    return contains_nul([data])


def has_nul(request: HttpRequest) -> bool:
    return contains_nul(_texts(request)) or _json_has_nul(request)


class RequestInputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            if is_api_request(request):
                return JsonResponse({"detail": NUL_DETAIL}, status=400)
            return render(request, "400.html", {"reason": NUL_DETAIL}, status=400)
        return self.get_response(request)
