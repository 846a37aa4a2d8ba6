"""Schedule pages: a site's defaults (clinic admin), one patient's (care team)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent, BreakGlassGrant
from kapclinic.outcomes.models import SchedulePause, ScheduleRule
from kapclinic.test import Cast

pytestmark = pytest.mark.django_db


def site_url(cast: Cast) -> str:
    return reverse("outcomes:site_schedule", args=[cast.site.pk])


def patient_url(cast: Cast) -> str:
    return reverse("outcomes:patient_schedule", args=[cast.patient.pk])


def test_a_site_starts_with_the_default_schedule(cast, as_user):
    body = as_user(cast.admin).get(site_url(cast)).content.decode()
    assert ScheduleRule.objects.filter(site=cast.site, is_active=True).count() == 11
    assert "QIDS-SR16" in body and "Before each dosing session" in body


def test_the_admin_switches_a_rule_off_audited(cast, as_user):
    client = as_user(cast.admin)
    client.get(site_url(cast))
    rule = ScheduleRule.objects.get(site=cast.site, trigger="weekly", instrument="gad7")
    response = client.post(site_url(cast), {"action": "off", "rule": rule.pk})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.is_active is False and rule.changed_by == cast.admin
    event = AuditEvent.objects.filter(object_type="outcomes.schedulerule").order_by("-pk").first()
    assert (
        event is not None and event.actor == cast.admin and event.detail["fields"] == ["is_active"]
    )


def test_the_admin_adds_a_rule(cast, as_user):
    client = as_user(cast.admin)
    data = {"action": "add", "trigger": "weekly", "instrument": "pcl5", "weeks_after_course": "12"}
    assert client.post(site_url(cast), data).status_code == 302
    rule = ScheduleRule.objects.get(site=cast.site, instrument="pcl5")
    assert rule.weeks_after_course == 12


def test_a_clinician_rated_scale_cannot_be_scheduled(cast, as_user):
    client = as_user(cast.admin)
    data = {"action": "add", "trigger": "weekly", "instrument": "madrs", "weeks_after_course": "8"}
    response = client.post(site_url(cast), data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not ScheduleRule.objects.filter(instrument="madrs").exists()


@pytest.mark.parametrize("role", ["prescriber", "therapist", "front_desk", "outsider"])
def test_only_admins_change_a_site_schedule(cast, as_user, role):
    client = as_user(getattr(cast, role))
    response = client.post(site_url(cast), {"action": "off", "rule": 1})
    assert response.status_code == 404
    assert not ScheduleRule.objects.filter(is_active=False).exists()


def test_the_care_team_adds_and_removes_for_one_patient(cast, as_user):
    client = as_user(cast.prescriber)
    data = {"action": "add", "trigger": "weekly", "instrument": "pcl5", "weeks_after_course": "8"}
    assert client.post(patient_url(cast), data).status_code == 302
    site_rule = ScheduleRule.objects.get(site=cast.site, trigger="before_dose")
    assert (
        client.post(patient_url(cast), {"action": "off", "rule": site_rule.pk}).status_code == 302
    )
    own = {(r.instrument, r.trigger, r.is_active) for r in cast.patient.schedule_rules.all()}
    assert own == {("pcl5", "weekly", True), ("qids_sr16", "before_dose", False)}
    page = client.get(patient_url(cast)).content.decode()
    assert "Removed for this patient" in page and "PCL-5" in page
    removed = ScheduleRule.objects.get(patient=cast.patient, instrument="qids_sr16")
    client.post(patient_url(cast), {"action": "default", "rule": removed.pk})
    assert not ScheduleRule.objects.filter(pk=removed.pk).exists()


def test_the_care_team_pauses_and_resumes(cast, as_user):
    client = as_user(cast.nurse)
    short = client.post(patient_url(cast), {"action": "pause", "reason": "no"})
    assert short.status_code == 200 and not SchedulePause.objects.exists()
    client.post(patient_url(cast), {"action": "pause", "reason": "In hospital this week"})
    assert SchedulePause.objects.get(patient=cast.patient).paused_by == cast.nurse
    assert "Paused" in client.get(patient_url(cast)).content.decode()
    client.post(patient_url(cast), {"action": "resume"})
    assert not SchedulePause.objects.exists()


def test_a_site_rule_of_another_site_cannot_be_switched_for_the_patient(cast, as_user):
    client = as_user(cast.admin)
    client.get(reverse("outcomes:site_schedule", args=[cast.other_site.pk]))
    foreign = ScheduleRule.objects.filter(site=cast.other_site).first()
    assert foreign is not None
    client = as_user(cast.prescriber)
    response = client.post(patient_url(cast), {"action": "off", "rule": foreign.pk})
    assert response.status_code == 404
    assert not ScheduleRule.objects.filter(patient=cast.patient).exists()


@pytest.mark.parametrize("role", ["therapist", "front_desk", "admin", "outsider"])
def test_outside_the_care_team_a_patient_schedule_is_not_found(cast, as_user, role):
    client = as_user(getattr(cast, role))
    response = client.post(patient_url(cast), {"action": "pause", "reason": "Not my patient"})
    assert response.status_code == 404
    assert not SchedulePause.objects.exists()


def test_break_glass_does_not_open_the_schedule(cast, as_user):
    BreakGlassGrant.objects.create(
        user=cast.therapist,
        patient=cast.patient,
        reason="Covering an emergency call tonight.",
        expires_at=timezone.now() + dt.timedelta(minutes=60),
    )
    client = as_user(cast.therapist)
    assert client.get(patient_url(cast)).status_code == 404


def test_the_patient_schedule_page_query_count(cast, as_user, django_assert_num_queries):
    client = as_user(cast.prescriber)
    client.get(patient_url(cast))
    with django_assert_num_queries(15):
        assert client.get(patient_url(cast)).status_code == 200
