from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts.models import Role, StaffCredential, User
from kapclinic.accounts.tests.helpers import events
from kapclinic.audit.models import AuditAction


def test_clinic_admin_can_list_users(client, cast, as_user):
    as_user(cast.admin)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    assert cast.nurse.email.encode() in response.content


def test_clinic_admin_can_open_credentials(client, cast, as_user):
    StaffCredential.objects.create(
        user=cast.nurse, kind=StaffCredential.Kind.NURSING, number="RN-1", issuer="IL Board"
    )
    as_user(cast.admin)
    assert client.get(reverse("admin:accounts_staffcredential_changelist")).status_code == 200


def test_other_staff_cannot_reach_django_admin(client, cast, as_user):
    as_user(cast.prescriber)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302
    assert "/django-admin/login/" in response.url


def test_adding_a_user_is_audited_and_staff_flag_follows_role(client, cast, as_user):
    as_user(cast.admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@test.example",
            "full_name": "New Nurse",
            "role": Role.NURSE,
            "usable_password": "true",
            "password1": "a long enough passphrase 9",
            "password2": "a long enough passphrase 9",
            "credentials-TOTAL_FORMS": "0",
            "credentials-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@test.example")
    assert not user.is_staff
    [event] = events(AuditAction.CREATE)
    assert event.actor == cast.admin
    assert event.object_id == str(user.pk)


def test_reset_two_factor_action_removes_devices(client, cast, as_user):
    as_user(cast.admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [cast.nurse.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.nurse).exists()
    assert TOTPDevice.objects.filter(user=cast.prescriber).exists()
    [event] = events(AuditAction.TWO_FACTOR)
    assert event.actor == cast.admin
    assert event.detail == {"step": "reset"}


def test_clinic_admin_cannot_change_a_superuser(client, cast, as_user):
    boss = User.objects.create_superuser("root@test.example", "x" * 20, full_name="Root")
    as_user(cast.admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[boss.pk]),
        {"password1": "taken over passphrase 1", "password2": "taken over passphrase 1"},
    )
    assert response.status_code == 403
    boss.refresh_from_db()
    assert not boss.check_password("taken over passphrase 1")
