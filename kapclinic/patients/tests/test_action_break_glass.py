"""kapclinic.audit.breakglass.open_break_glass and notify_admins."""

import socket

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from kapclinic.accounts.models import User
from kapclinic.audit import breakglass
from kapclinic.audit.models import BreakGlassGrant
from kapclinic.patients.tests.helpers import state

REASON = "  Unresponsive after dosing; on-call prescriber needs the record.  "


def test_reason_is_kept_stripped_on_the_grant(cast):
    grant = breakglass.open_break_glass(actor=cast.therapist, patient=cast.patient, reason=REASON)
    assert grant.reason == REASON.strip()
    assert breakglass.active_grant(cast.therapist, cast.patient) == grant


def test_short_reason_is_refused(cast):
    before = state()
    with pytest.raises(ValueError):
        breakglass.open_break_glass(
            actor=cast.therapist, patient=cast.patient, reason=" too short " * 1
        )
    assert state() == before


@pytest.mark.parametrize("who", ["front_desk", "patient_user"])
def test_refused_for_roles_without_break_glass(cast, who):
    before = state()
    with pytest.raises(PermissionDenied):
        breakglass.open_break_glass(actor=getattr(cast, who), patient=cast.patient, reason=REASON)
    assert state() == before


def test_inactive_admins_are_not_emailed(cast):
    User.objects.filter(pk=cast.admin.pk).update(is_active=False)
    breakglass.notify_admins(1, "https://clinic.example/audit/?grant=1")
    assert mail.outbox == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_mail_failure_is_logged_not_raised(cast, settings, caplog):
    # A real SMTP backend pointed at a port nobody listens on: the connection fails.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _closed_port()
    settings.EMAIL_TIMEOUT = 2
    breakglass.notify_admins(7, "/audit/grants/7/")
    assert "break-glass #7" in caplog.text


def test_link_is_absolute_when_given_the_site_url(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        grant = breakglass.open_break_glass(
            actor=cast.nurse,
            patient=cast.other_patient,
            reason=REASON,
            site_url="https://clinic.example/",
        )
    assert f"https://clinic.example/audit/grants/{grant.pk}/" in mail.outbox[0].body
    assert BreakGlassGrant.objects.count() == 1
