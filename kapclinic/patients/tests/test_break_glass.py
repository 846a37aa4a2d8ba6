import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent, BreakGlassGrant
from kapclinic.patients.tests.helpers import (
    CONDITION_NAME,
    add_clinical_record,
    assert_no_phi,
    last_event_id,
    new_events,
    state,
)

URL = reverse("patients:break_glass")
REASON = "Patient collapsed in the waiting room; need allergy list now."


def chart(patient):
    return reverse("patients:chart", args=[patient.pk])


def open_glass(client, mrn="MRN-0001", reason=REASON):
    return client.post(URL, {"mrn": mrn, "reason": reason})


def test_form_is_shown_to_clinicians(cast, as_user):
    response = as_user(cast.therapist).get(URL)
    assert response.status_code == 200
    assert "at least 20 characters" in response.content.decode()


def test_grant_opens_the_chart_for_a_therapist_off_the_care_team(
    cast, as_user, django_capture_on_commit_callbacks
):
    add_clinical_record(cast.patient)
    client = as_user(cast.therapist)
    assert client.get(chart(cast.patient)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = open_glass(client)
    assert response.status_code == 302
    assert response["Location"] == chart(cast.patient)
    page = client.get(chart(cast.patient))
    assert page.status_code == 200
    body = page.content.decode()
    assert CONDITION_NAME in body
    assert "Break-glass access" in body and "Access ends at" in body


def test_grant_is_audited_flagged_without_the_reason(cast, as_user):
    start = last_event_id()
    open_glass(as_user(cast.therapist))
    rows = new_events(start)
    assert [(r.action, r.flagged) for r in rows] == [("break_glass", True)]
    grant = BreakGlassGrant.objects.get()
    assert rows[0].patient_id == cast.patient.pk
    assert rows[0].object_id == str(grant.pk)
    assert grant.reason == REASON
    assert "waiting room" not in str(rows[0].detail)


def test_chart_views_under_a_grant_are_flagged(cast, as_user):
    client = as_user(cast.therapist)
    open_glass(client)
    start = last_event_id()
    client.get(chart(cast.patient))
    (row,) = new_events(start)
    assert row.action == "view" and row.flagged is True


def test_clinic_admins_are_emailed_without_the_patient_name(
    cast, as_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        open_glass(as_user(cast.therapist))
    grant = BreakGlassGrant.objects.get()
    assert [m.to for m in mail.outbox] == [[cast.admin.email]]
    message = mail.outbox[0]
    assert f"#{grant.pk}" in message.subject
    assert f"/audit/grants/{grant.pk}/" in message.body
    for phi in ("Ient", "MRN-0001", "waiting room"):
        assert phi not in f"{message.subject} {message.body}"


def test_no_email_before_commit(cast, as_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        open_glass(as_user(cast.therapist))
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_access_ends_after_the_grant_expires(cast, as_user):
    client = as_user(cast.therapist)
    open_glass(client)
    assert client.get(chart(cast.patient)).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        client = as_user(cast.therapist)  # a fresh sign-in: the old session has idled out
        response = client.get(chart(cast.patient))
    assert response.status_code == 404
    assert_no_phi(response, cast.patient)


def test_grant_lasts_the_configured_duration(cast, as_user, settings):
    open_glass(as_user(cast.therapist))
    grant = BreakGlassGrant.objects.get()
    assert grant.expires_at - grant.granted_at == settings.BREAK_GLASS_DURATION


def test_nurse_at_the_site_gets_the_clinical_record_flagged(cast, as_user):
    add_clinical_record(cast.other_patient)
    client = as_user(cast.nurse)
    assert CONDITION_NAME not in client.get(chart(cast.other_patient)).content.decode()
    open_glass(client, mrn="MRN-0002")
    start = last_event_id()
    body = client.get(chart(cast.other_patient)).content.decode()
    assert CONDITION_NAME in body and "Break-glass access" in body
    assert new_events(start)[0].flagged is True


def test_clinic_admin_may_break_glass(cast, as_user):
    client = as_user(cast.admin)
    assert open_glass(client).status_code == 302
    assert client.get(chart(cast.patient)).status_code == 200


def test_unknown_mrn_is_a_form_error(cast, as_user):
    before = state()
    response = open_glass(as_user(cast.therapist), mrn="MRN-9999")
    assert response.status_code == 200
    body = response.content.decode()
    assert "No patient has this medical record number" in body
    assert 'value="MRN-9999"' in body and REASON in body
    assert state() == before


def test_short_reason_is_a_form_error(cast, as_user):
    before = state(count_reads=False)
    start = last_event_id()
    response = open_glass(as_user(cast.therapist), reason="need it")
    assert response.status_code == 200
    assert "at least 20 characters" in response.content.decode()
    assert "need it" in response.content.decode()
    # The page still told the user the MRN exists: that lookup is the only row.
    assert [(r.action, r.patient_id) for r in new_events(start)] == [("list", cast.patient.pk)]
    assert {k: v for k, v in state().items() if k != "audit_success"} == {
        k: v for k, v in before.items() if k != "audit_success"
    }


@pytest.mark.parametrize("who", ["front_desk", "patient_user"])
def test_others_get_404_and_no_grant(cast, as_user, who):
    before = state()
    client = as_user(getattr(cast, who))
    assert client.get(URL).status_code == 404
    response = open_glass(client)
    assert response.status_code == 404
    assert_no_phi(response, cast.patient)
    assert state() == before
    assert not AuditEvent.objects.filter(action="break_glass").exists()


def test_put_is_not_allowed(cast, as_user):
    before = state()
    assert as_user(cast.therapist).put(URL).status_code == 405
    assert state() == before
