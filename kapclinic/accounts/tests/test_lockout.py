import datetime as dt

import time_machine
from django.urls import reverse

from kapclinic.accounts.tests.helpers import events, post_login
from kapclinic.audit.models import AuditAction, AuditOutcome

START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def _fail(client, user, times):
    return [post_login(client, user.email, "not the password") for _ in range(times)]


def test_fifth_failure_locks_the_account(client, cast):
    responses = _fail(client, cast.nurse, 5)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    assert b"Sign-in paused" in responses[4].content
    assert b"nurse@test.example" not in responses[4].content


def test_right_password_is_refused_while_locked(client, cast):
    _fail(client, cast.nurse, 5)
    response = post_login(client, cast.nurse.email)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_audited_as_denied(client, cast):
    _fail(client, cast.nurse, 5)
    post_login(client, cast.nurse.email)
    outcomes = [e.outcome for e in events(AuditAction.LOGIN_FAILED)]
    assert outcomes == [AuditOutcome.FAILURE] * 4 + [AuditOutcome.DENIED] * 2
    assert all(e.actor == cast.nurse for e in events(AuditAction.LOGIN_FAILED))


def test_login_works_again_after_cool_off(client, cast):
    with time_machine.travel(START, tick=False) as clock:
        _fail(client, cast.nurse, 5)
        assert post_login(client, cast.nurse.email).status_code == 429
        clock.shift(dt.timedelta(minutes=16))
        response = post_login(client, cast.nurse.email)
    assert response.status_code == 302
    assert response.url == reverse("scheduling:today")


def test_lockout_is_per_account(client, cast):
    _fail(client, cast.nurse, 5)
    assert post_login(client, cast.prescriber.email).status_code == 302
