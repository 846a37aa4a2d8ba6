from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

URL = reverse("accounts:security")


def test_staff_sees_two_factor_on_and_regenerate_button(client, cast, as_user):
    as_user(cast.nurse)
    response = client.get(URL)
    assert response.status_code == 200
    assert b"On: an authenticator app was added" in response.content
    assert reverse("accounts:backup_codes").encode() in response.content


def test_unenrolled_staff_in_demo_mode_is_offered_setup(client, cast, settings):
    settings.DEMO_MODE = True
    TOTPDevice.objects.filter(user=cast.nurse).delete()
    client.force_login(cast.nurse)
    response = client.get(URL)
    assert b"Not set up" in response.content


def test_unverified_staff_in_demo_mode_cannot_regenerate_here(client, cast, settings):
    settings.DEMO_MODE = True
    client.force_login(cast.nurse)
    response = client.get(URL)
    assert reverse("accounts:backup_codes").encode() not in response.content


def test_patient_sees_password_only(client, cast, as_user):
    as_user(cast.patient_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert reverse("accounts:password_change").encode() in response.content
    assert b"Two-factor" not in response.content


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.url.startswith(reverse("accounts:login"))
