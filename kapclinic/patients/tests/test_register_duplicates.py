"""Registration warns about a possible existing record before creating a second one."""

import datetime as dt

from django.urls import reverse

from kapclinic.patients.models import Patient
from kapclinic.patients.tests.helpers import last_event_id, new_events
from kapclinic.test import make_patient

URL = reverse("patients:register")


def same_person_as_cast_patient(cast, **overrides):
    # The cast patient is Pat Ient, born 1985-06-15, at site A.
    data = {
        "site": cast.site.pk,
        "given_name": "Patricia",
        "family_name": "ient",
        "birth_date": "1985-06-15",
        "sex_at_birth": "female",
        "country": "US",
        "phone": "312-555-0142",
    }
    data.update(overrides)
    return data


def test_a_possible_match_is_shown_and_nothing_is_created(cast, as_user):
    before = Patient.objects.count()
    response = as_user(cast.front_desk).post(URL, same_person_as_cast_patient(cast))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Possible existing record" in text
    assert cast.patient.mrn in text
    assert reverse("patients:chart", args=[cast.patient.pk]) in text
    assert 'value="Patricia"' in text and 'value="312-555-0142"' in text  # typed values kept
    assert Patient.objects.count() == before


def test_showing_matches_is_audited_once_without_names(cast, as_user):
    start = last_event_id()
    as_user(cast.front_desk).post(URL, same_person_as_cast_patient(cast))
    (row,) = new_events(start)
    assert row.action == "list"
    assert row.detail == {"page": "register", "possible_duplicates": 1}


def test_confirming_a_different_person_registers_them(cast, as_user):
    data = same_person_as_cast_patient(cast, not_a_duplicate="yes")
    response = as_user(cast.front_desk).post(URL, data)
    assert response.status_code == 302
    assert Patient.objects.filter(given_name="Patricia", family_name="ient").exists()


def test_a_changed_surname_still_matches_on_given_name(cast, as_user):
    data = same_person_as_cast_patient(cast, given_name="Pat", family_name="Married-Name")
    response = as_user(cast.front_desk).post(URL, data)
    assert "Possible existing record" in response.content.decode()


def test_different_birth_date_is_not_a_match(cast, as_user):
    data = same_person_as_cast_patient(cast, birth_date="1985-06-16")
    response = as_user(cast.front_desk).post(URL, data)
    assert response.status_code == 302


def test_patients_the_user_cannot_see_are_never_shown(cast, as_user):
    hidden = make_patient(cast.other_site, "MRN-0903", "Hana", "Hidden")
    hidden.birth_date = dt.date(1990, 1, 2)
    hidden.save()
    data = same_person_as_cast_patient(
        cast, given_name="Hana", family_name="Hidden", birth_date="1990-01-02"
    )
    response = as_user(cast.front_desk).post(URL, data)
    assert response.status_code == 302  # registered: nothing to show at site A
    assert "MRN-0903" not in response.content.decode()
