import pytest
from django.urls import reverse

from kapclinic.accounts.models import User
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.tests.battery import assert_hidden_from_others, audit_rows

pytestmark = pytest.mark.django_db


def _url(name, pk):
    return reverse(f"clinics:staff_{name}", kwargs={"pk": pk})


def _active():
    return list(User.objects.order_by("pk").values_list("pk", "is_active"))


def test_admin_deactivates_a_member(cast, admin_in):
    response = admin_in.post(_url("deactivate", cast.nurse.pk))
    assert response.status_code == 302
    cast.nurse.refresh_from_db()
    assert not cast.nurse.is_active
    (row,) = audit_rows(action=AuditAction.UPDATE)
    assert row.detail == {"fields": ["is_active"], "changes": {"is_active": [True, False]}}


def test_deactivated_member_is_signed_out(cast, admin_in, client):
    from kapclinic.test import login

    other = login(type(client)(), cast.nurse)
    admin_in.post(_url("deactivate", cast.nurse.pk))
    assert other.get("/clinic/sites/").status_code == 302  # back to sign-in


def test_admin_reactivates_a_member(cast, admin_in):
    User.objects.filter(pk=cast.nurse.pk).update(is_active=False)
    admin_in.post(_url("reactivate", cast.nurse.pk))
    cast.nurse.refresh_from_db()
    assert cast.nurse.is_active
    assert len(audit_rows(action=AuditAction.UPDATE)) == 1


def test_deactivating_twice_records_once(cast, admin_in):
    admin_in.post(_url("deactivate", cast.nurse.pk))
    admin_in.post(_url("deactivate", cast.nurse.pk))
    assert len(audit_rows()) == 1


def test_admin_cannot_deactivate_themselves(cast, admin_in):
    response = admin_in.post(_url("deactivate", cast.admin.pk), follow=True)
    assert b"You cannot deactivate your own account." in response.content
    cast.admin.refresh_from_db()
    assert cast.admin.is_active
    assert audit_rows(action=AuditAction.UPDATE) == []


def test_patient_account_is_404(cast, admin_in):
    assert admin_in.post(_url("deactivate", cast.patient_user.pk)).status_code == 404
    cast.patient_user.refresh_from_db()
    assert cast.patient_user.is_active


@pytest.mark.parametrize("name", ["deactivate", "reactivate"])
def test_other_roles_get_404(client, cast, name):
    assert_hidden_from_others(client, cast, "post", _url(name, cast.nurse.pk), snapshot=_active)


@pytest.mark.parametrize("name", ["deactivate", "reactivate"])
def test_unknown_member_is_404(admin_in, name):
    assert admin_in.post(_url(name, 999999)).status_code == 404


@pytest.mark.parametrize("name", ["deactivate", "reactivate"])
def test_get_is_not_allowed(cast, admin_in, name):
    assert admin_in.get(_url(name, cast.nurse.pk)).status_code == 405
    cast.nurse.refresh_from_db()
    assert cast.nurse.is_active
