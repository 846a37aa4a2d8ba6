"""The clinic's own name in the header, page titles, e-mails and authenticator apps."""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.clinics.branding import clinic_name
from kapclinic.test import login

pytestmark = pytest.mark.django_db


def test_header_and_title_carry_the_organisation_name(cast, client):
    cast.org.name = "Harbour Wellness"
    cast.org.save()
    login(client, cast.prescriber)
    html = client.get(reverse("patients:list")).content.decode()
    assert "<strong>Harbour Wellness</strong>" in html
    assert "<title>Patients · Harbour Wellness</title>" in html
    assert "kapclinic</strong>" not in html


def test_without_an_organisation_the_site_name_setting_stands_in(db, settings, client):
    settings.SITE_NAME = "Fresh Install"
    assert clinic_name() == "Fresh Install"
    assert "<strong>Fresh Install</strong>" in client.get(reverse("home")).content.decode()


def test_authenticator_apps_list_the_code_under_the_clinic_name(cast):
    device = TOTPDevice.objects.get(user=cast.nurse)
    assert "issuer=Test%20Clinic" in device.config_url
    assert "otpauth://totp/Test%20Clinic%3Anurse" in device.config_url


def test_password_reset_email_names_the_clinic(cast, client):
    client.post(reverse("accounts:password_reset"), {"email": cast.nurse.email})
    assert len(mail.outbox) == 1
    assert "Test Clinic" in mail.outbox[0].subject
    assert "your Test Clinic account" in mail.outbox[0].body


def test_every_page_links_the_favicon_and_the_icon_is_served(client):
    html = client.get(reverse("home")).content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/img/favicon.svg"
