import datetime as dt

import pytest
from django.urls import reverse

from kapclinic.accounts.models import StaffCredential
from kapclinic.clinics.tests.battery import assert_hidden_from_others

pytestmark = pytest.mark.django_db


def _url(pk):
    return reverse("clinics:staff_member", kwargs={"pk": pk})


def test_admin_sees_credentials_with_expired_in_red(cast, admin_in):
    StaffCredential.objects.create(
        user=cast.nurse,
        kind="nursing",
        number="RN-1",
        issuer="IL board",
        expires_on=dt.date(2001, 1, 1),
    )
    StaffCredential.objects.create(
        user=cast.nurse,
        kind="dea",
        number="DEA-2",
        issuer="DEA",
        expires_on=dt.date(2999, 1, 1),
    )
    response = admin_in.get(_url(cast.nurse.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert '<span class="flag">Expired 2001-01-01</span>' in text
    assert "2999-01-01" in text and "Expired 2999" not in text


def test_patient_account_is_not_a_staff_member(cast, admin_in):
    assert admin_in.get(_url(cast.patient_user.pk)).status_code == 404


def test_other_roles_get_404(client, cast):
    assert_hidden_from_others(client, cast, "get", _url(cast.nurse.pk))


def test_unknown_member_is_404(admin_in):
    assert admin_in.get(_url(999999)).status_code == 404


def test_post_is_not_allowed(cast, admin_in):
    assert admin_in.post(_url(cast.nurse.pk)).status_code == 405
