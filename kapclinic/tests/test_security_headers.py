"""Every page carries the browser-side protections health data needs."""

from django.urls import reverse


def test_public_page_sends_a_strict_content_security_policy(client, db):
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_pages_refuse_framing_and_sniffing(client, db):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_every_response_carries_a_request_id(client, db):
    first = client.get(reverse("home"))["X-Request-ID"]
    second = client.get(reverse("home"))["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_well_formed_incoming_request_id_is_kept(client, db):
    response = client.get(reverse("home"), HTTP_X_REQUEST_ID="proxy-req-12345678")
    assert response["X-Request-ID"] == "proxy-req-12345678"


def test_a_malformed_incoming_request_id_is_replaced(client, db):
    response = client.get(reverse("home"), HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32
