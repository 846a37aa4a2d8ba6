import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts import actions
from kapclinic.audit.models import AuditAction, AuditEvent


def test_a_clinic_admin_resets_two_factor_and_it_is_audited(cast):
    actions.reset_two_factor(actor=cast.admin, user=cast.nurse)
    assert not TOTPDevice.objects.filter(user=cast.nurse).exists()
    row = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR)
    assert (row.actor, row.object_id) == (cast.admin, str(cast.nurse.pk))


def test_no_one_else_may_reset_two_factor(cast):
    with pytest.raises(PermissionError):
        actions.reset_two_factor(actor=cast.prescriber, user=cast.nurse)
    assert TOTPDevice.objects.filter(user=cast.nurse).exists()
    assert not AuditEvent.objects.exists()
