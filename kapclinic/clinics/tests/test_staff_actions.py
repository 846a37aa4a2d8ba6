import pytest

from kapclinic.accounts.models import Role, StaffCredential, User
from kapclinic.audit.models import AuditEvent
from kapclinic.clinics import staff_actions

pytestmark = pytest.mark.django_db


def test_invite_refuses_the_patient_role(cast):
    with pytest.raises(ValueError):
        staff_actions.invite_staff(
            actor=cast.admin,
            email="x@test.example",
            full_name="X",
            role="patient",
            sites=[],
            base_url="http://x",
        )
    assert not User.objects.filter(email="x@test.example").exists()


def test_update_staff_refuses_demoting_oneself(cast):
    with pytest.raises(staff_actions.StaffChangeRefused):
        staff_actions.update_staff(cast.admin, actor=cast.admin, role="nurse", sites=[])
    assert User.objects.get(pk=cast.admin.pk).role == "clinic_admin"


def test_promotion_to_clinic_admin_grants_django_admin(cast):
    staff_actions.update_staff(cast.nurse, actor=cast.admin, role="clinic_admin", sites=[])
    user = User.objects.get(pk=cast.nurse.pk)
    assert user.is_staff and list(user.sites.all()) == []
    assert AuditEvent.objects.get().detail["fields"] == ["is_staff", "role", "sites"]


def test_name_change_is_recorded_without_the_name(cast):
    staff_actions.update_staff(
        cast.nurse, actor=cast.admin, role="nurse", sites=[cast.site], full_name="Nora Newname"
    )
    row = AuditEvent.objects.get()
    assert row.detail == {"fields": ["full_name"], "changes": {}}


def test_credential_update_with_no_change_writes_nothing(cast):
    credential = StaffCredential.objects.create(
        user=cast.nurse, kind="dea", number="1", issuer="DEA"
    )
    assert staff_actions.update_credential(credential, actor=cast.admin, data={"number": "1"}) == []
    assert not AuditEvent.objects.exists()


def _second_admin():
    from kapclinic.test import make_staff

    return make_staff("admin2@test.example", "Abe Admin", Role.CLINIC_ADMIN)


def _admins():
    return sorted(
        User.objects.filter(role=Role.CLINIC_ADMIN, is_active=True).values_list("pk", flat=True)
    )


def test_an_admin_may_deactivate_another_while_one_remains(cast):
    second = _second_admin()
    assert staff_actions.set_staff_active(second, actor=cast.admin, active=False)
    assert _admins() == [cast.admin.pk]


def test_the_last_active_admin_cannot_be_deactivated(cast):
    # Two admins deactivate each other at the same moment: the first change is
    # made, and the second, made by an admin who is by then inactive, must not
    # leave the clinic without an admin.
    second = _second_admin()
    staff_actions.set_staff_active(second, actor=cast.admin, active=False)
    with pytest.raises(staff_actions.StaffChangeRefused, match="only active clinic admin"):
        staff_actions.set_staff_active(cast.admin, actor=second, active=False)
    assert _admins() == [cast.admin.pk]
    assert AuditEvent.objects.count() == 1  # the first change only


def test_the_last_active_admin_cannot_be_demoted(cast):
    second = _second_admin()
    staff_actions.set_staff_active(second, actor=cast.admin, active=False)
    with pytest.raises(staff_actions.StaffChangeRefused, match="only active clinic admin"):
        staff_actions.update_staff(cast.admin, actor=second, role=Role.NURSE, sites=[])
    admin = User.objects.get(pk=cast.admin.pk)
    assert (admin.role, admin.is_staff) == (Role.CLINIC_ADMIN, True)
    assert AuditEvent.objects.count() == 1


def test_an_inactive_admin_may_still_be_demoted(cast):
    second = _second_admin()
    staff_actions.set_staff_active(second, actor=cast.admin, active=False)
    staff_actions.update_staff(second, actor=cast.admin, role=Role.NURSE, sites=[])
    assert User.objects.get(pk=second.pk).role == Role.NURSE


def test_the_last_admin_keeps_other_changes(cast):
    second = _second_admin()
    staff_actions.set_staff_active(second, actor=cast.admin, active=False)
    changed = staff_actions.update_staff(
        cast.admin, actor=second, role=Role.CLINIC_ADMIN, sites=[cast.site]
    )
    assert changed == ["sites"]
