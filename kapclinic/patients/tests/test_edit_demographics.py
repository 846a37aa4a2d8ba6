import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from kapclinic.patients.actions import DEMOGRAPHIC_FIELDS
from kapclinic.patients.tests.helpers import assert_no_phi, last_event_id, new_events, state


def url(patient):
    return reverse("patients:edit_demographics", args=[patient.pk])


def current(patient, **changes):
    data = {
        k: ("" if v is None else v) for k, v in model_to_dict(patient, DEMOGRAPHIC_FIELDS).items()
    }
    data["birth_date"] = patient.birth_date.isoformat()
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["front_desk", "nurse", "prescriber"])
def test_staff_who_see_the_patient_can_edit(cast, as_user, who):
    start = last_event_id()
    response = as_user(getattr(cast, who)).post(
        url(cast.patient), current(cast.patient, phone="312-555-7777", pronouns="they/them")
    )
    assert response.status_code == 302
    cast.patient.refresh_from_db()
    assert cast.patient.phone == "+13125557777" and cast.patient.pronouns == "they/them"
    (row,) = new_events(start)
    assert row.action == "update" and row.detail == {"fields": ["phone", "pronouns"]}


def test_saving_without_changes_writes_nothing(cast, as_user):
    before = state()
    response = as_user(cast.front_desk).post(url(cast.patient), current(cast.patient))
    assert response.status_code == 302
    assert state() == before


def test_form_shows_current_values_and_audits_the_read(cast, as_user):
    start = last_event_id()
    response = as_user(cast.front_desk).get(url(cast.patient))
    assert response.status_code == 200
    assert 'value="1985-06-15"' in response.content.decode()
    (row,) = new_events(start)
    assert row.action == "view" and row.detail == {"page": "edit_demographics"}


def test_invalid_email_keeps_what_was_typed(cast, as_user):
    before = state()
    response = as_user(cast.front_desk).post(
        url(cast.patient), current(cast.patient, email="not-an-email", city="Typedville")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert 'value="not-an-email"' in body and 'value="Typedville"' in body
    assert state(count_reads=False) == before


@pytest.mark.parametrize("who", ["therapist", "outsider", "admin", "patient_user"])
def test_others_get_404_and_nothing_changes(cast, as_user, who):
    before = state()
    client = as_user(getattr(cast, who))
    assert client.get(url(cast.patient)).status_code == 404
    response = client.post(url(cast.patient), current(cast.patient, phone="312-555-0000"))
    assert response.status_code == 404
    assert_no_phi(response, cast.patient)
    assert state() == before


def test_unknown_patient_is_404(cast, as_user):
    assert (
        as_user(cast.front_desk)
        .get(reverse("patients:edit_demographics", args=[999_999]))
        .status_code
        == 404
    )


def test_delete_is_not_allowed(cast, as_user):
    assert as_user(cast.front_desk).delete(url(cast.patient)).status_code == 405


def test_the_form_is_grouped_into_named_parts(cast, as_user):
    text = as_user(cast.front_desk).get(url(cast.patient)).content.decode()
    legends = [
        "<legend>Name</legend>",
        "<legend>About the patient</legend>",
        "<legend>Phone and e-mail</legend>",
        "<legend>Address</legend>",
    ]
    positions = [text.index(legend) for legend in legends]
    assert positions == sorted(positions)
    assert text.index("<legend>Address</legend>") < text.index('name="address_line1"')
    assert "Address line 1" in text and "Address line1" not in text
