import pytest
from django.urls import reverse

from kapclinic.accounts.models import User
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.tests.battery import assert_hidden_from_others, audit_rows

pytestmark = pytest.mark.django_db


def _url(pk):
    return reverse("clinics:staff_edit", kwargs={"pk": pk})


def _staff():
    return [
        (u.pk, u.full_name, u.role, u.is_staff, sorted(s.pk for s in u.sites.all()))
        for u in User.objects.order_by("pk")
    ]


def test_form_shows_current_role(cast, admin_in):
    response = admin_in.get(_url(cast.nurse.pk))
    assert response.status_code == 200
    assert b'value="Nora Nurse"' in response.content


def test_admin_changes_role_and_sites(cast, admin_in):
    data = {
        "full_name": "Nora Nurse",
        "role": "prescriber",
        "sites": [cast.site.pk, cast.other_site.pk],
    }
    response = admin_in.post(_url(cast.nurse.pk), data)
    assert response.status_code == 302
    cast.nurse.refresh_from_db()
    assert cast.nurse.role == "prescriber"
    assert set(cast.nurse.sites.all()) == {cast.site, cast.other_site}
    (row,) = audit_rows(action=AuditAction.UPDATE, object_type="accounts.user")
    assert row.detail["fields"] == ["role", "sites"]
    assert row.detail["changes"]["role"] == ["nurse", "prescriber"]
    assert row.detail["changes"]["sites"] == [
        [cast.site.pk],
        sorted([cast.site.pk, cast.other_site.pk]),
    ]


def test_admin_cannot_remove_own_admin_role(cast, admin_in):
    before = _staff()
    data = {"full_name": "Ada Admin", "role": "nurse", "sites": [cast.site.pk]}
    response = admin_in.post(_url(cast.admin.pk), data)
    assert response.context["form"].errors["role"] == [
        "You cannot remove your own clinic-admin role."
    ]
    assert _staff() == before
    assert audit_rows() == []


def test_missing_name_is_refused_and_role_kept(cast, admin_in):
    before = _staff()
    data = {"full_name": "", "role": "therapist", "sites": [cast.site.pk]}
    response = admin_in.post(_url(cast.nurse.pk), data)
    assert "full_name" in response.context["form"].errors
    assert b'value="therapist" selected' in response.content
    assert _staff() == before


def test_patient_account_is_404(cast, admin_in):
    assert admin_in.get(_url(cast.patient_user.pk)).status_code == 404


def test_other_roles_get_404(client, cast):
    url = _url(cast.nurse.pk)
    assert_hidden_from_others(client, cast, "get", url)
    data = {"full_name": "X", "role": "clinic_admin", "sites": [cast.site.pk]}
    assert_hidden_from_others(client, cast, "post", url, data, snapshot=_staff)


def test_unknown_member_is_404(admin_in):
    assert admin_in.get(_url(999999)).status_code == 404


def test_put_is_not_allowed(cast, admin_in):
    assert admin_in.put(_url(cast.nurse.pk)).status_code == 405


def test_a_refused_change_is_shown_on_the_form_and_nothing_changes(cast, admin_in, monkeypatch):
    from kapclinic.accounts.models import Role
    from kapclinic.clinics.forms import StaffEditForm
    from kapclinic.test import make_staff

    second = make_staff("admin2@test.example", "Abe Admin", Role.CLINIC_ADMIN)
    clean = StaffEditForm.clean

    def meanwhile(form):
        # While this form is checked, the other admin deactivates the editor.
        User.objects.filter(pk=cast.admin.pk).update(is_active=False)
        return clean(form)

    monkeypatch.setattr(StaffEditForm, "clean", meanwhile)
    before = _staff()
    data = {"full_name": "Abe Admin", "role": "nurse", "sites": [cast.site.pk]}
    response = admin_in.post(_url(second.pk), data)
    assert response.status_code == 200
    [error] = response.context["form"].errors["role"]
    assert "only active clinic admin" in error
    assert _staff() == before
    assert audit_rows(action=AuditAction.UPDATE) == []
