import datetime as dt

import time_machine
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts import backup_codes
from kapclinic.accounts.tests.helpers import code_for, events, totp_device
from kapclinic.audit.models import AuditAction, AuditOutcome

URL = reverse("accounts:verify")
START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def _backup_code(user, token="abcd-efgh-2345"):
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    backup_codes.store(device, [token])
    return token


def test_totp_code_verifies_and_follows_next(client, cast):
    client.force_login(cast.nurse)
    response = client.post(
        URL + "?next=/patients/", {"code": code_for(totp_device(cast.nurse)), "next": "/patients/"}
    )
    assert response.url == "/patients/"
    assert client.get(reverse("patients:list")).status_code == 200


def test_success_is_audited_as_login(client, cast):
    client.force_login(cast.nurse)
    client.post(URL, {"code": code_for(totp_device(cast.nurse))})
    [event] = events(AuditAction.LOGIN)
    assert event.actor == cast.nurse
    assert event.detail == {"step": "two_factor", "method": "totp"}


def test_wrong_code_is_refused_and_audited(client, cast):
    client.force_login(cast.nurse)
    response = client.post(URL, {"code": "000000"})
    assert response.status_code == 200
    assert b"That code is not right" in response.content
    [event] = events(AuditAction.LOGIN_FAILED)
    assert event.actor == cast.nurse
    assert event.outcome == AuditOutcome.FAILURE
    assert event.detail == {"step": "two_factor"}
    assert client.get(reverse("patients:list")).status_code == 302


def test_quick_retry_after_failure_is_throttled(client, cast):
    client.force_login(cast.nurse)
    with time_machine.travel(START, tick=False):
        client.post(URL, {"code": "000000"})
        response = client.post(URL, {"code": code_for(totp_device(cast.nurse))})
    assert b"Too many wrong codes" in response.content
    assert client.get(reverse("patients:list")).status_code == 302


def test_right_code_after_waiting_works(client, cast):
    client.force_login(cast.nurse)
    with time_machine.travel(START, tick=False) as clock:
        client.post(URL, {"code": "000000"})
        clock.shift(dt.timedelta(seconds=2))
        response = client.post(URL, {"code": code_for(totp_device(cast.nurse))})
    assert response.status_code == 302


def test_backup_code_works_once(client, cast):
    token = _backup_code(cast.nurse)
    client.force_login(cast.nurse)
    response = client.post(URL, {"code": token.upper()})
    assert response.url == reverse("scheduling:today")  # a nurse's landing page
    assert events(AuditAction.LOGIN)[0].detail["method"] == "backup_code"
    client.post(reverse("accounts:logout"))
    client.force_login(cast.nurse)
    response = client.post(URL, {"code": token})
    assert response.status_code == 200
    assert b"That code is not right" in response.content


def test_verified_user_is_sent_on(client, cast, as_user):
    as_user(cast.nurse)
    assert client.get(URL).url == reverse("scheduling:today")  # a nurse's landing page


def test_user_without_device_is_sent_to_setup(client, cast):
    TOTPDevice.objects.filter(user=cast.nurse).delete()
    client.force_login(cast.nurse)
    assert client.get(URL).url.startswith(reverse("accounts:setup"))


def test_patient_without_device_is_sent_to_portal(client, cast):
    client.force_login(cast.patient_user)
    assert client.get(URL).url == reverse("patients:portal")


def test_enrolled_patient_verifies_with_a_code(client, cast):
    device = TOTPDevice.objects.create(user=cast.patient_user, name="App", confirmed=True)
    client.force_login(cast.patient_user)
    response = client.post(URL, {"code": code_for(device)})
    assert response.url == reverse("patients:portal")
    assert client.get(reverse("patients:portal")).status_code == 200


def test_a_plain_text_code_left_in_django_otps_table_is_refused(client, cast):
    device = StaticDevice.objects.create(user=cast.nurse, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcd2345")
    client.force_login(cast.nurse)
    response = client.post(URL, {"code": "abcd2345"})
    assert b"That code is not right" in response.content
    assert events(AuditAction.LOGIN) == []
