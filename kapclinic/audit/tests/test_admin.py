from django.contrib import admin

from kapclinic.audit.models import AuditEvent


def test_audit_events_are_not_in_django_admin():
    # The audit browser is the one (audited) way to read them.
    assert not admin.site.is_registered(AuditEvent)
