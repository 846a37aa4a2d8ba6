import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.clinics.tests.battery import assert_hidden_from_others

pytestmark = pytest.mark.django_db


def _url(pk):
    return reverse("clinics:staff_reset_two_factor", kwargs={"pk": pk})


def test_reset_removes_the_authenticator_and_backup_codes(cast, admin_in):
    StaticDevice.objects.create(user=cast.nurse, name="Backup codes")
    response = admin_in.post(_url(cast.nurse.pk))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.nurse).exists()
    assert not StaticDevice.objects.filter(user=cast.nurse).exists()


def test_reset_is_audited_once(cast, admin_in):
    before = AuditEvent.objects.count()
    admin_in.post(_url(cast.nurse.pk))
    assert AuditEvent.objects.count() == before + 1
    row = AuditEvent.objects.latest("id")
    assert (row.action, row.actor, row.object_id) == (
        AuditAction.TWO_FACTOR,
        cast.admin,
        str(cast.nurse.pk),
    )


def test_after_reset_the_member_must_enrol_again(client, cast, admin_in, as_user):
    admin_in.post(_url(cast.nurse.pk))
    nurse = as_user(cast.nurse)
    response = nurse.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:setup"))


def test_other_roles_get_404_and_keep_their_devices(client, cast):
    assert_hidden_from_others(
        client,
        cast,
        "post",
        _url(cast.nurse.pk),
        snapshot=lambda: TOTPDevice.objects.filter(user=cast.nurse).count(),
    )
    assert TOTPDevice.objects.filter(user=cast.nurse).exists()


def test_patients_are_not_staff_members_here(cast, admin_in):
    assert admin_in.post(_url(cast.patient_user.pk)).status_code == 404


def test_unknown_member_is_404(admin_in):
    assert admin_in.post(_url(999999)).status_code == 404


def test_get_is_not_allowed(cast, admin_in):
    assert admin_in.get(_url(cast.nurse.pk)).status_code == 405
