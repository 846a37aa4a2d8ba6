"""The patient's own contact-details and emergency-contact pages."""

import pytest
from django.urls import reverse

from kapclinic.patients.models import Contact
from kapclinic.patients.tests.helpers import last_event_id, new_events, state

DETAILS = reverse("patients:portal_details")
EMERGENCY = reverse("patients:portal_emergency_contact")


def details(**changes):
    data = {"phone": "+13125550100", "email": "pat@test.example", "address_line1": "", "city": ""}
    data.update(changes)
    return data


def test_patient_updates_their_phone(cast, as_user):
    start = last_event_id()
    response = as_user(cast.patient_user).post(
        DETAILS, details(phone="312-555-2468", city="Springfield")
    )
    assert response.status_code == 302 and response["Location"] == reverse("patients:portal")
    cast.patient.refresh_from_db()
    assert cast.patient.phone == "+13125552468" and cast.patient.city == "Springfield"
    (row,) = new_events(start)
    assert row.action == "update" and row.actor == cast.patient_user
    assert row.detail == {"fields": ["city", "phone"]}


def test_details_form_shows_current_values(cast, as_user):
    assert 'value="pat@test.example"' in as_user(cast.patient_user).get(DETAILS).content.decode()


def test_bad_email_keeps_what_was_typed(cast, as_user):
    before = state()
    response = as_user(cast.patient_user).post(
        DETAILS, details(email="pat-at-home", city="Typedtown")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address" in body and 'value="Typedtown"' in body
    assert state(count_reads=False) == before


def test_patient_cannot_change_their_name_through_the_form(cast, as_user):
    as_user(cast.patient_user).post(DETAILS, details(family_name="Changed", mrn="X"))
    cast.patient.refresh_from_db()
    assert cast.patient.family_name == "Ient" and cast.patient.mrn == "MRN-0001"


def test_patient_adds_an_emergency_contact(cast, as_user):
    start = last_event_id()
    data = {"name": "Eve Sister", "relationship": "sibling", "phone": "312-555-1357"}
    assert as_user(cast.patient_user).post(EMERGENCY, data).status_code == 302
    contact = Contact.objects.get(patient=cast.patient)
    assert contact.is_emergency and contact.name == "Eve Sister"
    (row,) = new_events(start)
    assert row.action == "create"


def test_patient_updates_the_existing_emergency_contact(cast, as_user):
    contact = Contact.objects.create(
        patient=cast.patient,
        name="Eve Sister",
        relationship="sibling",
        phone="+13125551357",
        is_emergency=True,
    )
    client = as_user(cast.patient_user)
    assert 'value="Eve Sister"' in client.get(EMERGENCY).content.decode()
    start = last_event_id()
    client.post(
        EMERGENCY, {"name": "Eve Sister", "relationship": "sibling", "phone": "312-555-0000"}
    )
    contact.refresh_from_db()
    assert contact.phone == "+13125550000"
    assert Contact.objects.filter(patient=cast.patient).count() == 1
    (row,) = new_events(start)
    assert row.action == "update" and row.detail == {"fields": ["phone"]}


def test_a_different_emergency_contact_is_a_new_record_not_an_overwrite(cast, as_user):
    # The partner can escort the patient home; naming the sibling as emergency contact
    # must not turn the partner's record into the sibling's (with the escort flag).
    partner = Contact.objects.create(
        patient=cast.patient,
        name="Alex Partner",
        relationship="partner",
        phone="+13125550123",
        is_emergency=True,
        can_escort=True,
    )
    start = last_event_id()
    data = {"name": "Eve Sister", "relationship": "sibling", "phone": "+1 312 555 0145"}
    assert as_user(cast.patient_user).post(EMERGENCY, data).status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.relationship, partner.phone) == (
        "Alex Partner",
        "partner",
        "+13125550123",
    )
    assert partner.can_escort and not partner.is_emergency
    sibling = Contact.objects.get(patient=cast.patient, name="Eve Sister")
    assert sibling.is_emergency and not sibling.can_escort
    assert sibling.relationship == "sibling"
    events = {(e.action, e.object_id, tuple(e.detail["fields"])) for e in new_events(start)}
    assert events == {
        ("update", str(partner.pk), ("is_emergency",)),
        ("create", str(sibling.pk), ("is_emergency", "name", "phone", "relationship")),
    }


def test_emergency_contact_needs_a_phone(cast, as_user):
    before = state()
    response = as_user(cast.patient_user).post(
        EMERGENCY, {"name": "Eve Sister", "relationship": "sibling"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert 'value="Eve Sister"' in response.content.decode()
    assert state(count_reads=False) == before


@pytest.mark.parametrize("url", [DETAILS, EMERGENCY])
@pytest.mark.parametrize("who", ["front_desk", "prescriber", "admin"])
def test_staff_get_404_and_nothing_changes(cast, as_user, url, who):
    before = state()
    response = as_user(getattr(cast, who)).post(
        url, {"phone": "312-555-0000", "name": "X", "relationship": "other"}
    )
    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("url", [DETAILS, EMERGENCY])
def test_put_is_not_allowed(cast, as_user, url):
    assert as_user(cast.patient_user).put(url).status_code == 405
