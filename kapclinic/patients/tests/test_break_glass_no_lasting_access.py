"""Break-glass never grants lasting access: no care-team changes under a grant, and
every read and write made under one is flagged with the grant's id."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent, BreakGlassGrant
from kapclinic.patients import actions
from kapclinic.patients.models import CareTeamMember, Condition
from kapclinic.patients.tests.helpers import last_event_id, new_events, state

REASON = "Patient collapsed in the waiting room; need allergy list now."


def open_glass(client, mrn="MRN-0001"):
    response = client.post(reverse("patients:break_glass"), {"mrn": mrn, "reason": REASON})
    assert response.status_code == 302
    return BreakGlassGrant.objects.order_by("-pk").first()


def chart(patient):
    return reverse("patients:chart", args=[patient.pk])


def add_member_url(patient):
    return reverse("patients:add_care_team_member", args=[patient.pk])


def test_a_grant_cannot_put_oneself_on_the_care_team(cast, as_user):
    client = as_user(cast.therapist)
    grant = open_glass(client)
    before = state()
    start = last_event_id()
    response = client.post(add_member_url(cast.patient), {"member": cast.therapist.pk})
    assert response.status_code == 302 and response["Location"] == chart(cast.patient)
    assert state() == before
    (row,) = new_events(start)
    assert (row.action, row.outcome, row.flagged) == ("update", "denied", True)
    assert row.patient_id == cast.patient.pk and row.detail["grant_id"] == grant.pk
    page = client.get(response["Location"])
    assert "not change the care team" in page.content.decode()


def test_after_the_grant_expires_the_chart_is_closed_again(cast, as_user):
    client = as_user(cast.therapist)
    open_glass(client)
    client.post(add_member_url(cast.patient), {"member": cast.therapist.pk})
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        client = as_user(cast.therapist)
        assert client.get(chart(cast.patient)).status_code == 404


def test_the_care_team_form_is_refused_under_a_grant(cast, as_user):
    client = as_user(cast.therapist)
    open_glass(client)
    start = last_event_id()
    response = client.get(add_member_url(cast.patient))
    assert response.status_code == 302
    assert [(r.outcome, r.flagged) for r in new_events(start)] == [("denied", True)]


def test_removing_a_member_is_refused_under_a_grant(cast, as_user):
    client = as_user(cast.therapist)
    open_glass(client)
    member = CareTeamMember.objects.get(patient=cast.patient, user=cast.nurse)
    before = state()
    url = reverse("patients:remove_care_team_member", args=[cast.patient.pk, member.pk])
    assert client.post(url).status_code == 302
    assert state() == before
    assert CareTeamMember.objects.filter(pk=member.pk).exists()


def test_the_chart_offers_no_care_team_changes_under_a_grant(cast, as_user):
    client = as_user(cast.therapist)
    open_glass(client)
    body = client.get(chart(cast.patient)).content.decode()
    assert add_member_url(cast.patient) not in body


def test_the_action_refuses_a_grant_holder_in_words(cast, as_user):
    open_glass(as_user(cast.therapist))
    with pytest.raises(PermissionDenied, match="not change the care team"):
        actions.add_care_team_member(
            actor=cast.therapist, patient=cast.patient, member=cast.therapist
        )
    member = CareTeamMember.objects.get(patient=cast.patient, user=cast.nurse)
    with pytest.raises(PermissionDenied, match="not change the care team"):
        actions.remove_care_team_member(actor=cast.therapist, member=member)
    assert CareTeamMember.objects.filter(patient=cast.patient).count() == 2


def test_care_team_members_still_manage_the_team(cast, as_user):
    response = as_user(cast.prescriber).post(
        add_member_url(cast.patient), {"member": cast.therapist.pk}
    )
    assert response.status_code == 302
    assert CareTeamMember.objects.filter(patient=cast.patient, user=cast.therapist).exists()


def test_clinical_writes_under_a_grant_are_flagged_with_the_grant(cast, as_user):
    client = as_user(cast.therapist)
    grant = open_glass(client)
    start = last_event_id()
    url = reverse("patients:add_allergy", args=[cast.patient.pk])
    client.post(url, {"substance": "Latex", "reaction": "Rash", "severity": "mild"})
    (row,) = new_events(start)
    assert (row.action, row.flagged) == ("create", True)
    assert row.detail == {"fields": ["reaction", "severity", "substance"], "grant_id": grant.pk}


def test_demographic_writes_under_a_grant_are_flagged(cast, as_user):
    client = as_user(cast.therapist)
    grant = open_glass(client)
    start = last_event_id()
    actions.update_demographics(actor=cast.therapist, patient=cast.patient, data={"city": "Elm"})
    (row,) = new_events(start)
    assert row.flagged is True and row.detail["grant_id"] == grant.pk


def test_a_nurse_at_the_site_is_flagged_only_for_what_needs_the_grant(cast, as_user):
    client = as_user(cast.nurse)
    grant = open_glass(client, mrn="MRN-0002")
    start = last_event_id()
    actions.update_demographics(actor=cast.nurse, patient=cast.other_patient, data={"city": "Elm"})
    actions.add_condition(
        actor=cast.nurse,
        patient=cast.other_patient,
        data={"category": "psychiatric", "name": "Panic disorder"},
    )
    demographics, condition = new_events(start)
    assert demographics.flagged is False and "grant_id" not in demographics.detail
    assert condition.flagged is True and condition.detail["grant_id"] == grant.pk


def test_writes_in_ones_own_right_are_not_flagged(cast, as_user):
    start = last_event_id()
    actions.add_condition(
        actor=cast.prescriber,
        patient=cast.patient,
        data={"category": "psychiatric", "name": "Panic disorder"},
    )
    (row,) = new_events(start)
    assert row.flagged is False and "grant_id" not in row.detail
    assert Condition.objects.filter(patient=cast.patient).count() == 1


def test_reads_under_a_grant_carry_the_grant_id(cast, as_user):
    client = as_user(cast.therapist)
    grant = open_glass(client)
    start = last_event_id()
    client.get(chart(cast.patient))
    client.get(reverse("patients:add_condition", args=[cast.patient.pk]))
    client.get(reverse("api:patient_detail", args=[cast.patient.pk]))
    rows = new_events(start)
    assert [(r.action, r.flagged, r.detail.get("grant_id")) for r in rows] == [
        ("view", True, grant.pk)
    ] * 3


def test_the_flagged_filter_finds_every_read_and_write_under_a_grant(cast, as_user):
    client = as_user(cast.therapist)
    open_glass(client)
    start = last_event_id()
    client.get(chart(cast.patient))
    client.post(
        reverse("patients:add_condition", args=[cast.patient.pk]),
        {"category": "psychiatric", "name": "Panic disorder", "status": "active"},
    )
    under_grant = {r.pk for r in new_events(start)}
    assert len(under_grant) == 2
    page = as_user(cast.admin).get(reverse("audit:log"), {"flagged": "on"})
    listed = {e.pk for e in page.context["page"].object_list}
    assert under_grant <= listed
    assert AuditEvent.objects.filter(pk__in=under_grant, flagged=False).count() == 0
