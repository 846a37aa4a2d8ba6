"""Scheduled questionnaires for patients who never opened a portal account: the link
goes to the e-mail address and phone number on the record, the answer is stored in
the patient's name with no user, and a patient nobody can reach is shown as such."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.outcomes import schedule_plan
from kapclinic.outcomes.links import make_token
from kapclinic.outcomes.models import QuestionnaireAssignment, QuestionnaireResponse, RiskAlert
from kapclinic.outcomes.sweep import send_due_questionnaires
from kapclinic.outcomes.tests.helpers import PHQ9_ITEM9, assign_phq9, make_dose
from kapclinic.patients.models import PathwayStage
from kapclinic.scheduling import sms
from kapclinic.test import Cast, login

pytestmark = pytest.mark.django_db

FIRST_DOSE = dt.datetime(2030, 3, 11, 15, 0, tzinfo=dt.UTC)
BASELINE_OPEN = FIRST_DOSE - dt.timedelta(days=6)


@pytest.fixture
def no_account(cast: Cast) -> Cast:
    """The cast's patient, in the dosing phase, with no portal account."""
    cast.patient.user = None
    cast.patient.stage = PathwayStage.DOSING
    cast.patient.save(update_fields=["user", "stage"])
    make_dose(cast, FIRST_DOSE)
    return cast


def sweep() -> dict[str, int]:
    with time_machine.travel(BASELINE_OPEN, tick=False):
        return send_due_questionnaires()


def link_in(body: str) -> str:
    found = re.search(r"https://clinic\.test(/q/[^\s)]+/)", body)
    assert found is not None, body
    return found.group(1)


def test_a_patient_without_an_account_is_sent_each_link_by_email_and_text(no_account):
    counts = sweep()
    assert counts["created"] == 3 and counts["sent"] == 3
    assert [m.to for m in mail.outbox] == [[no_account.patient.email]] * 3
    assert [m.to for m in sms.outbox] == [no_account.patient.phone] * 3
    # No account to sign in to: the e-mail says to call the clinic instead.
    body = str(mail.outbox[0].body)
    assert "portal" not in body and "call the clinic" in body
    sent = AuditEvent.objects.filter(
        object_type="outcomes.questionnaireassignment", action="update"
    ).first()
    assert sent is not None and sent.detail["channels"] == ["email", "sms"]


def test_answered_by_link_stored_scored_in_the_patients_name_and_item_9_alerts(
    no_account, client: Client
):
    sweep()
    phq9 = QuestionnaireAssignment.objects.get(patient=no_account.patient, instrument="phq9")
    links = [link_in(str(m.body)) for m in mail.outbox]
    assert len(set(links)) == 3
    with time_machine.travel(BASELINE_OPEN + dt.timedelta(hours=2), tick=False):
        for link in links:
            page = client.get(link).content.decode()
            if 'name="item_9"' in page:
                break
        answers = {f"item_{n}": str(v) for n, v in enumerate(PHQ9_ITEM9, start=1)}
        body = client.post(link, answers).content.decode()
    assert "Help is available now" in body and "988" in body
    stored = QuestionnaireResponse.objects.get(assignment=phq9)
    assert (stored.patient, stored.entered_by, stored.entered_by_user) == (
        no_account.patient,
        "patient",
        None,
    )
    assert stored.total == 9 and stored.severity == "mild"
    alert = RiskAlert.objects.get(patient=no_account.patient)
    assert alert.response == stored and alert.acknowledged_at is None
    created = AuditEvent.objects.get(object_type="outcomes.questionnaireresponse")
    assert created.actor_id is None and created.patient_id == no_account.patient.pk
    assert created.detail["via"] == "link"


def test_a_half_answered_link_keeps_its_draft_without_an_account(no_account, client: Client):
    assignment = assign_phq9(no_account)
    link = reverse("questionnaire_link:answer", args=[make_token(assignment.pk)])
    client.post(link, {"item_1": "2"})
    assignment.refresh_from_db()
    assert assignment.draft == {"1": "2"} and assignment.completed_at is None


def test_no_contact_at_all_nothing_is_planned_or_sent(no_account):
    no_account.patient.email = ""
    no_account.patient.phone = ""
    no_account.patient.save(update_fields=["email", "phone"])
    assert no_account.patient not in schedule_plan.candidates()
    assert sweep() == {"created": 0, "sent": 0, "reminded": 0, "prompted": 0}
    assert not mail.outbox and not sms.outbox


def test_the_schedule_page_says_when_there_is_no_way_to_reach_the_patient(
    no_account, client: Client
):
    url = reverse("outcomes:patient_schedule", args=[no_account.patient.pk])
    login(client, no_account.prescriber)
    body = client.get(url).content.decode()
    assert "No way to reach the patient" not in body
    assert "has no active portal account: each questionnaire goes as a link" in body
    no_account.patient.email = ""
    no_account.patient.phone = ""
    no_account.patient.save(update_fields=["email", "phone"])
    assert "No way to reach the patient" in client.get(url).content.decode()


def test_an_e_mail_address_alone_is_enough(no_account):
    no_account.patient.phone = ""
    no_account.patient.save(update_fields=["phone"])
    assert sweep()["sent"] == 3
    assert len(mail.outbox) == 3 and not sms.outbox


def test_a_staff_entry_must_name_its_user(cast: Cast):
    with pytest.raises(IntegrityError):
        QuestionnaireResponse.objects.create(
            patient=cast.patient,
            instrument="gad7",
            answers=[0] * 7,
            total=0,
            entered_by="staff",
            entered_by_user=None,
        )


def test_a_closed_portal_account_answers_by_link_in_the_patients_name_only(
    cast: Cast, client: Client
):
    # The account was closed (say, a lost phone): the link still reaches the patient,
    # and nobody acts through the closed account.
    cast.patient_user.is_active = False
    cast.patient_user.save(update_fields=["is_active"])
    assignment = assign_phq9(cast)
    link = reverse("questionnaire_link:answer", args=[make_token(assignment.pk)])
    client.post(link, {f"item_{n}": "0" for n in range(1, 10)})
    stored = QuestionnaireResponse.objects.get(assignment=assignment)
    assert (stored.patient, stored.entered_by_user, stored.total) == (cast.patient, None, 0)
