"""The idle clock is saved in the session at most once a minute, and stays exact:
the latest request's time travels in a signed cookie bound to the session."""

import datetime as dt

import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from kapclinic.accounts import session_clock
from kapclinic.test import login

START = dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC)
PAGE = reverse("patients:portal")


def saved_last_seen():
    (session,) = Session.objects.all()
    return session.get_decoded()[session_clock.LAST_SEEN_KEY]


def test_requests_within_a_minute_do_not_save_the_session(client, cast, as_user):
    with time_machine.travel(START, tick=False) as clock:
        as_user(cast.patient_user)
        client.get(PAGE)
        first = saved_last_seen()
        clock.shift(dt.timedelta(seconds=59))
        client.get(PAGE)
        assert saved_last_seen() == first
        clock.shift(dt.timedelta(seconds=1))
        client.get(PAGE)
        assert saved_last_seen() == first + 60


def test_unsaved_activity_still_counts_for_the_idle_limit(client, cast, as_user):
    with time_machine.travel(START, tick=False) as clock:
        as_user(cast.patient_user)
        client.get(PAGE)
        clock.shift(dt.timedelta(seconds=59))
        client.get(PAGE)  # activity not written: within the minute
        clock.shift(dt.timedelta(minutes=15))  # 15 minutes after that activity
        assert client.get(PAGE).status_code == 200


def test_the_idle_limit_counts_from_the_latest_request_exactly(client, cast, as_user):
    with time_machine.travel(START, tick=False) as clock:
        as_user(cast.patient_user)
        client.get(PAGE)
        clock.shift(dt.timedelta(seconds=59))
        client.get(PAGE)  # activity not written to the session: within the minute
        clock.shift(dt.timedelta(minutes=15, seconds=1))
        assert client.get(PAGE).status_code == 302


def test_a_seen_cookie_from_another_session_does_not_count(client, cast):
    other = Client()
    with time_machine.travel(START, tick=False) as clock:
        login(client, cast.patient_user)
        login(other, cast.patient_user)
        client.get(PAGE)
        other.get(PAGE)
        clock.shift(dt.timedelta(seconds=59))
        other.get(PAGE)  # the other session's cookie says 8:00:59
        client.cookies[session_clock.SEEN_COOKIE] = other.cookies[session_clock.SEEN_COOKIE].value
        clock.shift(dt.timedelta(minutes=14, seconds=31))  # 15:30 after this session's request
        assert client.get(PAGE).status_code == 302


def test_a_tampered_seen_cookie_does_not_count(client, cast, as_user):
    with time_machine.travel(START, tick=False) as clock:
        as_user(cast.patient_user)
        client.get(PAGE)
        client.cookies[session_clock.SEEN_COOKIE] = "forged"
        clock.shift(dt.timedelta(minutes=15, seconds=1))
        assert client.get(PAGE).status_code == 302


def test_a_short_idle_limit_is_kept_to_the_second(client, cast, as_user, settings):
    settings.SESSION_IDLE_TIMEOUT = dt.timedelta(seconds=6)
    with time_machine.travel(START, tick=False) as clock:
        as_user(cast.patient_user)
        client.get(PAGE)
        clock.shift(dt.timedelta(seconds=7))
        assert client.get(PAGE).status_code == 302
