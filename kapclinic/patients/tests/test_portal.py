import pytest
from django.urls import reverse

from kapclinic.patients.models import Medication
from kapclinic.patients.tests.helpers import (
    ALLERGY_NAME,
    CONDITION_NAME,
    MEDICATION_NAME,
    add_clinical_record,
    assert_no_phi,
    last_event_id,
    new_events,
    state,
)

URL = reverse("patients:portal")


def test_patient_sees_their_own_record(cast, as_user):
    add_clinical_record(cast.patient)
    response = as_user(cast.patient_user).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "MRN-0001",
        "Sam Partner",
        MEDICATION_NAME,
        ALLERGY_NAME,
        "Priya Prescriber",
        "Prescriber",
    ):
        assert text in body, text


def test_patient_does_not_see_history_measurements_or_past_medicines(cast, as_user):
    add_clinical_record(cast.patient)
    body = as_user(cast.patient_user).get(URL).content.decode()
    for hidden in (CONDITION_NAME, "Lorazepam", "72.3"):
        assert hidden not in body, hidden


def test_patient_does_not_see_anyone_else(cast, as_user):
    response = as_user(cast.patient_user).get(URL)
    assert_no_phi(response, cast.other_patient)


def test_portal_view_is_audited(cast, as_user):
    start = last_event_id()
    as_user(cast.patient_user).get(URL)
    (row,) = new_events(start)
    assert row.action == "view" and row.patient_id == cast.patient.pk
    assert row.actor == cast.patient_user


def test_patient_opening_another_chart_gets_404_without_phi(cast, as_user):
    before = state()
    response = as_user(cast.patient_user).get(
        reverse("patients:chart", args=[cast.other_patient.pk])
    )
    assert response.status_code == 404
    assert_no_phi(response, cast.other_patient, cast.patient)
    assert state() == before


@pytest.mark.parametrize("who", ["front_desk", "prescriber", "admin"])
def test_staff_have_no_portal(cast, as_user, who):
    response = as_user(getattr(cast, who)).get(URL)
    assert response.status_code == 404
    assert_no_phi(response, cast.patient)


def test_post_is_not_allowed(cast, as_user):
    before = state()
    assert as_user(cast.patient_user).post(URL).status_code == 405
    assert state() == before


def test_current_medication_only(cast, as_user):
    Medication.objects.create(patient=cast.patient, name="Stopped one", stopped_on="2020-01-01")
    body = as_user(cast.patient_user).get(URL).content.decode()
    assert "Stopped one" not in body


def test_home_lists_next_steps_for_what_is_missing(cast, as_user):
    from kapclinic.patients.models import Contact

    client = as_user(cast.patient_user)
    text = client.get(URL).content.decode()
    assert "Add an emergency contact" in text
    assert "Turn on two-factor sign-in" in text  # the cast's patient has no authenticator
    assert reverse("content:articles") in text
    # Nothing is promised that the portal does not offer yet (the journal, which it
    # does offer, is in the navigation, not among the next steps).
    main = text[text.index('id="main"') :].lower()
    assert "questionnaire" not in main and "journal" not in main

    Contact.objects.create(
        patient=cast.patient,
        name="Alex",
        relationship="partner",
        phone="+1 555 0123",
        is_emergency=True,
    )
    assert "Add an emergency contact" not in client.get(URL).content.decode()


def test_signed_in_patients_find_the_articles_in_the_navigation(cast, as_user):
    text = as_user(cast.patient_user).get(URL).content.decode()
    nav = text[text.index('id="site-menu"') : text.index("</nav>")]
    assert f'href="{reverse("content:articles")}"' in nav
