import pytest
from django.core.exceptions import ValidationError

from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.clinics.actions import update_site_settings
from kapclinic.clinics.models import SiteSettings

pytestmark = pytest.mark.django_db


def test_records_old_and_new_values(cast):
    changes = update_site_settings(
        cast.site, actor=cast.admin, data={"spo2_warn_below": 95, "heart_rate_warn_above": 110}
    )
    assert changes == {"spo2_warn_below": [94, 95], "heart_rate_warn_above": [120, 110]}
    row = AuditEvent.objects.get()
    assert row.action == AuditAction.SETTINGS
    assert row.detail == {"changes": changes}


def test_inconsistent_thresholds_are_refused_by_model_clean(cast):
    with pytest.raises(ValidationError) as error:
        update_site_settings(cast.site, actor=cast.admin, data={"moaas_urgent_at_or_below": 3})
    assert "moaas_urgent_at_or_below" in error.value.message_dict
    assert SiteSettings.objects.get(site=cast.site).moaas_urgent_at_or_below == 1
    assert not AuditEvent.objects.exists()


def test_fields_other_than_thresholds_are_ignored(cast):
    assert update_site_settings(cast.site, actor=cast.admin, data={"site": cast.other_site}) == {}
    assert SiteSettings.objects.get(site=cast.site).site == cast.site


def test_no_change_no_audit_row(cast):
    assert update_site_settings(cast.site, actor=cast.admin, data={"spo2_warn_below": 94}) == {}
    assert not AuditEvent.objects.exists()
