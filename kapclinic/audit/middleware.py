"""Gives every request an id and records where it came from, for the audit trail.

The request id is the server's own unless an incoming `X-Request-ID` (set by a
proxy to tie its logs to ours) is a plain token of 8 to 64 characters; anything
else is replaced, so a client cannot put arbitrary text into audit rows.

The client address is REMOTE_ADDR, unless settings say the deployment is behind
trusted proxies (BEHIND_TLS_PROXY, TRUSTED_PROXY_COUNT): then REMOTE_ADDR is the
nearest proxy, and the client is the address the outermost trusted proxy saw, the
TRUSTED_PROXY_COUNT-th entry of X-Forwarded-For from the right. Entries left of it
were written by the client and prove nothing. Without a trusted proxy the header
comes straight from the client and is ignored.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from kapclinic.audit import context

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_for(request: HttpRequest) -> str:
    """The incoming X-Request-ID when well formed, else a new server-made id."""
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client, as far as this deployment can know it."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR") or "")
    if not settings.BEHIND_TLS_PROXY:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    count: int = settings.TRUSTED_PROXY_COUNT
    if len(forwarded) < count:
        # The request did not pass through every trusted proxy: keep what we saw.
        return remote
    return _valid_ip(forwarded[-count]) or remote


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = context.set_current(
            context.RequestContext(
                request_id=request_id,
                ip_address=client_ip(request),
                path=request.path[:200],
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response
