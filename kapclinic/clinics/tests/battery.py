"""Shared checks for clinic admin endpoints: every other role sees a 404, unchanged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from kapclinic.audit.models import AuditEvent
from kapclinic.test import Cast, login

OTHER_ROLES = ("prescriber", "nurse", "therapist", "front_desk", "outsider", "patient_user")


def assert_hidden_from_others(
    client: Client,
    cast: Cast,
    method: str,
    url: str,
    data: dict[str, Any] | None = None,
    snapshot: Callable[[], Any] = lambda: None,
) -> None:
    """Each non-admin role gets 404; no audit row and no change to `snapshot()`."""
    before = (AuditEvent.objects.count(), snapshot())
    for name in OTHER_ROLES:
        client.logout()
        login(client, getattr(cast, name))
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 404, (name, response.status_code)
    assert (AuditEvent.objects.count(), snapshot()) == before


def audit_rows(**filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def request_overhead(client: Client, url: str) -> int:
    """Queries the middleware spends on a request to `url` before the view runs.

    Measured with a PUT, which every clinic admin view refuses (405) before doing any
    work, so query-count tests pin the view's own queries and stay valid when the
    session or two-factor middleware changes.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # settle the session (first requests may save it)
    with CaptureQueriesContext(connection) as queries:
        response = client.put(url)
    assert response.status_code == 405
    return len(queries)
