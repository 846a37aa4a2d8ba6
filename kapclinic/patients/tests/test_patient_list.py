import datetime as dt

import pytest
from django.urls import reverse

from kapclinic.audit.breakglass import open_break_glass
from kapclinic.audit.models import AuditEvent
from kapclinic.patients.models import CareTeamMember, Patient
from kapclinic.patients.tests.helpers import assert_no_phi, last_event_id, new_events, state
from kapclinic.test import login, make_patient

URL = reverse("patients:list")


def test_front_desk_sees_patients_at_their_site(cast, as_user):
    response = as_user(cast.front_desk).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "MRN-0001" in body and "MRN-0002" in body
    assert "Jun 15, 1985" in body and "Site A" in body and "Enquiry" in body


def test_prescriber_sees_only_care_team_patients(cast, as_user):
    body = as_user(cast.prescriber).get(URL).content.decode()
    assert "MRN-0001" in body
    assert "MRN-0002" not in body


def test_nurse_at_another_site_sees_no_one(cast, as_user):
    response = as_user(cast.outsider).get(URL)
    assert response.status_code == 200
    assert_no_phi(response, cast.patient, cast.other_patient)


@pytest.mark.parametrize("who", ["admin", "patient_user"])
def test_admins_and_patients_get_404(cast, as_user, who):
    before = state()
    response = as_user(getattr(cast, who)).get(URL)
    assert response.status_code == 404
    assert_no_phi(response, cast.patient, cast.other_patient)
    assert state() == before


def test_anonymous_is_sent_to_sign_in(cast, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_post_is_not_allowed(cast, as_user):
    before = state()
    assert as_user(cast.front_desk).post(URL).status_code == 405
    assert state() == before


def test_search_by_name(cast, as_user):
    body = as_user(cast.front_desk).get(URL, {"q": "osc"}).content.decode()
    assert "MRN-0002" in body and "MRN-0001" not in body


def test_search_by_mrn(cast, as_user):
    body = as_user(cast.front_desk).get(URL, {"q": "mrn-0001"}).content.decode()
    assert "MRN-0001" in body and "MRN-0002" not in body


def test_search_by_birth_date(cast, as_user):
    Patient.objects.filter(pk=cast.other_patient.pk).update(birth_date=dt.date(1990, 1, 2))
    body = as_user(cast.front_desk).get(URL, {"q": "1990-01-02"}).content.decode()
    assert "MRN-0002" in body and "MRN-0001" not in body


def test_impossible_date_shows_an_error_and_keeps_the_text(cast, as_user):
    response = as_user(cast.front_desk).get(URL, {"q": "1990-13-45"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a real date" in body
    assert 'value="1990-13-45"' in body


def test_filter_by_stage(cast, as_user):
    Patient.objects.filter(pk=cast.patient.pk).update(stage="screening")
    body = as_user(cast.front_desk).get(URL, {"stage": "screening"}).content.decode()
    assert "MRN-0001" in body and "MRN-0002" not in body


def test_filter_by_site_is_limited_to_own_sites(cast, as_user):
    make_patient(cast.other_site, "MRN-B001", "Bea", "Bside")
    client = as_user(cast.front_desk)
    response = client.get(URL, {"site": cast.other_site.pk})
    # Not one of the user's sites: the choice is refused and no extra patients appear.
    assert "Select a valid choice" in response.content.decode()
    assert "MRN-B001" not in response.content.decode()
    body = client.get(URL, {"site": cast.site.pk}).content.decode()
    assert "MRN-0001" in body


def test_my_care_team_only(cast, as_user):
    body = as_user(cast.nurse).get(URL, {"mine": "on"}).content.decode()
    assert "MRN-0001" in body and "MRN-0002" not in body


def test_pages_of_25(cast, as_user):
    for n in range(30):
        make_patient(cast.site, f"MRN-P{n:03d}", "Many", f"Zz{n:03d}")
    client = as_user(cast.front_desk)
    first = client.get(URL)
    assert len(first.context["page"].object_list) == 25
    second = client.get(URL, {"page": 2})
    assert len(second.context["page"].object_list) == 32 - 25


def test_one_list_audit_row_with_filter_names_only(cast, as_user):
    start = last_event_id()
    as_user(cast.front_desk).get(URL, {"q": "Oscar", "stage": "enquiry"})
    rows = new_events(start)
    assert len(rows) == 1
    row = rows[0]
    assert row.action == "list" and row.patient_id is None and row.actor == cast.front_desk
    assert row.detail == {"filters": ["q", "stage"], "page": 1}
    assert "Oscar" not in str(AuditEvent.objects.values_list("detail", flat=True))


def test_list_does_not_include_break_glass_patients(cast, as_user):
    CareTeamMember.objects.filter(patient=cast.patient).delete()
    open_break_glass(actor=cast.prescriber, patient=cast.patient, reason="x" * 30)
    body = as_user(cast.prescriber).get(URL).content.decode()
    assert "MRN-0001" not in body


def test_a_us_clinic_finds_a_birth_date_typed_month_first(cast, client):
    login(client, cast.front_desk)
    # The cast's patients were born on 15 June 1985; the sites are in the US.
    response = client.get(reverse("patients:list"), {"q": "06/15/1985"})
    assert response.status_code == 200
    assert {p.pk for p in response.context["page"]} == {cast.patient.pk, cast.other_patient.pk}
    assert 'value="06/15/1985"' in response.content.decode()  # the box keeps what was typed


def test_a_date_that_cannot_be_read_says_so(cast, client):
    login(client, cast.front_desk)
    response = client.get(reverse("patients:list"), {"q": "15/06/1985"})
    text = response.content.decode()
    assert "Could not read 15/06/1985 as a date. Type it as MM/DD/YYYY or as YYYY-MM-DD." in text


def test_a_clinic_outside_the_us_reads_the_day_first(cast, client):
    from kapclinic.clinics.models import Site

    Site.objects.update(country="GB")
    login(client, cast.front_desk)
    response = client.get(reverse("patients:list"), {"q": "15/06/1985"})
    assert {p.pk for p in response.context["page"]} == {cast.patient.pk, cast.other_patient.pk}
