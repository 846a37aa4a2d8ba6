"""Phone numbers are validated with the phonenumbers library, stored E.164, shown readably."""

import pytest
from django.urls import reverse

from kapclinic.clinics.phones import PhoneField, display, to_e164
from kapclinic.patients.models import Contact
from kapclinic.patients.tests.helpers import state
from kapclinic.test import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(312) 555-0199", "+13125550199"),
        ("312.555.0199", "+13125550199"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_typed_numbers_are_stored_in_e164(typed, stored):
    assert to_e164(typed, "US") == stored


@pytest.mark.parametrize("typed", ["not a phone", "555-2468", "+1 555 0100", "12"])
def test_text_and_incomplete_numbers_are_refused(typed):
    with pytest.raises(ValueError, match="phone number"):
        to_e164(typed, "US")


def test_numbers_show_nationally_at_home_and_internationally_abroad():
    assert display("+13125550199", "US") == "(312) 555-0199"
    assert display("+442079460958", "US") == "+44 20 7946 0958"
    assert display("ring reception", "US") == "ring reception"  # saved before validation


def test_the_clinic_country_reads_numbers_without_a_country_code(cast):
    field = PhoneField()
    assert field.clean("(312) 555-0199") == "+13125550199"
    cast.site.country = "GB"
    cast.site.save()
    cast.other_site.country = "GB"
    cast.other_site.save()
    assert field.clean("020 7946 0958") == "+442079460958"


def test_not_a_phone_is_a_form_error_and_saves_nothing(cast, client):
    login(client, cast.front_desk)
    before = state(count_reads=False)
    url = reverse("patients:add_contact", args=[cast.patient.pk])
    data = {"name": "Sam", "relationship": "friend", "phone": "not a phone"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Enter a phone number" in response.content.decode()
    assert state(count_reads=False) == before
    assert not Contact.objects.filter(name="Sam").exists()


def test_the_chart_shows_the_number_in_the_clinic_format(cast, client):
    login(client, cast.front_desk)
    text = client.get(reverse("patients:chart", args=[cast.patient.pk])).content.decode()
    assert "(312) 555-0100" in text
