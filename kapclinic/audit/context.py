"""Where the current request came from, for audit rows written deep inside actions.

The middleware sets it per request; actions and background tasks read it without
needing the request passed down (a task has none, so its rows carry no address).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    path: str = ""


# The default is a frozen dataclass, so sharing one instance is safe.
_current: ContextVar[RequestContext] = ContextVar(
    "audit_request_context",
    default=RequestContext(),  # noqa: B039
)


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext) -> object:
    return _current.set(ctx)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
