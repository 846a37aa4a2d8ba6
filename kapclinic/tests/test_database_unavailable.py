"""A database that is down, drops the connection or is too slow answers 503.

The page (or JSON under /api/) says nothing was saved and asks the client to retry;
the request's transaction is rolled back, and the next request works again.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from django.db import OperationalError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from kapclinic.errors import UNAVAILABLE_DETAIL
from kapclinic.patients import actions as patient_actions
from kapclinic.patients.models import Patient
from kapclinic.test import login

REGISTER = reverse("patients:register")
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a PostgreSQL server to disconnect"
)


def registration(cast, family_name: str, birth_date: str = "1979-03-04") -> dict[str, object]:
    # Different names and birth dates, so no registration looks like a duplicate.
    return {
        "site": cast.site.pk,
        "given_name": family_name[::-1].title(),
        "family_name": family_name,
        "birth_date": birth_date,
        "sex_at_birth": "female",
        "country": "US",
        "phone": "+1 312 555 0199",
    }


@pytest.fixture
def desk(cast) -> Client:
    # Errors must reach the 500 handler, as in production, not re-raise in the test.
    return login(Client(raise_request_exception=False), cast.front_desk)


def fail(*args: object, **kwargs: object) -> None:
    raise OperationalError("server closed the connection unexpectedly")


def test_a_lost_database_during_a_save_answers_503_saying_nothing_was_saved(
    cast, desk, monkeypatch
):
    monkeypatch.setattr(patient_actions, "register_patient", fail)
    response = desk.post(REGISTER, registration(cast, "Newcomer"))
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "was not saved" in response.content.decode()


def test_the_api_answers_503_as_json(cast, desk, monkeypatch):
    from kapclinic.patients import api as patients_api

    monkeypatch.setattr(patients_api, "visible_patients", fail)
    response = desk.get("/api/v1/patients/")
    assert response.status_code == 503
    assert response.json() == {"detail": UNAVAILABLE_DETAIL}
    assert int(response["Retry-After"]) > 0


def test_a_failure_inside_a_middleware_is_also_503(cast, desk, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore

    monkeypatch.setattr(SessionStore, "load", fail)
    response = desk.get(reverse("patients:list"))
    assert response.status_code == 503


def test_other_errors_stay_500(cast, desk, monkeypatch):
    def bug(*args: object, **kwargs: object) -> None:
        raise ValueError("a programming error")

    monkeypatch.setattr(patient_actions, "register_patient", bug)
    response = desk.post(REGISTER, registration(cast, "Newcomer"))
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.fixture
def other_connection() -> Iterator[BaseDatabaseWrapper]:
    """A second connection to the test database, as another process would have."""
    other = connections.create_connection("default")
    try:
        yield other
    finally:
        other.close()


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_backend_terminated_mid_write_answers_503_then_recovers(
    cast, other_connection, monkeypatch
):
    desk = login(Client(raise_request_exception=False), cast.front_desk)
    assert desk.post(REGISTER, registration(cast, "Acknowledged")).status_code == 302
    write_audit = patient_actions._audit

    def audit_after_the_backend_dies(**kwargs: object) -> None:
        # The patient row is written; kill our backend before the audit row is.
        with other_connection.cursor() as cursor:
            pid = connection.connection.info.backend_pid
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        write_audit(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(patient_actions, "_audit", audit_after_the_backend_dies)
    response = desk.post(REGISTER, registration(cast, "Interrupted", "1981-05-06"))
    assert response.status_code == 503
    assert "was not saved" in response.content.decode()

    monkeypatch.setattr(patient_actions, "_audit", write_audit)
    assert desk.post(REGISTER, registration(cast, "Afterwards", "1983-07-08")).status_code == 302
    names = set(Patient.objects.values_list("family_name", flat=True))
    assert {"Acknowledged", "Afterwards"} <= names
    assert "Interrupted" not in names


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_request_blocked_by_a_lock_answers_503_within_the_lock_timeout(cast, other_connection):
    desk = login(Client(raise_request_exception=False), cast.front_desk)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 300")
    other_connection.set_autocommit(False)
    with other_connection.cursor() as cursor:
        cursor.execute("LOCK TABLE patients_patient IN ACCESS EXCLUSIVE MODE")
    try:
        response = desk.post(REGISTER, registration(cast, "Blocked"))
    finally:
        other_connection.rollback()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert response.status_code == 503
    assert not Patient.objects.filter(family_name="Blocked").exists()


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_database_that_is_down_answers_503_then_recovers(cast):
    desk = login(Client(raise_request_exception=False), cast.front_desk)
    with socket.socket() as s:  # a port nothing listens on: the server is "down"
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = closed_port
    try:
        response = desk.get(reverse("patients:list"))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert desk.get(reverse("patients:list")).status_code == 200


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_statement_over_the_time_limit_answers_503(cast, monkeypatch):
    from kapclinic.patients import api as patients_api

    desk = login(Client(raise_request_exception=False), cast.front_desk)
    from kapclinic.patients.access import visible_patients as visible

    def slow(*args: object, **kwargs: object):
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 200")
            cursor.execute("SELECT pg_sleep(5)")
        return visible(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(patients_api, "visible_patients", slow)
    started = time.monotonic()
    try:
        response = desk.get("/api/v1/patients/")
    finally:
        with connection.cursor() as cursor:  # the test database's flush needs longer
            cursor.execute("RESET statement_timeout")
    assert response.status_code == 503
    assert time.monotonic() - started < 4
    assert response.json() == {"detail": UNAVAILABLE_DETAIL}
