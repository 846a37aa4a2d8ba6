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


def test_patient_without_authenticator_is_offered_two_factor(client, cast, as_user):
    as_user(cast.patient_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert reverse("accounts:password_change").encode() in response.content
    assert b"Off: your password alone" in response.content
    assert reverse("accounts:setup").encode() in response.content
    assert reverse("accounts:two_factor_disable").encode() not in response.content


def test_page_explains_why_two_factor_protects_the_record(client, cast, as_user):
    as_user(cast.patient_user)
    response = client.get(URL)
    assert b"still cannot get in without your phone" in response.content
    assert b"health record" in response.content


def test_enrolled_patient_is_offered_to_turn_it_off(client, cast, as_user):
    TOTPDevice.objects.create(user=cast.patient_user, name="Authenticator app", confirmed=True)
    as_user(cast.patient_user)
    response = client.get(URL)
    assert b"On: an authenticator app was added" in response.content
    assert reverse("accounts:two_factor_disable").encode() in response.content


def test_staff_are_not_offered_to_turn_it_off(client, cast, as_user):
    as_user(cast.nurse)
    response = client.get(URL)
    assert reverse("accounts:two_factor_disable").encode() not in response.content
    assert b"required for staff" in response.content


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.url.startswith(reverse("accounts:login"))
