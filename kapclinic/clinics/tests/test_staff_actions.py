import pytest

from kapclinic.accounts.models import StaffCredential, User
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
