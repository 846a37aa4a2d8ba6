"""Patients see what a questionnaire is about in plain words, not only its initials
(PHQ-9, C-SSRS), wherever they are asked to answer one."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.outcomes.tests.helpers import assign_phq9
from kapclinic.test import Cast, login

pytestmark = pytest.mark.django_db


def test_the_portal_says_what_each_waiting_questionnaire_is_about(
    cast: Cast, client: Client
) -> None:
    assign_phq9(cast)
    assign_phq9(cast, instrument="cssrs_screen")
    login(client, cast.patient_user)
    body = client.get(reverse("patients:portal")).content.decode()
    assert "Answer the PHQ-9</a>: questions about your mood" in body
    assert "Answer the C-SSRS screener</a>: questions about thoughts of harming yourself" in body


def test_the_questionnaire_page_says_what_it_is_about(cast: Cast, client: Client) -> None:
    assignment = assign_phq9(cast, instrument="gad7")
    login(client, cast.patient_user)
    body = client.get(reverse("outcomes:answer", args=[assignment.pk])).content.decode()
    assert "Short questions about worry and anxiety. Thinking about the" in body


def test_the_portal_names_the_record_number_without_initials(cast: Cast, client: Client) -> None:
    login(client, cast.patient_user)
    body = client.get(reverse("patients:portal")).content.decode()
    assert f"record number {cast.patient.mrn}" in body and "MRN " not in body
