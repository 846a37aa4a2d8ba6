import pytest
from django.urls import reverse

from kapclinic.patients.models import CareTeamMember, Patient
from kapclinic.patients.tests.helpers import last_event_id, new_events, state

URL = reverse("patients:register")


def form(**overrides):
    data = {
        "site": "",
        "given_name": "Rita",
        "family_name": "Newcomer",
        "birth_date": "1979-03-04",
        "sex_at_birth": "female",
        "country": "US",
        "phone": "312-555-0199",
    }
    data.update(overrides)
    return data


def test_front_desk_registers_a_patient_with_a_generated_mrn(cast, as_user):
    start = last_event_id()
    response = as_user(cast.front_desk).post(URL, form(site=cast.site.pk))
    patient = Patient.objects.get(family_name="Newcomer")
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:chart", args=[patient.pk])
    assert patient.mrn.startswith("KAP-") and len(patient.mrn) == 12
    assert patient.site == cast.site
    search, row = new_events(start)  # the duplicate search, then the new record
    assert search.action == "list" and search.detail["page"] == "register"
    assert row.action == "create" and row.patient_id == patient.pk
    assert "given_name" in row.detail["fields"] and "mrn" in row.detail["fields"]
    assert "Rita" not in str(row.detail)


def test_clinician_who_registers_joins_the_care_team(cast, as_user):
    client = as_user(cast.therapist)
    client.post(URL, form(site=cast.site.pk))
    patient = Patient.objects.get(family_name="Newcomer")
    assert CareTeamMember.objects.filter(patient=patient, user=cast.therapist).exists()
    assert client.get(reverse("patients:chart", args=[patient.pk])).status_code == 200


def test_get_shows_the_form(cast, as_user):
    assert as_user(cast.nurse).get(URL).status_code == 200


def test_only_own_sites_are_offered(cast, as_user):
    before = state()
    response = as_user(cast.front_desk).post(URL, form(site=cast.other_site.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert state() == before


def test_invalid_birth_date_keeps_what_was_typed(cast, as_user):
    before = state()
    response = as_user(cast.front_desk).post(URL, form(site=cast.site.pk, birth_date="2999-01-01"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be in the future" in body
    assert 'value="Newcomer"' in body and 'value="2999-01-01"' in body
    assert state() == before


def test_missing_name_is_shown_next_to_the_field(cast, as_user):
    before = state()
    response = as_user(cast.front_desk).post(URL, form(site=cast.site.pk, family_name=""))
    assert response.status_code == 200
    assert response.context["form"].errors["family_name"]
    assert 'value="Rita"' in response.content.decode()
    assert state() == before


@pytest.mark.parametrize("who", ["admin", "patient_user"])
def test_admins_and_patients_cannot_register(cast, as_user, who):
    before = state()
    client = as_user(getattr(cast, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, form(site=cast.site.pk)).status_code == 404
    assert state() == before


def test_put_is_not_allowed(cast, as_user):
    assert as_user(cast.front_desk).put(URL).status_code == 405
