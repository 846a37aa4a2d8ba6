"""Accounts are not in the Django admin: staff are managed on the clinic pages."""

import pytest
from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts.models import StaffCredential, User
from kapclinic.test import login

pytestmark = pytest.mark.django_db


def test_accounts_and_credentials_are_not_registered():
    assert not admin.site.is_registered(User)
    assert not admin.site.is_registered(StaffCredential)


def test_even_a_superuser_finds_no_account_pages(client, cast):
    boss = User.objects.create_superuser("root@test.example", "x" * 20, full_name="Root")
    TOTPDevice.objects.create(user=boss, name="Authenticator app", confirmed=True)
    login(client, boss)
    assert client.get("/django-admin/").status_code == 200
    for path in ("", f"{cast.nurse.pk}/change/", f"{cast.patient_user.pk}/password/"):
        assert client.get(f"/django-admin/accounts/user/{path}").status_code == 404


def test_no_one_can_set_a_superusers_password_from_the_admin(client, cast):
    boss = User.objects.create_superuser("root@test.example", "x" * 20, full_name="Root")
    login(client, cast.admin)
    response = client.post(
        f"/django-admin/accounts/user/{boss.pk}/password/",
        {"password1": "taken over passphrase 1", "password2": "taken over passphrase 1"},
    )
    assert response.status_code == 404
    boss.refresh_from_db()
    assert not boss.check_password("taken over passphrase 1")


def test_the_admin_index_links_to_no_accounts(client, cast):
    login(client, cast.admin)
    body = client.get("/django-admin/").content.decode()
    # Accounts appear only through API tokens (list and revoke), never as people.
    assert "/django-admin/accounts/user/" not in body
    assert "/django-admin/accounts/staffcredential/" not in body
    assert "/django-admin/clinics/site/" in body
