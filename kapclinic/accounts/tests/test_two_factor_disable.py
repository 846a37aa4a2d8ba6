import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts import actions
from kapclinic.accounts.tests.helpers import code_for, events, totp_device
from kapclinic.audit.models import AuditAction

URL = reverse("accounts:two_factor_disable")


def _enrolled_patient(as_user, cast) -> list[str]:
    TOTPDevice.objects.create(user=cast.patient_user, name="Authenticator app", confirmed=True)
    codes = actions.regenerate_backup_codes(actor=cast.patient_user)
    as_user(cast.patient_user)
    return codes


def _has_two_factor(user) -> bool:
    return (
        TOTPDevice.objects.filter(user=user).exists()
        or StaticDevice.objects.filter(user=user).exists()
    )


def test_current_code_turns_it_off(client, cast, as_user):
    _enrolled_patient(as_user, cast)
    response = client.post(URL, {"code": code_for(totp_device(cast.patient_user))})
    assert response.url == reverse("accounts:security")
    assert not _has_two_factor(cast.patient_user)
    assert client.get(reverse("patients:portal")).status_code == 200


def test_turning_off_is_audited(client, cast, as_user):
    _enrolled_patient(as_user, cast)
    client.post(URL, {"code": code_for(totp_device(cast.patient_user))})
    event = events(AuditAction.TWO_FACTOR)[-1]
    assert event.actor == cast.patient_user
    assert event.detail == {"change": "disabled"}


def test_backup_code_also_turns_it_off(client, cast, as_user):
    codes = _enrolled_patient(as_user, cast)
    client.post(URL, {"code": codes[0]})
    assert not _has_two_factor(cast.patient_user)


def test_wrong_code_keeps_it_on(client, cast, as_user):
    _enrolled_patient(as_user, cast)
    before = len(events(AuditAction.TWO_FACTOR))
    response = client.post(URL, {"code": "000000"})
    assert response.status_code == 200
    assert b"That code is not right" in response.content
    assert TOTPDevice.objects.filter(user=cast.patient_user, confirmed=True).exists()
    assert len(events(AuditAction.TWO_FACTOR)) == before
    [failed] = events(AuditAction.LOGIN_FAILED)
    assert failed.detail == {"step": "two_factor_disable"}


def test_empty_code_keeps_it_on(client, cast, as_user):
    _enrolled_patient(as_user, cast)
    response = client.post(URL, {"code": ""})
    assert response.context["disable_form"].errors["code"]
    assert _has_two_factor(cast.patient_user)


def test_staff_cannot_turn_it_off(client, cast, as_user):
    as_user(cast.nurse)
    response = client.post(URL, {"code": code_for(totp_device(cast.nurse))})
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=cast.nurse, confirmed=True).exists()
    assert events(AuditAction.TWO_FACTOR) == []


def test_action_refuses_staff(cast):
    with pytest.raises(PermissionError):
        actions.disable_two_factor(actor=cast.admin)
    assert TOTPDevice.objects.filter(user=cast.admin).exists()


def test_patient_without_two_factor_is_sent_back(client, cast, as_user):
    as_user(cast.patient_user)
    assert client.post(URL, {"code": "123456"}).url == reverse("accounts:security")
    assert events(AuditAction.TWO_FACTOR) == []


def test_get_is_not_allowed(client, cast, as_user):
    _enrolled_patient(as_user, cast)
    assert client.get(URL).status_code == 405
    assert _has_two_factor(cast.patient_user)


def test_anonymous_is_sent_to_login(client, db):
    assert client.post(URL, {"code": "123456"}).url.startswith(reverse("accounts:login"))
