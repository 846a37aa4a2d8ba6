from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts.tests.helpers import code_for, post_login

PORTAL = reverse("patients:portal")


def _enrol(client, user):
    setup = reverse("accounts:setup")
    client.get(setup)
    client.post(setup, {"code": code_for(TOTPDevice.objects.get(user=user))})


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


def test_patient_without_device_signs_in_with_password_alone(client, cast):
    post_login(client, cast.patient_user.email)
    assert client.get(PORTAL).status_code == 200


def test_patient_who_enrolled_is_asked_for_a_code_at_next_sign_in(client, cast):
    post_login(client, cast.patient_user.email)
    _enrol(client, cast.patient_user)
    client.post(reverse("accounts:logout"))
    post_login(client, cast.patient_user.email)
    response = client.get(PORTAL)
    assert response.url == reverse("accounts:verify") + "?next=%2Fpatients%2Fme%2F"


def test_enrolled_patient_gets_in_after_the_code(client, cast):
    device = TOTPDevice.objects.create(user=cast.patient_user, name="App", confirmed=True)
    post_login(client, cast.patient_user.email)
    client.post(reverse("accounts:verify"), {"code": code_for(device)})
    assert client.get(PORTAL).status_code == 200


def test_enrolled_patient_is_asked_in_demo_mode_too(client, cast, settings):
    settings.DEMO_MODE = True
    TOTPDevice.objects.create(user=cast.patient_user, name="App", confirmed=True)
    client.force_login(cast.patient_user)
    assert client.get(PORTAL).url.startswith(reverse("accounts:verify"))


def test_unconfirmed_device_does_not_lock_a_patient_out(client, cast):
    TOTPDevice.objects.create(user=cast.patient_user, name="App", confirmed=False)
    client.force_login(cast.patient_user)
    assert client.get(PORTAL).status_code == 200


def test_enrolled_patient_api_call_needs_the_code(client, cast):
    TOTPDevice.objects.create(user=cast.patient_user, name="App", confirmed=True)
    client.force_login(cast.patient_user)
    assert client.get("/api/v1/me").status_code == 401


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
