"""Patients' and visitors' pages carry `patient-side` on <main>, which the stylesheet
uses to make every radio and tick choice a 44 px row on a phone; staff pages keep
their denser layout."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.test import Cast, login

pytestmark = pytest.mark.django_db

MARKED = '<main class="container patient-side"'


def test_a_visitor_page_is_marked(client: Client) -> None:
    assert MARKED in client.get(reverse("book:book")).content.decode()


def test_a_patient_page_is_marked(client: Client, cast: Cast) -> None:
    login(client, cast.patient_user)
    assert MARKED in client.get(reverse("patients:portal")).content.decode()


def test_a_staff_page_is_not(client: Client, cast: Cast) -> None:
    login(client, cast.front_desk)
    body = client.get(reverse("scheduling:today")).content.decode()
    assert '<main class="container" id="main">' in body
