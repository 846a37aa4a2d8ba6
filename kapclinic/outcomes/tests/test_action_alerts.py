"""Acknowledging and escalating risk alerts, with time travel to pass the window."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from kapclinic.accounts.models import Role
from kapclinic.audit.models import AuditEvent
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes import actions
from kapclinic.outcomes.models import OnCallShift, RiskAlert
from kapclinic.outcomes.tasks import escalate_risk_alerts
from kapclinic.outcomes.tests.helpers import PHQ9_ITEM9, assign_phq9
from kapclinic.test import make_staff


def _alert(cast) -> RiskAlert:
    actions.submit(
        actor=cast.patient_user,
        patient=cast.patient,
        instrument="phq9",
        answers=PHQ9_ITEM9,
        assignment=assign_phq9(cast),
    )
    return RiskAlert.objects.get()


def test_acknowledgement_records_the_clinician_by_name_with_a_note(cast):
    alert = _alert(cast)
    done = actions.acknowledge(actor=cast.nurse, alert=alert, note="Called the patient; safe.")
    assert done.acknowledged_by == cast.nurse
    assert done.acknowledged_at is not None
    assert done.acknowledgement_note == "Called the patient; safe."
    assert AuditEvent.objects.filter(object_id=str(alert.pk), action="update").count() == 1


def test_acknowledgement_needs_a_note_and_happens_once(cast):
    alert = _alert(cast)
    with pytest.raises(FieldValueError):
        actions.acknowledge(actor=cast.nurse, alert=alert, note="  ")
    actions.acknowledge(actor=cast.nurse, alert=alert, note="Called, safe.")
    with pytest.raises(FieldValueError):
        actions.acknowledge(actor=cast.prescriber, alert=alert, note="Me too, called.")
    assert RiskAlert.objects.get().acknowledged_by == cast.nurse


@pytest.mark.parametrize("who", ["therapist", "front_desk", "outsider", "patient_user"])
def test_others_cannot_acknowledge(cast, who):
    alert = _alert(cast)
    with pytest.raises(PermissionDenied):
        actions.acknowledge(actor=getattr(cast, who), alert=alert, note="Called the patient.")
    assert RiskAlert.objects.get().acknowledged_at is None


def test_unacknowledged_alert_escalates_to_on_call_after_the_window(
    cast, django_capture_on_commit_callbacks
):
    on_call = make_staff("oncall@test.example", "Oona Oncall", Role.PRESCRIBER, cast.site)
    cast.site.on_call_prescriber = cast.prescriber
    cast.site.save()
    now = timezone.now()
    OnCallShift.objects.create(
        site=cast.site, prescriber=on_call, start=now, end=now + dt.timedelta(days=1)
    )
    alert = _alert(cast)
    mail.outbox.clear()
    with time_machine.travel(now + dt.timedelta(hours=3, minutes=59), tick=False):
        assert actions.escalate_overdue() == 0
    later = now + dt.timedelta(hours=4, minutes=1)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert actions.escalate_overdue() == 1
    alert.refresh_from_db()
    assert alert.escalated_to == on_call
    assert [m.to for m in mail.outbox] == [[on_call.email]]
    assert cast.patient.family_name not in f"{mail.outbox[0].subject} {mail.outbox[0].body}"


def test_escalation_falls_back_to_the_site_on_call_prescriber_and_is_idempotent(cast):
    cast.site.on_call_prescriber = cast.prescriber
    cast.site.save()
    alert = _alert(cast)
    later = timezone.now() + dt.timedelta(hours=5)
    with time_machine.travel(later, tick=False):
        out = StringIO()
        call_command("escalate_risk_alerts", stdout=out)
        assert "Escalated 1" in out.getvalue()
        call_command("escalate_risk_alerts", stdout=out)
        assert "Escalated 0" in out.getvalue()
        assert escalate_risk_alerts.call() == 0
    alert.refresh_from_db()
    assert alert.escalated_to == cast.prescriber
    updates = AuditEvent.objects.filter(object_id=str(alert.pk), action="update")
    assert updates.count() == 1


def test_site_window_setting_is_used(cast):
    cast.site.settings.risk_alert_ack_hours = 1
    cast.site.settings.save()
    alert = _alert(cast)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61), tick=False):
        assert actions.escalate_overdue() == 1
    alert.refresh_from_db()
    assert alert.escalated_at is not None


def test_acknowledged_alert_never_escalates(cast):
    alert = _alert(cast)
    actions.acknowledge(actor=cast.prescriber, alert=alert, note="Seen the patient.")
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        assert actions.escalate_overdue() == 0
