"""Escalation to the on-call prescriber by text message as well as e-mail."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from kapclinic.audit.models import AuditEvent
from kapclinic.outcomes import actions
from kapclinic.outcomes.models import OnCallContact, RiskAlert
from kapclinic.outcomes.tests.helpers import PHQ9_ITEM9, assign_phq9
from kapclinic.scheduling import sms

pytestmark = pytest.mark.django_db

ON_CALL_NUMBER = "+13125550199"


def _alert(cast) -> RiskAlert:
    actions.submit(
        actor=cast.patient_user,
        patient=cast.patient,
        instrument="phq9",
        answers=PHQ9_ITEM9,
        assignment=assign_phq9(cast),
    )
    return RiskAlert.objects.get()


def _escalate_later(capture) -> int:
    with (
        time_machine.travel(timezone.now() + dt.timedelta(hours=5), tick=False),
        capture(execute=True),
    ):
        return actions.escalate_overdue()


@pytest.fixture
def on_call(cast):
    cast.site.on_call_prescriber = cast.prescriber
    cast.site.save()
    OnCallContact.objects.create(user=cast.prescriber, sms_number=ON_CALL_NUMBER)
    return cast.prescriber


def test_escalation_texts_the_on_call_prescriber_without_the_patient(
    cast, on_call, django_capture_on_commit_callbacks
):
    alert = _alert(cast)
    mail.outbox.clear()
    assert _escalate_later(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in sms.outbox] == [ON_CALL_NUMBER]
    text = sms.outbox[0].body
    assert f"#{alert.pk}" in text and "https://clinic.test/outcomes/alerts/" in text
    for private in (cast.patient.family_name, cast.patient.given_name, cast.patient.mrn, "PHQ"):
        assert private not in text
    assert [m.to for m in mail.outbox] == [[on_call.email]]


def test_each_escalation_message_is_audited(cast, on_call, django_capture_on_commit_callbacks):
    alert = _alert(cast)
    _escalate_later(django_capture_on_commit_callbacks)
    rows = AuditEvent.objects.filter(
        object_type="outcomes.riskalert", object_id=str(alert.pk), action="create"
    ).exclude(detail__message__isnull=True)
    assert sorted((r.detail["channel"], r.outcome, r.detail["to"]) for r in rows) == [
        ("email", "success", on_call.pk),
        ("sms", "success", on_call.pk),
    ]


def test_a_second_run_texts_nobody(cast, on_call, django_capture_on_commit_callbacks):
    _alert(cast)
    _escalate_later(django_capture_on_commit_callbacks)
    assert _escalate_later(django_capture_on_commit_callbacks) == 0
    assert len(sms.outbox) == 1


def test_without_an_on_call_number_only_email_goes(cast, django_capture_on_commit_callbacks):
    cast.site.on_call_prescriber = cast.prescriber
    cast.site.save()
    _alert(cast)
    mail.outbox.clear()
    _escalate_later(django_capture_on_commit_callbacks)
    assert sms.outbox == [] and len(mail.outbox) == 1


def test_a_failed_text_is_audited_as_failed_and_the_email_still_goes(
    cast, on_call, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "kapclinic.outcomes.tests.test_schedule_sends.BrokenSms"
    alert = _alert(cast)
    mail.outbox.clear()
    assert _escalate_later(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1
    failed = AuditEvent.objects.filter(object_id=str(alert.pk), outcome="failure").first()
    assert failed is not None and failed.detail["channel"] == "sms"
    alert.refresh_from_db()
    assert alert.escalated_at is not None
