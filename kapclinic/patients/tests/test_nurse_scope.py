"""A nurse sees demographics at their own sites *and* for every patient on their care
team, wherever that patient is registered (access.py's nurse rule).

The cast's `outsider` is a nurse at site B; put on the care team of the site-A
patient, they must find and open that patient like any care-team clinician.
"""

import pytest
from django.urls import reverse

from kapclinic.patients.access import visible_patients
from kapclinic.patients.models import CareTeamMember
from kapclinic.patients.tests.helpers import CONDITION_NAME, add_clinical_record


@pytest.fixture
def cross_site_nurse(cast):
    add_clinical_record(cast.patient)
    CareTeamMember.objects.create(patient=cast.patient, user=cast.outsider, role="nurse")
    return cast.outsider


def test_care_team_patient_at_another_site_is_in_the_nurses_scope(cast, cross_site_nurse):
    assert list(visible_patients(cross_site_nurse)) == [cast.patient]
    assert list(visible_patients(cross_site_nurse, clinical=True)) == [cast.patient]


def test_care_team_patient_at_another_site_is_on_the_nurses_list(cast, as_user, cross_site_nurse):
    body = as_user(cross_site_nurse).get(reverse("patients:list")).content.decode()
    assert "MRN-0001" in body
    assert "MRN-0002" not in body


def test_care_team_patient_at_another_site_opens_in_full(cast, as_user, cross_site_nurse):
    response = as_user(cross_site_nurse).get(reverse("patients:chart", args=[cast.patient.pk]))
    assert response.status_code == 200
    assert response.context["clinical"] is True
    assert CONDITION_NAME in response.content.decode()


def test_care_team_patient_at_another_site_is_in_the_api_list(cast, as_user, cross_site_nurse):
    response = as_user(cross_site_nurse).get("/api/v1/patients/")
    assert response.status_code == 200
    assert [p["mrn"] for p in response.json()["items"]] == ["MRN-0001"]


def test_leaving_the_care_team_ends_it(cast, as_user, cross_site_nurse):
    CareTeamMember.objects.filter(user=cross_site_nurse).delete()
    assert not visible_patients(cross_site_nurse).exists()
    response = as_user(cross_site_nurse).get(reverse("patients:chart", args=[cast.patient.pk]))
    assert response.status_code == 404


def test_a_deactivated_nurse_sees_no_one(cast, cross_site_nurse):
    # Sign-in already refuses inactive accounts; the access rule must not rely on it
    # (background jobs and actions call it with a user object directly).
    cast.nurse.is_active = False
    cross_site_nurse.is_active = False
    assert not visible_patients(cast.nurse).exists()
    assert not visible_patients(cross_site_nurse, clinical=True).exists()
