"""The two-factor pages act on the signed-in user only: no id in a URL or form can
point them at another patient's authenticator or backup codes."""

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts import actions
from kapclinic.accounts.tests.helpers import code_for, events, holds_exactly
from kapclinic.audit.models import AuditAction


def _other_enrolled(cast) -> tuple[TOTPDevice, set[str]]:
    device = TOTPDevice.objects.create(user=cast.other_patient_user, name="App", confirmed=True)
    codes = set(actions.regenerate_backup_codes(actor=cast.other_patient_user))
    return device, codes


def test_others_code_cannot_turn_off_their_two_factor(client, cast, as_user):
    device, codes = _other_enrolled(cast)
    TOTPDevice.objects.create(user=cast.patient_user, name="App", confirmed=True)
    as_user(cast.patient_user)
    client.post(
        reverse("accounts:two_factor_disable"),
        {"code": code_for(device), "user": cast.other_patient_user.pk},
    )
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()
    assert holds_exactly(cast.other_patient_user, codes)
    assert TOTPDevice.objects.filter(user=cast.patient_user, confirmed=True).exists()


def test_setup_shows_only_ones_own_new_secret(client, cast):
    pending = TOTPDevice.objects.create(user=cast.other_patient_user, name="App", confirmed=False)
    client.force_login(cast.patient_user)
    response = client.get(reverse("accounts:setup"))
    assert pending.config_url not in response.content.decode()
    client.post(reverse("accounts:setup"), {"code": code_for(pending)})
    pending.refresh_from_db()
    assert not pending.confirmed
    assert not TOTPDevice.objects.filter(user=cast.patient_user, confirmed=True).exists()


def test_regenerating_leaves_others_codes_alone(client, cast, as_user):
    _, codes = _other_enrolled(cast)
    TOTPDevice.objects.create(user=cast.patient_user, name="App", confirmed=True)
    as_user(cast.patient_user)
    client.post(reverse("accounts:backup_codes"), {"user": cast.other_patient_user.pk})
    assert holds_exactly(cast.other_patient_user, codes)


def test_security_page_shows_only_ones_own_status(client, cast, as_user):
    _other_enrolled(cast)
    as_user(cast.patient_user)
    response = client.get(reverse("accounts:security"))
    assert b"Off: your password alone" in response.content
    assert b"Backup codes left" not in response.content


def test_others_backup_code_does_not_verify_a_session(client, cast):
    _, codes = _other_enrolled(cast)
    TOTPDevice.objects.create(user=cast.patient_user, name="App", confirmed=True)
    client.force_login(cast.patient_user)
    response = client.post(reverse("accounts:verify"), {"code": next(iter(codes))})
    assert response.status_code == 200
    assert holds_exactly(cast.other_patient_user, codes)
    assert events(AuditAction.LOGIN) == []
