"""The safety-flag alert on the chart (banner, Acknowledge for the care team), on the
pathway board, and the acknowledge URL (POST only, care team only)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent
from kapclinic.outcomes.tests.history import dosing_appointment
from kapclinic.patients import actions
from kapclinic.patients.models import CareTeamMember, PathwayStage, Patient
from kapclinic.patients.tests.test_query_counts import CHART_QUERIES
from kapclinic.scheduling.models import Appointment
from kapclinic.screening.models import SafetyFlagAlert
from kapclinic.test import Cast, login, make_patient
from kapclinic.treatment.tests.test_board import BOARD_QUERIES

REASON = "Takes an MAO inhibitor: blood pressure may rise further; review."


def raise_alert(cast: Cast, name: str = "Phenelzine") -> SafetyFlagAlert:
    Patient.objects.filter(pk=cast.patient.pk).update(stage=PathwayStage.DOSING)
    cast.patient.stage = PathwayStage.DOSING
    actions.add_medication(
        actor=cast.prescriber, patient=cast.patient, data={"name": name, "drug_class": "maoi"}
    )
    return SafetyFlagAlert.objects.filter(acknowledged_at__isnull=True).get()


def chart(client: Client, cast: Cast) -> str:
    return client.get(reverse("patients:chart", args=[cast.patient.pk])).content.decode()


def ack_url(alert: SafetyFlagAlert, patient_pk: int | None = None) -> str:
    return reverse(
        "screening:acknowledge_flag_alert", args=[patient_pk or alert.patient_id, alert.pk]
    )


def test_banner_with_reason_cause_and_button_for_the_care_team(client: Client, cast: Cast) -> None:
    alert = raise_alert(cast)
    body = chart(login(client, cast.nurse), cast)
    assert "New safety flag since the decision to treat" in body
    assert REASON in body and "the medicine “Phenelzine” was recorded" in body
    assert ack_url(alert) in body and "Next dose on" not in body


def test_banner_says_when_the_next_dose_is(client: Client, cast: Cast) -> None:
    raise_alert(cast)
    when = timezone.now() + dt.timedelta(days=3)
    dosing_appointment(cast.patient, cast.nurse, when, status="booked")
    body = chart(login(client, cast.prescriber), cast)
    local = when.astimezone(ZoneInfo(cast.site.time_zone))
    assert f"Next dose on {local:%A} {local.day} {local:%b %Y, %H:%M}" in body


def test_no_button_for_a_clinician_outside_the_care_team(client: Client, cast: Cast) -> None:
    alert = raise_alert(cast)
    # Break-glass lets the therapist read the chart, not act for the care team.
    client = login(client, cast.therapist)
    client.post(
        reverse("patients:break_glass"),
        {"mrn": cast.patient.mrn, "reason": "Covering an emergency call for the team."},
    )
    body = chart(client, cast)
    assert REASON in body and ack_url(alert) not in body
    assert "A clinician on the care team acknowledges this flag." in body


def test_front_desk_sees_no_banner(client: Client, cast: Cast) -> None:
    raise_alert(cast)
    body = chart(login(client, cast.front_desk), cast)
    assert "safety flag" not in body.lower() and "MAO" not in body


def test_acknowledge_from_the_chart_removes_the_banner(client: Client, cast: Cast) -> None:
    alert = raise_alert(cast)
    login(client, cast.nurse)
    response = client.post(ack_url(alert), {"note": "Discussed with Dr Prescriber."})
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:chart", args=[cast.patient.pk])
    alert.refresh_from_db()
    assert alert.acknowledged_by == cast.nurse
    assert alert.acknowledgement_note == "Discussed with Dr Prescriber."
    body = chart(client, cast)
    assert "Safety flag acknowledged in your name." in body
    assert "since the decision to treat" not in body
    # The chart's own list of flags still shows it: the fact has not gone away.
    assert REASON in body


def test_second_acknowledgement_is_refused_with_a_message(client: Client, cast: Cast) -> None:
    alert = raise_alert(cast)
    login(client, cast.nurse).post(ack_url(alert))
    login(client, cast.prescriber)
    response = client.post(ack_url(alert), {"note": "Me too"}, follow=True)
    assert "this alert was already acknowledged" in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == cast.nurse and alert.acknowledgement_note == ""


def test_over_long_note_is_a_message_not_an_error(client: Client, cast: Cast) -> None:
    alert = raise_alert(cast)
    response = login(client, cast.nurse).post(ack_url(alert), {"note": "x" * 1001}, follow=True)
    assert response.status_code == 200
    assert "The alert was not acknowledged" in response.content.decode()
    alert.refresh_from_db()
    assert alert.is_open


@pytest.mark.parametrize("role", ["therapist", "front_desk", "outsider", "patient_user", "admin"])
def test_anyone_outside_the_care_team_gets_404_and_nothing_changes(
    client: Client, cast: Cast, role: str
) -> None:
    alert = raise_alert(cast)
    marker = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = login(client, getattr(cast, role)).post(ack_url(alert), {"note": "Seen"})
    assert response.status_code == 404
    assert "Ient" not in response.content.decode()
    alert.refresh_from_db()
    assert alert.is_open
    assert not AuditEvent.objects.filter(id__gt=marker, action="update").exists()


def test_alert_of_another_patient_is_404(client: Client, cast: Cast) -> None:
    alert = raise_alert(cast)
    response = login(client, cast.nurse).post(ack_url(alert, cast.other_patient.pk))
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.is_open


def test_get_is_refused(client: Client, cast: Cast) -> None:
    alert = raise_alert(cast)
    assert login(client, cast.nurse).get(ack_url(alert)).status_code == 405


def test_board_lists_open_alerts_with_next_dose(client: Client, cast: Cast) -> None:
    alert = raise_alert(cast)
    dosing_appointment(
        cast.patient, cast.nurse, timezone.now() + dt.timedelta(days=1), status="booked"
    )
    body = login(client, cast.prescriber).get(reverse("treatment:board")).content.decode()
    assert "New safety flags to acknowledge" in body and REASON in body
    assert "None in the next 7 days" not in body
    login(client, cast.nurse).post(ack_url(alert))
    body = login(client, cast.prescriber).get(reverse("treatment:board")).content.decode()
    assert REASON not in body
    assert "No new safety flags on your patients' records." in body


def test_board_leaves_out_patients_outside_ones_care(client: Client, cast: Cast) -> None:
    raise_alert(cast)
    body = login(client, cast.therapist).get(reverse("treatment:board")).content.decode()
    assert REASON not in body


INTERACTING = ["maoi", "psychostimulant", "benzodiazepine", "opioid", "sedative_hypnotic"]


def raise_many(cast: Cast, count: int, patient: Patient | None = None) -> None:
    patient = patient or cast.patient
    Patient.objects.filter(pk=patient.pk).update(stage=PathwayStage.DOSING)
    patient.stage = PathwayStage.DOSING
    for n, drug_class in enumerate(INTERACTING[:count]):
        actions.add_medication(
            actor=cast.prescriber,
            patient=patient,
            data={"name": f"Medicine {n}", "drug_class": drug_class},
        )
        # Each visit in its own two hours: one nurse's visits never overlap (PostgreSQL).
        later = dt.timedelta(days=1, hours=2 * Appointment.objects.count())
        dosing_appointment(patient, cast.nurse, timezone.now() + later, status="booked")


@pytest.mark.parametrize("count", [1, 5])
def test_chart_query_count_is_constant_in_the_number_of_alerts(
    client: Client, cast: Cast, django_assert_num_queries: Any, count: int
) -> None:
    raise_many(cast, count)
    assert SafetyFlagAlert.objects.count() == count
    # The prescriber, as in the chart's own pin (a nurse's scope reads her sites too).
    login(client, cast.prescriber)
    url = reverse("patients:chart", args=[cast.patient.pk])
    client.get(url)  # warm up: the audit chain head exists afterwards
    with django_assert_num_queries(CHART_QUERIES):
        body = client.get(url).content.decode()
    assert body.count("Acknowledge</button>") == count


def test_board_query_count_is_constant_in_the_number_of_alerts(
    client: Client, cast: Cast, django_assert_num_queries: Any
) -> None:
    # One patient at consent too, so the board looks up everything it can.
    waiting = make_patient(cast.site, "MRN-C001", "Con", "Sent")
    Patient.objects.filter(pk=waiting.pk).update(stage=PathwayStage.CONSENT)
    CareTeamMember.objects.create(patient=waiting, user=cast.prescriber, role="prescriber")
    login(client, cast.prescriber)
    url = reverse("treatment:board")
    for n in range(6):
        patient = make_patient(cast.site, f"MRN-F{n:03d}", "Flag", f"Person{n}")
        CareTeamMember.objects.create(patient=patient, user=cast.prescriber, role="prescriber")
        raise_many(cast, 3 if n % 2 else 1, patient)
        if n not in (0, 5):
            continue
        client.get(url)
        with django_assert_num_queries(BOARD_QUERIES):
            body = client.get(url).content.decode()
        shown = body.count('<span class="badge flag">Caution</span>')
        assert shown == SafetyFlagAlert.objects.count() == (1 if n == 0 else 12)
