"""The public questionnaire link: the questionnaire alone, once, for 72 hours."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent
from kapclinic.outcomes.links import make_token
from kapclinic.outcomes.models import QuestionnaireAssignment, QuestionnaireResponse, RiskAlert
from kapclinic.outcomes.tests.helpers import PHQ9_ITEM9, PHQ9_SAFE, assign_phq9
from kapclinic.test import Cast

pytestmark = pytest.mark.django_db


def url(assignment: QuestionnaireAssignment) -> str:
    return reverse("questionnaire_link:answer", args=[make_token(assignment.pk)])


def answers(values: list[int]) -> dict[str, str]:
    return {f"item_{n}": str(v) for n, v in enumerate(values, start=1)}


def test_the_link_opens_the_questionnaire_alone(cast: Cast, client: Client):
    assignment = assign_phq9(cast)
    response = client.get(url(assignment))
    assert response.status_code == 200
    body = response.content.decode()
    assert "PHQ-9" in body and 'name="item_9"' in body
    for private in (cast.patient.family_name, cast.patient.given_name, cast.patient.mrn):
        assert private not in body
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None and event.action == "view" and event.patient_id == cast.patient.pk
    assert event.detail["via"] == "link"


def test_answering_by_link_stores_the_response_and_the_link_then_only_says_so(
    cast: Cast, client: Client
):
    assignment = assign_phq9(cast)
    link = url(assignment)
    response = client.post(link, answers(PHQ9_SAFE))
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    stored = QuestionnaireResponse.objects.get(assignment=assignment)
    assert stored.entered_by == "patient" and stored.entered_by_user == cast.patient_user
    assert stored.total == 8
    again = client.get(link).content.decode()
    assert "Already answered" in again
    assert "mild" not in again and "item_1" not in again
    # Posting again changes nothing.
    client.post(link, answers(PHQ9_ITEM9))
    assert QuestionnaireResponse.objects.filter(patient=cast.patient).count() == 1


def test_a_critical_answer_shows_crisis_resources_and_raises_an_alert(cast: Cast, client: Client):
    assignment = assign_phq9(cast)
    body = client.post(url(assignment), answers(PHQ9_ITEM9)).content.decode()
    assert "Help is available now" in body and "988" in body
    assert RiskAlert.objects.filter(patient=cast.patient, acknowledged_at__isnull=True).count() == 1


def test_a_half_answered_form_is_kept_for_the_next_visit(cast: Cast, client: Client):
    assignment = assign_phq9(cast)
    link = url(assignment)
    response = client.post(link, {"item_1": "2", "item_2": "1"})
    assert response.status_code == 200 and "Please choose an answer" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.draft == {"1": "2", "2": "1"} and assignment.completed_at is None
    page = client.get(link).content.decode()
    assert re.search(r'name="item_1" value="2"[^>]*checked', page)
    assert not re.search(r'name="item_3" value="\d"[^>]*checked', page)


def test_the_link_stops_working_after_72_hours(cast: Cast, client: Client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assignment = assign_phq9(cast)
        link = url(assignment)
    QuestionnaireAssignment.objects.filter(pk=assignment.pk).update(
        expires_at=start + dt.timedelta(days=30)
    )
    with time_machine.travel(start + dt.timedelta(hours=71), tick=False):
        assert 'name="item_1"' in client.get(link).content.decode()
    with time_machine.travel(start + dt.timedelta(hours=72, seconds=1), tick=False):
        body = client.get(link).content.decode()
        assert "This link has stopped working" in body and "sign in to your portal" in body
        client.post(link, answers(PHQ9_SAFE))
    assert not QuestionnaireResponse.objects.exists()


def test_an_expired_questionnaire_is_closed_even_with_a_fresh_link(cast: Cast, client: Client):
    assignment = assign_phq9(cast)
    QuestionnaireAssignment.objects.filter(pk=assignment.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert "stopped working" in client.get(url(assignment)).content.decode()


@pytest.mark.parametrize("token", ["forged", "MQ:1abcde:not-a-signature", "x" * 300])
def test_a_forged_link_gets_the_friendly_page(cast: Cast, client: Client, token: str):
    response = client.get(reverse("questionnaire_link:answer", args=[token]))
    assert response.status_code == 200 and "stopped working" in response.content.decode()


def test_a_clinician_rated_scale_is_never_opened_by_link(cast: Cast, client: Client):
    now = timezone.now()
    assignment = QuestionnaireAssignment.objects.create(
        patient=cast.patient, instrument="madrs", due_at=now, expires_at=now + dt.timedelta(days=1)
    )
    assert "stopped working" in client.get(url(assignment)).content.decode()
