import pytest
from django.urls import reverse

from kapclinic.accounts.tests.helpers import events, post_login
from kapclinic.audit.models import AuditAction, AuditOutcome
from kapclinic.test import PASSWORD


def test_login_page_labels_the_email_field(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'<label for="id_username">E-mail' in response.content
    assert b'name="csrfmiddlewaretoken"' in response.content


def test_nurse_login_redirects_to_today(client, cast):
    response = post_login(client, cast.nurse.email)
    assert response.status_code == 302
    assert response.url == reverse("scheduling:today")
    assert client.session["_auth_user_id"] == str(cast.nurse.pk)


def test_clinic_admin_login_redirects_to_sites(client, cast):
    response = post_login(client, cast.admin.email)
    assert response.url == reverse("clinics:sites")


def test_patient_login_redirects_to_portal(client, cast):
    response = post_login(client, cast.patient_user.email)
    assert response.url == reverse("patients:portal")


def test_email_is_matched_case_insensitively(client, cast):
    response = post_login(client, "  Nurse@Test.Example ")
    assert response.status_code == 302


def test_login_honours_safe_next(client, cast):
    response = post_login(client, cast.patient_user.email, next="/learn/")
    assert response.url == "/learn/"


def test_login_ignores_next_to_another_site(client, cast):
    response = post_login(client, cast.patient_user.email, next="https://evil.example/")
    assert response.url == reverse("patients:portal")


def test_success_is_audited(client, cast):
    post_login(client, cast.nurse.email)
    [event] = events(AuditAction.LOGIN)
    assert event.actor == cast.nurse
    assert event.outcome == AuditOutcome.SUCCESS


def test_wrong_password_keeps_email_and_explains(client, cast):
    response = post_login(client, cast.nurse.email, "wrong password here")
    assert response.status_code == 200
    assert b'value="nurse@test.example"' in response.content
    assert b"do not match an account" in response.content
    assert "_auth_user_id" not in client.session


def test_wrong_password_is_audited_against_the_account(client, cast):
    post_login(client, cast.nurse.email, "wrong password here")
    [event] = events(AuditAction.LOGIN_FAILED)
    assert event.actor == cast.nurse
    assert event.outcome == AuditOutcome.FAILURE
    assert events(AuditAction.LOGIN) == []


def test_failed_audit_never_stores_what_was_typed(client, cast):
    post_login(client, "nobody@test.example", "secret typed here")
    [event] = events(AuditAction.LOGIN_FAILED)
    assert event.actor is None
    assert "nobody" not in str(event.detail)
    assert "secret" not in str(event.detail)


def test_inactive_account_cannot_sign_in(client, cast):
    cast.nurse.is_active = False
    cast.nurse.save()
    response = post_login(client, cast.nurse.email)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signed_in_user_visiting_login_goes_to_landing(client, cast, as_user):
    as_user(cast.patient_user)
    response = client.get(reverse("accounts:login"))
    assert response.url == reverse("patients:portal")


def test_password_is_required(client, cast):
    response = client.post(reverse("accounts:login"), {"username": cast.nurse.email})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert PASSWORD.encode() not in response.content


def test_login_ignores_a_next_that_is_not_a_path(client, cast):
    # A bare word would be taken by redirect() as a URL name and fail to reverse.
    response = post_login(client, cast.patient_user.email, next="home")
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:portal")


def test_signed_in_user_with_a_bare_word_next_goes_to_landing(client, cast, as_user):
    as_user(cast.nurse)
    response = client.get(reverse("accounts:login"), {"next": "NaN"})
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:today")


@pytest.mark.parametrize(
    ("who", "landing"),
    [
        ("front_desk", "scheduling:today"),
        ("nurse", "scheduling:today"),
        ("prescriber", "patients:list"),
        ("therapist", "patients:list"),
    ],
)
def test_each_staff_role_lands_on_its_home_page(client, cast, who, landing):
    response = post_login(client, getattr(cast, who).email)
    assert response.status_code == 302
    assert response.url == reverse(landing)
