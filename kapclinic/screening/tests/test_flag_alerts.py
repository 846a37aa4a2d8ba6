"""Care-team alerts for a safety flag that appears once treatment is under way
(screening/flag_alerts.py): raised in the write's transaction, audited, e-mailed
without PHI; only for the stages that alert; once per flag while open."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from kapclinic.accounts.models import Role
from kapclinic.audit.models import AuditAction, AuditEvent, BreakGlassGrant
from kapclinic.outcomes.tests.history import dosing_appointment
from kapclinic.patients import actions
from kapclinic.patients.models import CareTeamMember, PathwayStage, Patient
from kapclinic.screening.flag_alerts import ALERT_STAGES, acknowledge_flag_alert, open_alerts
from kapclinic.screening.models import SafetyFlagAlert
from kapclinic.test import Cast, make_staff

MAOI = {"name": "Phenelzine", "drug_class": "maoi"}
MAOI_REASON = "Takes an MAO inhibitor: blood pressure may rise further; review."


def at_stage(patient: Patient, stage: str) -> Patient:
    Patient.objects.filter(pk=patient.pk).update(stage=stage)
    patient.stage = stage
    return patient


def add_maoi(cast: Cast, capture: Any, **extra: str) -> None:
    with capture(execute=True):
        actions.add_medication(actor=cast.prescriber, patient=cast.patient, data={**MAOI, **extra})


def test_new_flag_in_dosing_phase_raises_an_audited_alert_and_mails_the_team(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    at_stage(cast.patient, PathwayStage.DOSING)
    marker = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    add_maoi(cast, django_capture_on_commit_callbacks)
    alert = SafetyFlagAlert.objects.get(patient=cast.patient)
    assert (alert.code, alert.level, alert.reason) == ("interaction:maoi", "relative", MAOI_REASON)
    assert alert.medication is not None and alert.medication.name == "Phenelzine"
    assert alert.raised_by == cast.prescriber and alert.is_open
    audit = AuditEvent.objects.filter(id__gt=marker, object_type="screening.safetyflagalert")
    row = audit.get()
    assert row.action == AuditAction.CREATE and row.patient_id == cast.patient.pk
    assert row.detail["rule"] == "interaction:maoi"
    assert row.detail["cause"] == "patients.medication"
    # The nurse on the care team is told; the prescriber who recorded it sees the chart.
    assert [m.to for m in mail.outbox] == [[cast.nurse.email]]
    message = mail.outbox[0]
    assert f"/patients/{cast.patient.pk}/" in message.body
    for phi in ("Pat", "Ient", "MRN-0001", "Phenelzine", "MAO"):
        assert phi not in f"{message.subject}\n{message.body}"


def test_same_flag_again_raises_no_second_alert(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    at_stage(cast.patient, PathwayStage.DOSING)
    add_maoi(cast, django_capture_on_commit_callbacks)
    add_maoi(cast, django_capture_on_commit_callbacks, name="Tranylcypromine")
    assert SafetyFlagAlert.objects.filter(patient=cast.patient).count() == 1
    assert len(mail.outbox) == 1


def test_flag_already_there_before_treatment_raises_nothing(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    # Recorded at screening (seen when the decision was taken), then treatment starts.
    at_stage(cast.patient, PathwayStage.SCREENING)
    add_maoi(cast, django_capture_on_commit_callbacks)
    at_stage(cast.patient, PathwayStage.DOSING)
    add_maoi(cast, django_capture_on_commit_callbacks, name="Tranylcypromine")
    assert not SafetyFlagAlert.objects.exists()


@pytest.mark.parametrize(
    "stage", [s for s in PathwayStage.values if s not in ALERT_STAGES], ids=str
)
def test_no_alert_outside_the_stages_that_alert(
    cast: Cast, django_capture_on_commit_callbacks: Any, stage: str
) -> None:
    at_stage(cast.patient, stage)
    add_maoi(cast, django_capture_on_commit_callbacks)
    assert not SafetyFlagAlert.objects.exists()
    assert mail.outbox == []


def test_stages_that_alert_are_those_after_the_decision_to_treat() -> None:
    assert {
        "eligibility",
        "treatment_plan",
        "consent",
        "preparation",
        "dosing",
        "review",
        "maintenance",
    } == ALERT_STAGES


def test_condition_and_allergy_raise_their_own_alerts(cast: Cast) -> None:
    at_stage(cast.patient, PathwayStage.MAINTENANCE)
    condition = actions.add_condition(
        actor=cast.nurse,
        patient=cast.patient,
        data={"category": "psychiatric", "name": "Schizophrenia", "code": "F20.0"},
    )
    allergy = actions.add_allergy(
        actor=cast.nurse, patient=cast.patient, data={"substance": "Ketamine"}
    )
    alerts = {a.code: a for a in SafetyFlagAlert.objects.all()}
    assert alerts["primary_psychotic_disorder"].condition == condition
    assert alerts["primary_psychotic_disorder"].level == "absolute"
    assert alerts["ketamine_hypersensitivity"].allergy == allergy
    assert len(alerts) == 2


def test_resolved_condition_raises_nothing(cast: Cast) -> None:
    at_stage(cast.patient, PathwayStage.DOSING)
    actions.add_condition(
        actor=cast.prescriber,
        patient=cast.patient,
        data={"category": "medical", "name": "Old AF", "code": "I48", "status": "resolved"},
    )
    assert not SafetyFlagAlert.objects.exists()


def test_removed_then_re_added_alerts_again_once_acknowledged(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    at_stage(cast.patient, PathwayStage.DOSING)
    add_maoi(cast, django_capture_on_commit_callbacks)
    first = SafetyFlagAlert.objects.get()
    today = timezone.localdate()
    assert first.medication is not None
    actions.stop_medication(actor=cast.prescriber, medication=first.medication, stopped_on=today)
    # Stopped while the alert is still open, then restarted: the open alert stands.
    add_maoi(cast, django_capture_on_commit_callbacks)
    assert SafetyFlagAlert.objects.count() == 1
    acknowledge_flag_alert(actor=cast.nurse, alert=first, note="Seen")
    second_med = cast.patient.medications.get(stopped_on=None)
    actions.stop_medication(actor=cast.prescriber, medication=second_med, stopped_on=today)
    # Stopped after the acknowledgement, then restarted: new information, a new alert.
    add_maoi(cast, django_capture_on_commit_callbacks)
    assert SafetyFlagAlert.objects.count() == 2
    assert SafetyFlagAlert.objects.filter(acknowledged_at__isnull=True).count() == 1


def test_a_refused_write_raises_nothing(cast: Cast) -> None:
    at_stage(cast.patient, PathwayStage.DOSING)
    with pytest.raises(PermissionDenied):
        actions.add_medication(actor=cast.therapist, patient=cast.patient, data=MAOI)
    assert not SafetyFlagAlert.objects.exists()


def test_no_mail_when_no_one_else_is_on_the_team(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    CareTeamMember.objects.filter(user=cast.nurse).delete()
    at_stage(cast.patient, PathwayStage.DOSING)
    add_maoi(cast, django_capture_on_commit_callbacks)
    assert SafetyFlagAlert.objects.count() == 1
    assert mail.outbox == []


def test_a_mail_outage_keeps_the_alert(
    cast: Cast, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "kapclinic.screening.tests.test_flag_alerts.BrokenBackend"
    at_stage(cast.patient, PathwayStage.DOSING)
    add_maoi(cast, django_capture_on_commit_callbacks)
    assert SafetyFlagAlert.objects.count() == 1


class BrokenBackend:
    def __init__(self, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionError("mail server down")


# Acknowledging.


def raised(cast: Cast) -> SafetyFlagAlert:
    at_stage(cast.patient, PathwayStage.DOSING)
    actions.add_medication(actor=cast.prescriber, patient=cast.patient, data=MAOI)
    return SafetyFlagAlert.objects.get()


def test_care_team_clinician_acknowledges_once_audited(cast: Cast) -> None:
    alert = raised(cast)
    marker = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    acknowledge_flag_alert(actor=cast.nurse, alert=alert, note="  Told the prescriber.  ")
    alert.refresh_from_db()
    assert alert.acknowledged_by == cast.nurse and alert.acknowledged_at is not None
    assert alert.acknowledgement_note == "Told the prescriber."
    row = AuditEvent.objects.filter(id__gt=marker).get()
    assert row.action == AuditAction.UPDATE and row.object_id == str(alert.pk)
    with pytest.raises(ValueError, match="already acknowledged"):
        acknowledge_flag_alert(actor=cast.prescriber, alert=alert)
    alert.refresh_from_db()
    assert alert.acknowledged_by == cast.nurse


def test_non_care_team_clinician_is_refused(cast: Cast) -> None:
    alert = raised(cast)
    site_prescriber = make_staff("p2@test.example", "Paz Other", Role.PRESCRIBER, cast.site)
    for outsider in (cast.therapist, site_prescriber, cast.front_desk, cast.patient_user):
        with pytest.raises(PermissionDenied):
            acknowledge_flag_alert(actor=outsider, alert=alert)
    alert.refresh_from_db()
    assert alert.is_open


def test_over_long_note_is_refused(cast: Cast) -> None:
    alert = raised(cast)
    with pytest.raises(ValueError, match="1000 characters"):
        acknowledge_flag_alert(actor=cast.nurse, alert=alert, note="x" * 1001)
    alert.refresh_from_db()
    assert alert.is_open


def test_database_allows_one_open_alert_per_flag(cast: Cast) -> None:
    alert = raised(cast)
    with pytest.raises(IntegrityError), transaction.atomic():
        SafetyFlagAlert.objects.create(
            patient=cast.patient,
            code=alert.code,
            level=alert.level,
            reason=alert.reason,
            medication=alert.medication,
        )


def test_next_dose_within_seven_days_is_on_the_alert(cast: Cast) -> None:
    alert = raised(cast)
    soon = timezone.now() + dt.timedelta(days=2)
    dosing_appointment(cast.patient, cast.nurse, soon + dt.timedelta(days=1), status="booked")
    dosing_appointment(cast.patient, cast.nurse, soon, status="booked")
    dosing_appointment(cast.patient, cast.nurse, soon - dt.timedelta(days=1), status="cancelled")
    (found,) = open_alerts(cast.patient)
    assert found.pk == alert.pk
    next_dose = found.next_dose  # type: ignore[attr-defined]
    assert next_dose == soon


def test_no_next_dose_beyond_seven_days(cast: Cast) -> None:
    raised(cast)
    dosing_appointment(
        cast.patient, cast.nurse, timezone.now() + dt.timedelta(days=8), status="booked"
    )
    (found,) = open_alerts(cast.patient)
    assert found.next_dose is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("stage", sorted(ALERT_STAGES))
def test_every_stage_after_the_decision_to_treat_alerts(cast: Cast, stage: str) -> None:
    at_stage(cast.patient, stage)
    actions.add_medication(actor=cast.prescriber, patient=cast.patient, data=MAOI)
    assert SafetyFlagAlert.objects.filter(code="interaction:maoi").count() == 1


def test_alert_raised_under_break_glass_is_flagged_with_the_grant(cast: Cast) -> None:
    at_stage(cast.patient, PathwayStage.DOSING)
    grant = BreakGlassGrant.objects.create(
        user=cast.therapist,
        patient=cast.patient,
        reason="Covering for the care team during an emergency call.",
        expires_at=timezone.now() + dt.timedelta(minutes=60),
    )
    actions.add_medication(actor=cast.therapist, patient=cast.patient, data=MAOI)
    row = AuditEvent.objects.get(object_type="screening.safetyflagalert")
    assert row.flagged and row.detail["grant_id"] == grant.pk
    # The therapist is not on the care team, so cannot acknowledge it either.
    with pytest.raises(PermissionDenied):
        acknowledge_flag_alert(actor=cast.therapist, alert=SafetyFlagAlert.objects.get())
