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
    assert row.detail == {"page": "register", "possible_duplicates": 1, "outside_your_scope": 0}


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


def hidden_match(cast, site=None):
    hidden = make_patient(site or cast.other_site, "MRN-0903", "Hana", "Hidden")
    hidden.birth_date = dt.date(1990, 1, 2)
    hidden.save()
    return same_person_as_cast_patient(
        cast, given_name="Hana", family_name="Hidden", birth_date="1990-01-02"
    )


def test_a_match_outside_the_users_scope_is_mentioned_but_never_named(cast, as_user):
    data = hidden_match(cast)
    before = Patient.objects.count()
    response = as_user(cast.front_desk).post(URL, data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Possible existing record elsewhere in the clinic" in text
    assert "ask a colleague" in text.lower()
    hidden = Patient.objects.get(mrn="MRN-0903")
    assert "MRN-0903" not in text and "Site B" not in text
    assert reverse("patients:chart", args=[hidden.pk]) not in text
    assert response.context["duplicates"].shown == []
    assert Patient.objects.count() == before


def test_a_match_outside_scope_is_audited_as_a_count(cast, as_user):
    start = last_event_id()
    as_user(cast.front_desk).post(URL, hidden_match(cast))
    (row,) = new_events(start)
    assert (row.action, row.patient_id) == ("list", None)
    assert row.detail == {"page": "register", "possible_duplicates": 1, "outside_your_scope": 1}


def test_a_match_outside_scope_needs_confirmation(cast, as_user):
    response = as_user(cast.front_desk).post(URL, {**hidden_match(cast), "not_a_duplicate": "yes"})
    assert response.status_code == 302
    assert Patient.objects.filter(family_name="Hidden").count() == 2


def test_a_clinician_is_told_of_a_site_patient_off_their_care_team(cast, as_user):
    data = hidden_match(cast, site=cast.site)
    response = as_user(cast.prescriber).post(URL, data)
    text = response.content.decode()
    assert "Possible existing record elsewhere in the clinic" in text
    assert "MRN-0903" not in text


def test_matches_in_and_out_of_scope_are_shown_apart(cast, as_user):
    make_patient(cast.other_site, "MRN-0904", "Pat", "Ient")
    response = as_user(cast.front_desk).post(URL, same_person_as_cast_patient(cast))
    text = response.content.decode()
    assert cast.patient.mrn in text and "MRN-0904" not in text
    assert "Possible existing record elsewhere in the clinic" in text
    check = response.context["duplicates"]
    assert (check.shown, check.elsewhere) == ([cast.patient], 1)


def test_a_search_with_no_match_is_audited_too(cast, as_user):
    start = last_event_id()
    data = same_person_as_cast_patient(cast, birth_date="1970-01-01")
    assert as_user(cast.front_desk).post(URL, data).status_code == 302
    search, create = new_events(start)
    assert search.detail == {
        "page": "register",
        "possible_duplicates": 0,
        "outside_your_scope": 0,
    }
    assert create.action == "create"
