"""Where an audit row says a request came from: its id and the client's address.

The id is the server's own unless a proxy's X-Request-ID is a plain token; the
address is REMOTE_ADDR unless the deployment says it is behind trusted proxies, and
then the one the outermost trusted proxy saw. A client cannot choose either.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from kapclinic.audit.middleware import client_ip
from kapclinic.audit.models import AuditAction, AuditEvent

PROXY = "192.0.2.10"  # the proxy in front of the app, as REMOTE_ADDR
CLIENT = "203.0.113.7"  # the person's address, as the proxy saw it
FORGED = "198.51.100.66"  # what a client claims in its own X-Forwarded-For


@pytest.fixture
def chart_view(cast, as_user):
    """GET the patient's chart as the prescriber; return the response and its VIEW row."""
    client = as_user(cast.prescriber)
    url = reverse("patients:chart", kwargs={"pk": cast.patient.pk})

    def view(**headers):
        response = client.get(url, **headers)
        assert response.status_code == 200
        return response, AuditEvent.objects.filter(action=AuditAction.VIEW).latest("pk")

    return view


def test_the_server_makes_the_request_id_and_the_audit_row_carries_it(chart_view):
    response, row = chart_view()
    assert len(response["X-Request-ID"]) == 32
    assert row.request_id == response["X-Request-ID"]


def test_a_well_formed_incoming_request_id_is_kept_in_the_audit_row(chart_view):
    response, row = chart_view(HTTP_X_REQUEST_ID="lb-7f3a9c01.req_42")
    assert response["X-Request-ID"] == row.request_id == "lb-7f3a9c01.req_42"


@pytest.mark.parametrize(
    "incoming",
    [
        "short",  # under 8 characters
        "x" * 65,  # longer than the audit column
        "req id with spaces",
        "req-12345678\n",  # a trailing newline: `$` alone would let it through
        "req-1234<script>",
        "réq-12345678",
    ],
)
def test_a_malformed_incoming_request_id_is_replaced(chart_view, incoming):
    response, row = chart_view(HTTP_X_REQUEST_ID=incoming)
    assert row.request_id == response["X-Request-ID"] != incoming
    assert len(row.request_id) == 32


def test_a_direct_client_cannot_forge_its_address(chart_view, settings):
    settings.BEHIND_TLS_PROXY = False
    _, row = chart_view(REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=FORGED)
    assert row.ip_address == CLIENT


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(chart_view, settings):
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: FORGED"; the proxy appended what it saw.
    _, row = chart_view(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{FORGED}, {CLIENT}")
    assert row.ip_address == CLIENT


def _request(rf, remote: str, forwarded: str | None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **headers)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, CLIENT, CLIENT),
        (1, f"{FORGED}, {CLIENT}", CLIENT),
        (1, f"{FORGED},{CLIENT} ", CLIENT),
        # Two proxies: the outer one saw the client, the inner one saw the outer one.
        (2, f"{FORGED}, {CLIENT}, 192.0.2.20", CLIENT),
        (2, f"{CLIENT}, 192.0.2.20", CLIENT),
        # Fewer entries than trusted proxies: the request skipped one; keep REMOTE_ADDR.
        (2, CLIENT, PROXY),
        (1, None, PROXY),
        (1, "", PROXY),
        # Not an address at all: never stored as one.
        (1, f"{CLIENT}, unknown", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_behind_trusted_proxies(rf, settings, count, forwarded, expected):
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(_request(rf, PROXY, forwarded)) == expected


def test_client_ip_ignores_the_header_without_a_trusted_proxy(rf, settings):
    settings.BEHIND_TLS_PROXY = False
    assert client_ip(_request(rf, CLIENT, f"{FORGED}, {FORGED}")) == CLIENT
