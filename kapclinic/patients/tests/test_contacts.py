"""The add-contact and edit-contact pages (one view each, both here as they share a form)."""

import pytest
from django.urls import reverse

from kapclinic.patients.models import Contact
from kapclinic.patients.tests.helpers import assert_no_phi, last_event_id, new_events, state

CONTACT = {
    "name": "Eve Emergency",
    "relationship": "sibling",
    "phone": "312-555-0123",
    "is_emergency": "on",
}


def add_url(patient):
    return reverse("patients:add_contact", args=[patient.pk])


def edit_url(contact):
    return reverse("patients:edit_contact", args=[contact.patient_id, contact.pk])


@pytest.fixture
def contact(cast):
    return Contact.objects.create(
        patient=cast.patient, name="Sam Partner", relationship="partner", phone="+13125550101"
    )


def test_front_desk_adds_an_emergency_contact(cast, as_user):
    start = last_event_id()
    response = as_user(cast.front_desk).post(add_url(cast.patient), CONTACT)
    assert response.status_code == 302
    contact = Contact.objects.get(patient=cast.patient)
    assert contact.is_emergency and contact.name == "Eve Emergency"
    (row,) = new_events(start)
    assert row.action == "create" and row.object_id == str(contact.pk)
    assert row.detail == {"fields": ["can_escort", "is_emergency", "name", "phone", "relationship"]}


def test_add_form_is_shown(cast, as_user):
    assert as_user(cast.nurse).get(add_url(cast.patient)).status_code == 200


def test_contact_without_phone_keeps_what_was_typed(cast, as_user):
    before = state()
    response = as_user(cast.front_desk).post(add_url(cast.patient), {**CONTACT, "phone": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == ["This field is required."]
    assert 'value="Eve Emergency"' in response.content.decode()
    assert state(count_reads=False) == before


def test_edit_saves_only_changed_fields(cast, as_user, contact):
    start = last_event_id()
    data = {
        "name": "Sam Partner",
        "relationship": "partner",
        "phone": "312-555-9999",
        "can_escort": "on",
    }
    response = as_user(cast.front_desk).post(edit_url(contact), data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "+13125559999" and contact.can_escort
    (row,) = new_events(start)
    assert row.action == "update" and row.detail == {"fields": ["can_escort", "phone"]}


def test_edit_form_shows_current_values(cast, as_user, contact):
    response = as_user(cast.prescriber).get(edit_url(contact))
    assert 'value="Sam Partner"' in response.content.decode()


def test_edit_with_bad_email_keeps_what_was_typed(cast, as_user, contact):
    before = state()
    data = {
        "name": "Sam Renamed",
        "relationship": "partner",
        "phone": "+13125550101",
        "email": "nope",
    }
    response = as_user(cast.front_desk).post(edit_url(contact), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address" in body and 'value="Sam Renamed"' in body
    assert state(count_reads=False) == before


def test_contact_of_another_patient_is_404(cast, as_user, contact):
    url = reverse("patients:edit_contact", args=[cast.other_patient.pk, contact.pk])
    assert as_user(cast.front_desk).get(url).status_code == 404


def test_unknown_contact_is_404(cast, as_user):
    url = reverse("patients:edit_contact", args=[cast.patient.pk, 999_999])
    assert as_user(cast.front_desk).get(url).status_code == 404


@pytest.mark.parametrize("who", ["therapist", "outsider", "admin", "patient_user"])
def test_others_get_404_and_nothing_changes(cast, as_user, who, contact):
    before = state()
    client = as_user(getattr(cast, who))
    for response in (
        client.post(add_url(cast.patient), CONTACT),
        client.post(edit_url(contact), {**CONTACT, "name": "Hijack"}),
    ):
        assert response.status_code == 404
        assert_no_phi(response, cast.patient)
    assert state() == before


def test_wrong_methods(cast, as_user, contact):
    client = as_user(cast.front_desk)
    assert client.put(add_url(cast.patient)).status_code == 405
    assert client.delete(edit_url(contact)).status_code == 405
