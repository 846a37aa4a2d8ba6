"""Storing vital signs: all or nothing, alerts with the readings, audited, state-gated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kapclinic.audit.models import AuditEvent
from kapclinic.clinics.models import SiteSettings
from kapclinic.dosing.models import SessionAlert, SessionState, VitalReading
from kapclinic.dosing.readings import ReadingRefused, record_readings
from kapclinic.dosing.tests.factories import make_session

pytestmark = pytest.mark.django_db

NORMAL = {"systolic": 122, "diastolic": 78, "heart_rate": 72, "spo2": 98, "resp_rate": 14}


def test_baseline_then_rise_from_baseline_raises_a_warning(cast):
    session = make_session(cast)
    record_readings(session=session, readings=[NORMAL], actor=cast.nurse, is_baseline=True)
    session.state = SessionState.OBSERVATION
    session.save()
    result = record_readings(
        session=session, readings=[{**NORMAL, "systolic": 162}], actor=cast.nurse
    )
    assert [(a.level, a.rule) for a in result.alerts] == [("warn", "bp_rise")]
    assert not result.urgent
    assert SessionAlert.objects.filter(session=session, rule="bp_rise").count() == 1


def test_pre_dose_rules_apply_before_the_first_dose(cast):
    session = make_session(cast)
    result = record_readings(
        session=session, readings=[{**NORMAL, "systolic": 150}], actor=cast.nurse
    )
    assert [(a.level, a.rule) for a in result.alerts] == [("warn", "bp")]
    session.state = SessionState.OBSERVATION
    session.save()
    result = record_readings(
        session=session, readings=[{**NORMAL, "systolic": 150}], actor=cast.nurse
    )
    assert result.alerts == []


def test_site_thresholds_are_used(cast):
    session = make_session(cast, state=SessionState.OBSERVATION)
    SiteSettings.objects.filter(site=cast.site).update(spo2_warn_below=97)
    result = record_readings(session=session, readings=[{**NORMAL, "spo2": 96}], actor=cast.nurse)
    assert [a.rule for a in result.alerts] == ["spo2"]


def test_one_impossible_value_refuses_the_whole_batch_naming_it(cast):
    session = make_session(cast, state=SessionState.OBSERVATION)
    before = AuditEvent.objects.count()
    with pytest.raises(ReadingRefused) as refused:
        record_readings(
            session=session,
            readings=[NORMAL, {**NORMAL, "spo2": 130}],
            source=VitalReading.Source.DEVICE,
            actor=None,
        )
    assert refused.value.field == "readings[1].spo2"
    assert VitalReading.objects.count() == 0
    assert SessionAlert.objects.count() == 0
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("reading", "field"),
    [
        ({}, "reading"),
        ({"taken_at": None}, "reading"),
        ({**NORMAL, "sp02": 98}, "reading.sp02"),
        ({**NORMAL, "taken_at": "10:00"}, "reading.taken_at"),
        ({**NORMAL, "taken_at": dt.datetime(2030, 1, 1, 10, 0)}, "reading.taken_at"),
    ],
)
def test_unusable_readings_are_refused(cast, reading, field):
    session = make_session(cast, state=SessionState.OBSERVATION)
    with pytest.raises(ReadingRefused) as refused:
        record_readings(session=session, readings=[reading], actor=cast.nurse)
    assert refused.value.field == field
    assert not VitalReading.objects.exists()


def test_a_reading_from_the_future_is_refused(cast):
    session = make_session(cast, state=SessionState.OBSERVATION)
    later = timezone.now() + dt.timedelta(minutes=10)
    with pytest.raises(ReadingRefused, match="future"):
        record_readings(session=session, readings=[{**NORMAL, "taken_at": later}], actor=cast.nurse)


@pytest.mark.parametrize("state", [SessionState.SCHEDULED, SessionState.DISCHARGED, "aborted"])
def test_no_readings_outside_the_session(cast, state):
    session = make_session(cast, state=state)
    with pytest.raises(ReadingRefused, match="only between"):
        record_readings(session=session, readings=[NORMAL], actor=cast.nurse)
    assert not VitalReading.objects.exists()


def test_only_the_care_team_or_a_device_records(cast):
    session = make_session(cast, state=SessionState.OBSERVATION)
    for user in (cast.outsider, cast.front_desk, cast.patient_user):
        with pytest.raises(PermissionDenied):
            record_readings(session=session, readings=[NORMAL], actor=user)
    with pytest.raises(PermissionDenied):
        record_readings(session=session, readings=[NORMAL], actor=None)
    assert not VitalReading.objects.exists()


def test_a_device_batch_is_stored_with_one_audit_row(cast):
    session = make_session(cast, state=SessionState.DOSING)
    marker = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    result = record_readings(
        session=session,
        readings=[NORMAL, {**NORMAL, "spo2": 88}, {**NORMAL, "symptoms": ["chest_pain"]}],
        source=VitalReading.Source.DEVICE,
        actor=None,
        device_label="Chair 1 monitor",
    )
    assert len(result.readings) == 3 and result.urgent
    assert sorted(a.rule for a in result.alerts) == ["spo2", "symptom"]
    rows = list(AuditEvent.objects.filter(id__gt=marker))
    assert len(rows) == 1
    assert rows[0].detail["readings"] == 3 and rows[0].detail["device"] == "Chair 1 monitor"
    assert rows[0].patient_id == cast.patient.pk


def test_readings_are_never_changed_once_stored(cast):
    session = make_session(cast, state=SessionState.OBSERVATION)
    reading = record_readings(session=session, readings=[NORMAL], actor=cast.nurse).readings[0]
    stored = VitalReading.objects.get(pk=reading.pk)
    stored.systolic = 100
    with pytest.raises(ValueError, match="never changed"):
        stored.save()
