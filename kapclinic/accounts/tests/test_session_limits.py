import datetime as dt

import time_machine
from django.urls import reverse

from kapclinic.accounts.tests.helpers import events, post_login
from kapclinic.audit.models import AuditAction

START = dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC)
PAGE = reverse("patients:portal")


def test_fourteen_idle_minutes_keep_the_session(client, cast, as_user):
    with time_machine.travel(START, tick=False) as clock:
        as_user(cast.patient_user)
        assert client.get(PAGE).status_code == 200
        clock.shift(dt.timedelta(minutes=14))
        assert client.get(PAGE).status_code == 200
    assert events(AuditAction.LOGOUT) == []


def test_sixteen_idle_minutes_end_the_session(client, cast, as_user):
    with time_machine.travel(START, tick=False) as clock:
        as_user(cast.patient_user)
        client.get(PAGE)
        clock.shift(dt.timedelta(minutes=16))
        response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url == reverse("accounts:login") + "?next=%2Fpatients%2Fme%2F"
    assert "_auth_user_id" not in client.session
    [event] = events(AuditAction.LOGOUT)
    assert event.actor == cast.patient_user
    assert event.detail == {"reason": "idle"}


def test_idle_logout_explains_why(client, cast, as_user):
    with time_machine.travel(START, tick=False) as clock:
        as_user(cast.patient_user)
        client.get(PAGE)
        clock.shift(dt.timedelta(minutes=16))
        response = client.get(PAGE, follow=True)
    assert b"signed out after 15 minutes without activity" in response.content


def test_activity_cannot_outlast_the_absolute_limit(client, cast):
    with time_machine.travel(START, tick=False) as clock:
        post_login(client, cast.patient_user.email)
        elapsed = dt.timedelta(0)
        while client.get(PAGE).status_code == 200:
            clock.shift(dt.timedelta(minutes=10))
            elapsed += dt.timedelta(minutes=10)
            assert elapsed <= dt.timedelta(hours=13)
    assert dt.timedelta(hours=12) <= elapsed < dt.timedelta(hours=12, minutes=10)
    [event] = events(AuditAction.LOGOUT)
    assert event.detail == {"reason": "absolute"}


def test_absolute_limit_applies_without_a_login_timestamp(client, cast, as_user):
    with time_machine.travel(START, tick=False) as clock:
        as_user(cast.patient_user)
        client.get(PAGE)  # the first request starts the clock
        for _ in range(12 * 6 - 1):
            clock.shift(dt.timedelta(minutes=10))
            assert client.get(PAGE).status_code == 200
        clock.shift(dt.timedelta(minutes=10))
        response = client.get(PAGE)
    assert response.status_code == 302
    assert events(AuditAction.LOGOUT)[0].detail == {"reason": "absolute"}


def test_htmx_request_gets_client_redirect(client, cast, as_user):
    with time_machine.travel(START, tick=False) as clock:
        as_user(cast.patient_user)
        client.get(PAGE)
        clock.shift(dt.timedelta(minutes=16))
        response = client.get(PAGE, headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_public_page_after_idle_shows_signed_out(client, cast, as_user):
    with time_machine.travel(START, tick=False) as clock:
        as_user(cast.patient_user)
        client.get(PAGE)
        clock.shift(dt.timedelta(minutes=16))
        response = client.get(reverse("content:articles"))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
