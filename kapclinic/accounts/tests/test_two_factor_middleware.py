from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice


def test_unverified_staff_with_device_is_sent_to_verify(client, cast):
    client.force_login(cast.nurse)
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:verify") + "?next=%2Fpatients%2F"


def test_staff_without_device_is_sent_to_setup(client, cast):
    TOTPDevice.objects.filter(user=cast.nurse).delete()
    client.force_login(cast.nurse)
    response = client.get(reverse("accounts:security"))
    assert response.url.startswith(reverse("accounts:setup"))


def test_verified_staff_passes(client, cast, as_user):
    as_user(cast.nurse)
    assert client.get(reverse("patients:list")).status_code == 200


def test_patient_is_not_asked_for_a_second_factor(client, cast):
    client.force_login(cast.patient_user)
    assert client.get(reverse("patients:portal")).status_code == 200


def test_demo_mode_does_not_force_staff(client, cast, settings):
    settings.DEMO_MODE = True
    client.force_login(cast.nurse)
    assert client.get(reverse("patients:list")).status_code == 200


def test_public_pages_stay_open_to_unverified_staff(client, cast):
    client.force_login(cast.nurse)
    assert client.get(reverse("content:articles")).status_code == 200


def test_django_admin_needs_the_second_factor(client, cast):
    client.force_login(cast.admin)
    response = client.get("/django-admin/")
    assert response.url.startswith(reverse("accounts:verify"))


def test_htmx_request_gets_client_redirect(client, cast):
    client.force_login(cast.nurse)
    response = client.get(reverse("patients:list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("accounts:verify"))
