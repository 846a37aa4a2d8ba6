"""Error pages: helpful, in the site's layout, and never revealing a record."""

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.test import login


def test_unknown_page_uses_the_site_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_clinician_404_offers_break_glass_without_naming_the_patient(client, cast):
    login(client, cast.therapist)
    response = client.get(reverse("patients:chart", kwargs={"pk": cast.patient.pk}))
    body = response.content.decode()
    assert response.status_code == 404
    assert reverse("patients:break_glass") in body
    assert cast.patient.family_name not in body and cast.patient.mrn not in body


def test_patient_404_does_not_offer_break_glass(client, cast):
    login(client, cast.patient_user)
    response = client.get(reverse("patients:chart", kwargs={"pk": cast.other_patient.pk}))
    assert response.status_code == 404
    assert reverse("patients:break_glass") not in response.content.decode()


def test_server_error_page_renders_without_a_request_context(db):
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Something went wrong" in page


@pytest.mark.urls("kapclinic.tests.failing_urls")
def test_an_unhandled_error_shows_the_500_page(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
