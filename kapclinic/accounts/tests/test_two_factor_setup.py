from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts.tests.helpers import backup_digests, code_for, events, holds_exactly
from kapclinic.audit.models import AuditAction

URL = reverse("accounts:setup")


def _new_staff(client, cast):
    TOTPDevice.objects.filter(user=cast.nurse).delete()
    client.force_login(cast.nurse)
    return cast.nurse


def test_setup_shows_qr_code_and_secret(client, cast):
    _new_staff(client, cast)
    response = client.get(URL)
    assert response.status_code == 200
    assert b"<svg" in response.content
    assert response.context["secret"]
    assert b'<label for="id_code">' in response.content


def test_reloading_keeps_the_same_secret(client, cast):
    _new_staff(client, cast)
    first = client.get(URL).context["secret"]
    assert client.get(URL).context["secret"] == first
    assert TOTPDevice.objects.filter(user=cast.nurse).count() == 1


def test_right_code_turns_on_two_factor_and_shows_backup_codes(client, cast):
    user = _new_staff(client, cast)
    client.get(URL)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(URL, {"code": code_for(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = response.context["codes"]
    assert len(codes) == 10
    assert holds_exactly(user, codes)
    assert client.get(reverse("patients:list")).status_code == 200


def test_enrolment_is_audited(client, cast):
    user = _new_staff(client, cast)
    client.get(URL)
    client.post(URL, {"code": code_for(TOTPDevice.objects.get(user=user))})
    [event] = events(AuditAction.TWO_FACTOR)
    assert event.actor == user
    assert event.detail == {"step": "enrolled"}


def test_enrolling_at_sign_in_is_audited_as_the_second_sign_in_step(client, cast):
    user = _new_staff(client, cast)
    client.get(URL)
    client.post(URL, {"code": code_for(TOTPDevice.objects.get(user=user))})
    [event] = events(AuditAction.LOGIN)
    assert event.actor == user
    assert event.detail == {"step": "two_factor", "method": "enrolment"}


def test_a_patient_opting_in_is_not_a_sign_in(client, cast):
    client.force_login(cast.patient_user)
    client.get(URL)
    client.post(URL, {"code": code_for(TOTPDevice.objects.get(user=cast.patient_user))})
    assert TOTPDevice.objects.get(user=cast.patient_user).confirmed
    assert events(AuditAction.LOGIN) == []


def test_wrong_code_leaves_device_unconfirmed(client, cast):
    user = _new_staff(client, cast)
    client.get(URL)
    response = client.post(URL, {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.get(user=user).confirmed
    assert backup_digests(user) == set()
    [event] = events(AuditAction.LOGIN_FAILED)
    assert event.detail == {"step": "two_factor_setup"}


def test_malformed_code_is_explained(client, cast):
    _new_staff(client, cast)
    response = client.post(URL, {"code": "12ab"})
    assert b"Enter the six digits" in response.content


def test_enrolled_but_unverified_user_cannot_add_a_device(client, cast):
    client.force_login(cast.nurse)
    response = client.get(URL)
    assert response.url == reverse("accounts:verify")
    assert TOTPDevice.objects.filter(user=cast.nurse).count() == 1


def test_patient_sees_the_opt_in_setup_page(client, cast):
    client.force_login(cast.patient_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert b"<svg" in response.content
    assert b"Staff accounts need" not in response.content


def test_patient_enrols_and_returns_to_security(client, cast):
    client.force_login(cast.patient_user)
    client.get(URL)
    device = TOTPDevice.objects.get(user=cast.patient_user)
    next_url = reverse("accounts:security")
    response = client.post(URL + f"?next={next_url}", {"code": code_for(device), "next": next_url})
    assert len(response.context["codes"]) == 10
    assert response.context["continue_url"] == next_url
    [event] = events(AuditAction.TWO_FACTOR)
    assert (event.actor, event.detail) == (cast.patient_user, {"step": "enrolled"})


def test_patient_wrong_code_enrols_nothing(client, cast):
    client.force_login(cast.patient_user)
    client.get(URL)
    client.post(URL, {"code": "000000"})
    assert not TOTPDevice.objects.filter(user=cast.patient_user, confirmed=True).exists()
    assert events(AuditAction.TWO_FACTOR) == []


def test_the_qr_code_scales_to_a_phone_screen(client, cast):
    # A fixed width (about 325 px with its margin) ran off a 390 px phone, cut off;
    # a viewBox without a size lets the stylesheet fit it.
    _new_staff(client, cast)
    svg = client.get(URL).content.decode().split("<svg", 1)[1].split(">", 1)[0]
    assert "viewBox=" in svg and "width=" not in svg
