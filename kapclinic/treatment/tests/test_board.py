"""The pathway board: care-team patients by stage, what they wait for, and for how long."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent
from kapclinic.patients.models import CareTeamMember, PathwayStage, Patient
from kapclinic.test import Cast, login, make_patient
from kapclinic.treatment import actions
from kapclinic.treatment.models import PathwayTransition
from kapclinic.treatment.walk import walk_to

URL = "/pathway/"


def test_url_name() -> None:
    assert reverse("treatment:board") == URL


def test_shows_care_team_patients_with_what_they_wait_for(client: Client, cast: Cast) -> None:
    walk_to(cast.patient, PathwayStage.SCREENING, actor=cast.prescriber)
    body = login(client, cast.prescriber).get(URL).content.decode()
    assert "Ient, Pat" in body
    assert "Screening unsigned" in body
    assert "Since today" in body
    # Not on the prescriber's care team.
    assert "Other, Oscar" not in body
    assert AuditEvent.objects.filter(action="list", detail__view="pathway_board").exists()


def test_time_in_stage_comes_from_the_latest_transition(client: Client, cast: Cast) -> None:
    walk_to(cast.patient, PathwayStage.ELIGIBILITY, actor=cast.prescriber)
    PathwayTransition.objects.filter(to_stage=PathwayStage.ELIGIBILITY).update(
        occurred_at=timezone.now() - dt.timedelta(days=9, hours=1)
    )
    body = login(client, cast.nurse).get(URL).content.decode()
    assert "Plan awaiting signature" in body
    assert "9 days" in body


def test_patients_who_left_are_not_on_the_board(client: Client, cast: Cast) -> None:
    walk_to(cast.patient, PathwayStage.SCREENING, actor=cast.prescriber)
    actions.decide_ineligible(cast.patient, actor=cast.prescriber, reason="Uncontrolled BP.")
    body = login(client, cast.prescriber).get(URL).content.decode()
    assert "Ient, Pat" not in body
    assert "0 patients" in body


@pytest.mark.parametrize("who", ["front_desk", "admin"])
def test_front_desk_and_admin_get_404(client: Client, cast: Cast, who: str) -> None:
    assert login(client, cast.staff()[who]).get(URL).status_code == 404


def test_patient_gets_404(client: Client, cast: Cast) -> None:
    assert login(client, cast.patient_user).get(URL).status_code == 404


def test_post_is_refused(client: Client, cast: Cast) -> None:
    assert login(client, cast.prescriber).post(URL).status_code == 405


def _add_patients(cast: Cast, count: int, start: int) -> None:
    stages = [
        PathwayStage.SCREENING,
        PathwayStage.DOSING,
        PathwayStage.CONSULTATION,
        PathwayStage.CONSENT,
    ]
    for n in range(start, start + count):
        stage = stages[n % len(stages)]
        patient = make_patient(cast.site, f"MRN-{n:04d}", "Extra", f"Person{n}")
        Patient.objects.filter(pk=patient.pk).update(stage=stage)
        CareTeamMember.objects.create(patient=patient, user=cast.prescriber, role="prescriber")
        PathwayTransition.objects.create(
            patient=patient, name="x", from_stage="enquiry", to_stage=stage
        )


def test_query_count_is_pinned_and_constant(
    client: Client, cast: Cast, django_assert_num_queries
) -> None:
    login(client, cast.prescriber)
    _add_patients(cast, 4, 100)
    client.get(URL)  # warm the session
    with django_assert_num_queries(BOARD_QUERIES):
        assert client.get(URL).status_code == 200
    _add_patients(cast, 30, 200)
    with django_assert_num_queries(BOARD_QUERIES):
        body = client.get(URL).content.decode()
    assert "35 patients" in body  # the 34 added and the cast's patient (enquiry)


# Session and user, two-factor device, the user's patients (one query), consent for
# dosing-phase patients (plans, forms, course starts, consents: four), preparation for
# those at consent (course starts, preparations, preparation visits: three), the audit
# row (chain head, insert, head update) inside its savepoint, and the open
# safety-flag alerts with their next dose (one).
BOARD_QUERIES = 18


def test_consent_out_of_date_from_the_records(client: Client, cast: Cast) -> None:
    from kapclinic.consent.status import plan_routes
    from kapclinic.consent.tests.helpers import new_version

    walk_to(cast.patient, PathwayStage.DOSING, actor=cast.prescriber)
    new_version(cast, route=plan_routes([cast.patient.pk])[cast.patient.pk])
    body = login(client, cast.prescriber).get(URL).content.decode()
    assert "Consent out of date" in body


def test_preparation_not_booked_then_not_finished(client: Client, cast: Cast) -> None:
    from kapclinic.preparation.actions import save_patient_part

    walk_to(cast.patient, PathwayStage.CONSENT, actor=cast.prescriber)
    login(client, cast.prescriber)
    assert "Preparation not booked" in client.get(URL).content.decode()
    save_patient_part(cast.patient, actor=cast.patient_user, values={"intentions": "Rest"})
    assert "Preparation not finished" in client.get(URL).content.decode()
