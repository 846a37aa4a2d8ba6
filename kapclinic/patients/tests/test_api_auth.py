"""Who may call the API at all: the signed-in session, staff past the second factor.

Pages redirect to sign-in or to the second factor; the API answers 401 JSON.
"""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from ninja.errors import AuthenticationError

from kapclinic.accounts.middleware import TWO_FACTOR_DETAIL
from kapclinic.api import ClinicSessionAuth
from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.patients.tests.api_helpers import LIST_URL, ME_URL, detail_url
from kapclinic.patients.tests.helpers import state
from kapclinic.test import login

START = dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC)


def api_urls(cast):
    return [LIST_URL, detail_url(cast.patient), ME_URL, "/api/v1/openapi.json"]


def test_anonymous_gets_401_json_not_a_redirect(cast, client):
    before = state()
    for url in api_urls(cast):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json() == {"detail": "Sign in first."}
    assert state() == before
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_anonymous_wrong_method_is_401_too(cast, client):
    assert client.post(LIST_URL).status_code == 401


def test_unverified_staff_get_401_json(cast, client):
    client.force_login(cast.prescriber)  # password only, no second factor
    before = state()
    for url in api_urls(cast):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json() == {"detail": TWO_FACTOR_DETAIL}
    assert state() == before


def test_the_same_session_is_sent_to_verify_on_pages(cast, client):
    client.force_login(cast.prescriber)
    response = client.get("/patients/")
    assert response.status_code == 302 and "verify" in response.url


def test_staff_in_demo_mode_need_no_second_factor(cast, client, settings):
    settings.DEMO_MODE = True
    client.force_login(cast.prescriber)
    assert client.get(LIST_URL).status_code == 200


def test_patients_need_no_second_factor(cast, client):
    client.force_login(cast.patient_user)
    assert client.get(ME_URL).status_code == 200


def test_idle_session_ends_with_401_json(cast, client):
    with time_machine.travel(START, tick=False) as clock:
        login(client, cast.prescriber)
        assert client.get(LIST_URL).status_code == 200
        clock.shift(dt.timedelta(minutes=16))
        response = client.get(LIST_URL)
    assert response.status_code == 401
    assert "15 minutes without activity" in response.json()["detail"]
    assert "_auth_user_id" not in client.session
    assert client.get(LIST_URL).status_code == 401


def test_activity_cannot_outlast_the_absolute_limit(cast, client, settings):
    with time_machine.travel(START, tick=False) as clock:
        login(client, cast.patient_user)
        elapsed = dt.timedelta(0)
        while (response := client.get(ME_URL)).status_code == 200:
            clock.shift(dt.timedelta(minutes=10))
            elapsed += dt.timedelta(minutes=10)
    assert elapsed == settings.SESSION_ABSOLUTE_TIMEOUT
    assert response.status_code == 401
    assert "sessions last at most" in response.json()["detail"]


# The auth class repeats the middleware's rules, so an operation stays closed even
# if the middleware did not run (a misconfigured MIDDLEWARE, a future test client).


def _request(user, verified=False):
    request = RequestFactory().get(LIST_URL)
    request.user = user
    if hasattr(user, "is_verified"):
        return request
    user.is_verified = lambda: verified
    return request


def test_auth_refuses_anonymous():
    assert ClinicSessionAuth().authenticate(_request(AnonymousUser()), None) is None


def test_auth_refuses_unverified_staff(cast):
    with pytest.raises(AuthenticationError) as raised:
        ClinicSessionAuth().authenticate(_request(cast.nurse, verified=False), None)
    assert raised.value.status_code == 401
    assert str(raised.value) == TWO_FACTOR_DETAIL


def test_auth_accepts_verified_staff_and_patients(cast):
    auth = ClinicSessionAuth()
    assert auth.authenticate(_request(cast.nurse, verified=True), None) == cast.nurse
    assert auth.authenticate(_request(cast.patient_user), None) == cast.patient_user


def test_auth_refuses_inactive_users(cast):
    cast.nurse.is_active = False
    assert ClinicSessionAuth().authenticate(_request(cast.nurse, verified=True), None) is None
