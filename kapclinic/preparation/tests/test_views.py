"""Preparation pages: the portal (saved as the patient types), the care team's view."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from kapclinic.patients.models import CareTeamMember
from kapclinic.preparation.models import Preparation
from kapclinic.test import Cast, login

PORTAL = "/preparation/me/"
AUTOSAVE = "/preparation/me/autosave/"


def test_url_names() -> None:
    assert reverse("preparation:portal") == PORTAL
    assert reverse("preparation:portal_autosave") == AUTOSAVE


def test_portal_page_shows_crisis_lines_and_the_form(client: Client, cast: Cast) -> None:
    body = login(client, cast.patient_user).get(PORTAL).content.decode()
    assert 'href="tel:988"' in body and 'href="tel:911"' in body
    assert "What do you hope for" in body
    assert 'hx-post="/preparation/me/autosave/"' in body


def test_autosave_keeps_valid_fields_and_names_the_bad_one(client: Client, cast: Cast) -> None:
    login(client, cast.patient_user)
    response = client.post(
        AUTOSAVE, {"intentions": "To sleep better", "escort_phone": "12", "escort_name": "Sam"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "except" in body and "Their phone" in body
    prep = Preparation.objects.get()
    assert prep.intentions == "To sleep better" and prep.escort_name == "Sam"
    assert prep.escort_phone == ""


def test_save_with_an_error_loses_nothing_typed(client: Client, cast: Cast) -> None:
    login(client, cast.patient_user)
    body = client.post(
        PORTAL, {"intentions": "Feel present with my kids", "contact1_phone": "not a number"}
    ).content.decode()
    assert "Not saved" in body
    assert "Feel present with my kids" in body and 'value="not a number"' in body
    assert Preparation.objects.get().intentions == "Feel present with my kids"


def test_save_normalises_phones(client: Client, cast: Cast) -> None:
    login(client, cast.patient_user)
    response = client.post(PORTAL, {"escort_name": "Sam", "escort_phone": "(312) 555-0199"})
    assert response.status_code == 302
    assert Preparation.objects.get().escort_phone == "+13125550199"


def test_staff_page_hides_intentions_from_all_but_the_therapist(client: Client, cast: Cast) -> None:
    login(client, cast.patient_user).post(PORTAL, {"intentions": "My private hope"})
    url = reverse("preparation:patient", args=[cast.patient.pk])
    body = login(client, cast.nurse).get(url).content.decode()
    assert "My private hope" not in body and "shared with their therapist" in body
    CareTeamMember.objects.create(patient=cast.patient, user=cast.therapist, role="therapist")
    body = login(client, cast.therapist).get(url).content.decode()
    assert "My private hope" in body


def test_complete_refused_with_the_reason(client: Client, cast: Cast) -> None:
    CareTeamMember.objects.create(patient=cast.patient, user=cast.therapist, role="therapist")
    login(client, cast.patient_user).post(PORTAL, {"intentions": "x"})
    login(client, cast.therapist)
    response = client.post(reverse("preparation:complete", args=[cast.patient.pk]), follow=True)
    assert "Still needed" in response.content.decode()
    assert Preparation.objects.get().completed_at is None


def test_front_desk_and_other_patients_see_nothing(client: Client, cast: Cast) -> None:
    login(client, cast.patient_user).post(PORTAL, {"intentions": "Mine"})
    url = reverse("preparation:patient", args=[cast.patient.pk])
    assert login(client, cast.front_desk).get(url).status_code == 404
    body = login(client, cast.other_patient_user).get(PORTAL).content.decode()
    assert "Mine" not in body


def test_empty_post_shows_the_form(client: Client, cast: Cast) -> None:
    # An empty body once left the form unbound and the page failed.
    response = login(client, cast.patient_user).post(PORTAL, {})
    assert response.status_code == 302
    # Nothing written does not start a preparation.
    assert Preparation.objects.count() == 0
