import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditAction, AuditEvent

URL = reverse("accounts:keepalive")


def test_keepalive_answers_no_content_for_a_live_session(client, cast, as_user):
    as_user(cast.nurse)
    response = client.post(URL)
    assert response.status_code == 204
    assert response.content == b""


def test_keepalive_moves_the_idle_clock(client, cast, as_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        as_user(cast.nurse)
        client.get(reverse("patients:list"))
        clock.shift(dt.timedelta(minutes=10))
        assert client.post(URL).status_code == 204
        clock.shift(dt.timedelta(minutes=10))  # 20 minutes after the page, 10 after keepalive
        assert client.get(reverse("patients:list")).status_code == 200


def test_keepalive_after_the_idle_limit_signs_out(client, cast, as_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        as_user(cast.nurse)
        client.get(reverse("patients:list"))
        clock.shift(dt.timedelta(minutes=16))
        response = client.post(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGOUT, actor=cast.nurse, detail__reason="idle"
    ).exists()


def test_keepalive_does_not_extend_past_the_absolute_limit(client, cast, as_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        as_user(cast.patient_user)
        client.get(reverse("patients:portal"))
        for _ in range(73):  # every 10 minutes for just over 12 hours
            clock.shift(dt.timedelta(minutes=10))
            response = client.post(URL)
            if response.status_code != 204:
                break
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGOUT, actor=cast.patient_user, detail__reason="absolute"
    ).exists()


def test_keepalive_writes_no_audit_row(client, cast, as_user):
    as_user(cast.nurse)
    before = AuditEvent.objects.count()
    client.post(URL)
    assert AuditEvent.objects.count() == before


def test_anonymous_keepalive_goes_to_sign_in(client, db):
    response = client.post(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_keepalive_refuses_get(client, cast, as_user):
    as_user(cast.nurse)
    assert client.get(URL).status_code == 405


def test_signed_in_pages_carry_the_idle_limit_for_the_browser(client, cast, as_user):
    as_user(cast.nurse)
    page = client.get(reverse("patients:list")).content.decode()
    assert 'data-session-idle="900"' in page
    assert 'id="session-warning"' in page


def test_public_pages_for_visitors_have_no_session_script(client, db):
    page = client.get(reverse("home")).content.decode()
    assert "data-session-idle" not in page
    assert "session.js" not in page
