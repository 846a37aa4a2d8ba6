"""Nurse scope (DESIGN.md): the clinical record of patients in today's dosing visits at
the nurse's site, plus their care team; yesterday's and other sites' stay hidden."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.dosing.tests.factories import make_session
from kapclinic.patients.access import has_clinical_access, visible_patients
from kapclinic.patients.models import CareTeamMember
from kapclinic.test import Cast, make_staff

pytestmark = pytest.mark.django_db


def _floor_nurse(cast: Cast) -> User:
    """A nurse at site A on nobody's care team."""
    return make_staff("floor@test.example", "Flo Floor", Role.NURSE, cast.site)


def test_nurse_sees_todays_dosing_patient_at_their_site(cast: Cast) -> None:
    nurse = _floor_nurse(cast)
    assert not has_clinical_access(nurse, cast.other_patient)
    make_session(cast, patient=cast.other_patient)
    assert has_clinical_access(nurse, cast.other_patient)
    assert cast.other_patient in visible_patients(nurse, clinical=True)


def test_yesterdays_dosing_patient_stays_hidden(cast: Cast) -> None:
    nurse = _floor_nurse(cast)
    yesterday = timezone.now() - dt.timedelta(days=1, hours=1)
    make_session(cast, patient=cast.other_patient, start=yesterday)
    assert not has_clinical_access(nurse, cast.other_patient)


def test_other_sites_nurse_does_not_see_todays_patient(cast: Cast) -> None:
    make_session(cast, patient=cast.other_patient)
    assert not has_clinical_access(cast.outsider, cast.other_patient)
    assert cast.other_patient not in visible_patients(cast.outsider, clinical=True)


def test_a_cancelled_visit_gives_no_access(cast: Cast) -> None:
    nurse = _floor_nurse(cast)
    session = make_session(cast, patient=cast.other_patient)
    type(session.appointment).objects.filter(pk=session.appointment_id).update(status="cancelled")
    assert not has_clinical_access(nurse, cast.other_patient)


def test_care_team_still_counts_and_other_roles_are_unchanged(cast: Cast) -> None:
    make_session(cast, patient=cast.other_patient)
    assert has_clinical_access(cast.nurse, cast.patient)  # care team, no visit today
    assert not has_clinical_access(cast.therapist, cast.other_patient)
    assert not has_clinical_access(cast.front_desk, cast.other_patient)
    assert not CareTeamMember.objects.filter(patient=cast.other_patient).exists()


def test_scope_is_one_query_once_the_sites_are_known(cast: Cast, django_assert_num_queries) -> None:
    nurse = _floor_nurse(cast)
    make_session(cast, patient=cast.other_patient)
    list(visible_patients(nurse, clinical=True))  # loads the nurse's sites once
    with django_assert_num_queries(1):
        assert len(list(visible_patients(nurse, clinical=True))) == 1
