"""Property-based tests of the JSON API from its own OpenAPI document (schemathesis).

Every operation of /api/v1/ is called with at least MAX_EXAMPLES generated requests,
valid and invalid (positive and negative generation, including NUL bytes, numbers
past 64 bits and the schema's boundary values), through the WSGI application as a
signed-in prescriber who passed the second factor. A response fails the test when
it is a server error, or when its status, content type or body is not what the
document promises (so a 400 or 404 must be the documented `{"detail": ...}`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kapclinic.api import api
from kapclinic.test import Cast, login

MAX_EXAMPLES = 50
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def signed_in(cast: Cast) -> Client:
    return login(Client(), cast.prescriber)


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    # Built after the test settings are in place: middleware reads them once, when
    # the application is built (one built at import would redirect to https).
    app = get_wsgi_application()
    # A real request closes the database connection when it ends; here that would
    # close the test's own transaction (PostgreSQL). Django's test client does the same.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield app
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def session_cookie(signed_in: Client) -> dict[str, str]:
    name = settings.SESSION_COOKIE_NAME
    return {name: signed_in.cookies[name].value}


def _document() -> dict[str, Any]:
    """The OpenAPI document as JSON has it (status codes as strings)."""
    return json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder))


# The document the API serves (test_the_fuzzed_document_is_the_served_one); every
# generated request goes through the WSGI application.
schema = schemathesis.openapi.from_dict(_document())
# Says "call in-process"; the application each test calls is built by `wsgi_app`.
schema.app = get_wsgi_application()
# No example database on disk: each run generates afresh (and CI keeps no state).
schema.config.generation.update(max_examples=MAX_EXAMPLES, database="none", allow_x00=True)


@schema.parametrize()
# One signed-in session serves every generated request: the API only reads, so
# nothing one example does can change what the next one sees (beyond audit rows).
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_api_answers_every_generated_request_as_documented(case, wsgi_app, session_cookie) -> None:
    case.call_and_validate(app=wsgi_app, cookies=session_cookie, checks=CHECKS)


def test_the_fuzzed_document_is_the_served_one(signed_in: Client) -> None:
    served = signed_in.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.json() == _document()
