"""A questionnaire page shows the crisis lines above its questions, before any answer
is sent: some items ask about self-harm, and on a phone the footer's line is several
screens below them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.outcomes.links import make_token
from kapclinic.outcomes.tests.helpers import assign_phq9
from kapclinic.test import Cast, login

pytestmark = pytest.mark.django_db


def _before_first_question(body: str) -> str:
    return body[: body.index("<legend")]


def test_the_portal_questionnaire_shows_the_crisis_line_above_the_questions(
    cast: Cast, client: Client
) -> None:
    assignment = assign_phq9(cast, instrument="cssrs_screen")
    login(client, cast.patient_user)
    body = client.get(reverse("outcomes:answer", args=[assignment.pk])).content.decode()
    top = _before_first_question(body)
    assert 'href="tel:988"' in top
    assert "do not wait for an appointment" in top


def test_the_emailed_questionnaire_link_shows_the_crisis_line_above_the_questions(
    cast: Cast, client: Client
) -> None:
    assignment = assign_phq9(cast)
    link = reverse("questionnaire_link:answer", args=[make_token(assignment.pk)])
    top = _before_first_question(client.get(link).content.decode())
    assert 'href="tel:988"' in top


def test_the_page_shows_no_template_comment(cast: Cast, client: Client) -> None:
    assignment = assign_phq9(cast)
    login(client, cast.patient_user)
    body = client.get(reverse("outcomes:answer", args=[assignment.pk])).content.decode()
    assert "{#" not in body and "{%" not in body
