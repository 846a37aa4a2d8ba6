"""The intake's baseline questionnaires: counted as steps, asked once, answered on the
outcomes questionnaire page (scored, risk alert, crisis resources), shown to the
care team, never blocking the send, and counted by the schedule as the baseline."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent
from kapclinic.intake import actions, baseline
from kapclinic.intake.models import Intake
from kapclinic.intake.tests.helpers import at_consultation, filled_intake
from kapclinic.outcomes import actions as outcomes_actions
from kapclinic.outcomes import schedule_actions
from kapclinic.outcomes.models import QuestionnaireAssignment, QuestionnaireResponse, RiskAlert
from kapclinic.outcomes.sweep import send_due_questionnaires
from kapclinic.outcomes.tests.helpers import PHQ9_ITEM9, PHQ9_SAFE, make_dose
from kapclinic.test import Cast, login
from kapclinic.treatment import actions as pathway

OVERVIEW = reverse("intake:overview")
DEFAULTS = ["phq9", "gad7", "cssrs_screen"]


def ask_url(code: str) -> str:
    return reverse("intake:questionnaire", kwargs={"code": code})


def answers(values: list[int]) -> dict[str, str]:
    return {f"item_{n}": str(v) for n, v in enumerate(values, start=1)}


@pytest.fixture
def patient_client(client: Client, cast: Cast) -> Client:
    at_consultation(cast.patient, cast.prescriber)
    return login(client, cast.patient_user)


def answer_phq9(cast: Cast, values: list[int] = PHQ9_SAFE) -> QuestionnaireResponse:
    assignment = actions.ask_baseline(cast.patient, "phq9", actor=cast.patient_user)
    return outcomes_actions.submit(
        actor=cast.patient_user,
        patient=cast.patient,
        instrument="phq9",
        answers=values,
        assignment=assignment,
    )


# Which questionnaires -------------------------------------------------------------


def test_a_site_without_a_schedule_asks_the_default_baseline(cast: Cast) -> None:
    assert baseline.baseline_instruments(cast.patient) == DEFAULTS


def test_the_site_schedule_and_the_patients_own_rules_decide(cast: Cast) -> None:
    schedule_actions.set_site_rule(
        actor=cast.admin, site=cast.site, trigger="baseline", instrument="gad7", is_active=False
    )
    schedule_actions.set_patient_rule(
        actor=cast.prescriber,
        patient=cast.patient,
        trigger="baseline",
        instrument="pcl5",
        is_active=True,
    )
    assert baseline.baseline_instruments(cast.patient) == ["phq9", "cssrs_screen", "pcl5"]
    # Another patient of the site gets the site's schedule only.
    assert baseline.baseline_instruments(cast.other_patient) == ["phq9", "cssrs_screen"]


def test_a_site_that_switched_every_baseline_off_asks_none(
    patient_client: Client, cast: Cast
) -> None:
    for code in DEFAULTS:
        schedule_actions.set_site_rule(
            actor=cast.admin, site=cast.site, trigger="baseline", instrument=code, is_active=False
        )
    body = patient_client.get(OVERVIEW).content.decode()
    assert "0 of 7 steps done" in body and "Questionnaires" not in body


# Steps and their count ------------------------------------------------------------


def test_the_questionnaires_are_steps_of_the_intake(patient_client: Client, cast: Cast) -> None:
    body = patient_client.get(OVERVIEW).content.decode()
    assert "0 of 10 steps done" in body
    for name in ("PHQ-9", "GAD-7", "C-SSRS screener"):
        assert f"Answer the {name}" in body
    filled_intake(cast.patient)
    answer_phq9(cast)
    body = patient_client.get(OVERVIEW).content.decode()
    assert "8 of 10 steps done" in body
    assert "2 questionnaires still to answer" in body and "Send to my care team" in body
    home = patient_client.get(reverse("patients:portal")).content.decode()
    assert "8 of 10 steps done" in home


def test_asking_opens_the_questionnaire_page_once(patient_client: Client, cast: Cast) -> None:
    response = patient_client.post(ask_url("phq9"))
    assignment = QuestionnaireAssignment.objects.get(patient=cast.patient)
    assert response["Location"] == reverse("outcomes:answer", args=[assignment.pk])
    intake = Intake.objects.get(patient=cast.patient)
    assert assignment.schedule_key == f"intake:{intake.pk}:phq9"
    assert assignment.sent_at is not None  # asked on screen: no e-mailed link needed
    # Pressed again (or on another device): the same questionnaire, not a second one.
    assert patient_client.post(ask_url("phq9"))["Location"] == response["Location"]
    assert QuestionnaireAssignment.objects.filter(patient=cast.patient).count() == 1
    rows = AuditEvent.objects.filter(object_type="outcomes.questionnaireassignment")
    assert [(row.action, row.detail["step"]) for row in rows] == [("create", "baseline")]
    # Now waiting, the overview links straight to it.
    body = patient_client.get(OVERVIEW).content.decode()
    assert reverse("outcomes:answer", args=[assignment.pk]) in body


def test_an_expired_one_is_reopened_with_its_draft(patient_client: Client, cast: Cast) -> None:
    patient_client.post(ask_url("phq9"))
    assignment = QuestionnaireAssignment.objects.get(patient=cast.patient)
    patient_client.post(reverse("outcomes:answer", args=[assignment.pk]), {"item_1": "2"})
    assignment.refresh_from_db()
    assert assignment.draft == {"1": "2"}
    QuestionnaireAssignment.objects.filter(pk=assignment.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    body = patient_client.get(OVERVIEW).content.decode()
    assert "Answer the PHQ-9" in body
    response = patient_client.post(ask_url("phq9"))
    assert response["Location"] == reverse("outcomes:answer", args=[assignment.pk])
    assignment.refresh_from_db()
    assert assignment.is_open() and assignment.draft == {"1": "2"}
    reopened = AuditEvent.objects.filter(object_type="outcomes.questionnaireassignment")
    steps = [row.detail.get("step") for row in reopened.order_by("id")]
    assert steps == ["baseline", None, "baseline_reopen"]  # asked, draft saved, reopened
    page = patient_client.get(response["Location"]).content.decode()
    assert 'value="2" id="id_item_1_2" checked' in page


def test_an_answered_one_is_not_asked_again(patient_client: Client, cast: Cast) -> None:
    answer_phq9(cast)
    response = patient_client.post(ask_url("phq9"), follow=True)
    assert "You have already answered the PHQ-9" in response.content.decode()
    assert QuestionnaireAssignment.objects.filter(patient=cast.patient).count() == 1


def test_a_questionnaire_outside_the_baseline_is_refused(
    patient_client: Client, cast: Cast
) -> None:
    response = patient_client.post(ask_url("qids_sr16"), follow=True)
    assert "There is no such questionnaire in your intake." in response.content.decode()
    response = patient_client.post(ask_url("madrs"), follow=True)
    assert "There is no such questionnaire in your intake." in response.content.decode()
    assert not QuestionnaireAssignment.objects.exists()


def test_closed_before_a_consultation_and_after_screening(client: Client, cast: Cast) -> None:
    login(client, cast.patient_user)
    response = client.post(ask_url("phq9"), follow=True)
    assert "Your intake opens once your consultation is booked." in response.content.decode()
    at_consultation(cast.patient, cast.prescriber)
    client.post(ask_url("gad7"))
    pathway.start_screening(cast.patient, actor=cast.prescriber)
    pathway.decide_eligible(cast.patient, actor=cast.prescriber)
    response = client.post(ask_url("phq9"), follow=True)
    assert "Your intake is closed" in response.content.decode()
    assert list(QuestionnaireAssignment.objects.values_list("instrument", flat=True)) == ["gad7"]


def test_only_the_patient_asks(client: Client, cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    login(client, cast.prescriber)
    assert client.post(ask_url("phq9")).status_code == 404
    assert client.get(ask_url("phq9")).status_code == 405
    assert not QuestionnaireAssignment.objects.exists() and not Intake.objects.exists()


# Answering: scored, alert, crisis resources -----------------------------------------


def test_answering_stores_a_scored_response_the_care_team_sees(
    patient_client: Client, cast: Cast
) -> None:
    location = patient_client.post(ask_url("phq9"))["Location"]
    page = patient_client.get(location).content.decode()
    assert reverse("intake:overview") in page  # the way back to the intake
    result = patient_client.post(location, answers(PHQ9_SAFE), follow=True).content.decode()
    assert "Continue your intake" in result and "Help is available now" not in result
    saved = QuestionnaireResponse.objects.get(patient=cast.patient)
    assert (saved.total, saved.severity, saved.entered_by) == (8, "mild", "patient")
    staff = login(Client(), cast.prescriber)
    body = staff.get(reverse("intake:staff", kwargs={"pk": cast.patient.pk})).content.decode()
    assert "Baseline questionnaires" in body
    assert "<strong>8, mild</strong>" in body
    assert body.count("Not answered yet") == 2
    # The same score is on the chart, like any other questionnaire.
    chart = staff.get(reverse("patients:chart", kwargs={"pk": cast.patient.pk})).content.decode()
    assert "mild" in chart


def test_item_9_raises_the_alert_and_shows_crisis_resources_inside_the_intake(
    patient_client: Client, cast: Cast
) -> None:
    cast.site.phone = "+13125550199"
    cast.site.save()
    location = patient_client.post(ask_url("phq9"))["Location"]
    body = patient_client.post(location, answers(PHQ9_ITEM9), follow=True).content.decode()
    assert "Help is available now" in body and 'href="tel:988"' in body
    assert "Continue your intake" in body
    alert = RiskAlert.objects.get(patient=cast.patient)
    assert alert.reason == "PHQ-9: critical answer to item 9"
    # Back in the intake the resources stay in view.
    overview = patient_client.get(OVERVIEW).content.decode()
    assert "Help is available now" in overview
    staff = login(Client(), cast.nurse)
    body = staff.get(reverse("intake:staff", kwargs={"pk": cast.patient.pk})).content.decode()
    assert "Critical answer: risk alert raised" in body


def test_a_high_risk_screen_is_labelled_for_the_care_team(
    patient_client: Client, cast: Cast
) -> None:
    assignment = actions.ask_baseline(cast.patient, "cssrs_screen", actor=cast.patient_user)
    data = {"item_1": "yes", "item_2": "yes", "item_3": "yes", "item_4": "yes"}
    data |= {"item_5": "no", "item_6": "no"}
    patient_client.post(reverse("outcomes:answer", args=[assignment.pk]), data)
    assert RiskAlert.objects.get(patient=cast.patient).level == "high"
    staff = login(Client(), cast.prescriber)
    body = staff.get(reverse("intake:staff", kwargs={"pk": cast.patient.pk})).content.decode()
    assert "<strong>High risk</strong>" in body


# Sending: the questionnaires never block it ----------------------------------------


def test_the_intake_is_sent_with_questionnaires_unanswered(
    patient_client: Client, cast: Cast
) -> None:
    filled_intake(cast.patient)
    patient_client.post(reverse("intake:submit"))
    assert Intake.objects.get(patient=cast.patient).is_submitted
    body = patient_client.get(OVERVIEW).content.decode()
    assert "Questionnaires still to answer" in body and "Answer the GAD-7" in body
    # Still asked, and answerable, after the intake is sent.
    response = patient_client.post(ask_url("gad7"))
    assert response.status_code == 302 and "/me/questionnaires/" in response["Location"]
    staff = login(Client(), cast.prescriber)
    body = staff.get(reverse("intake:staff", kwargs={"pk": cast.patient.pk})).content.decode()
    assert "Sent by the patient" in body and body.count("Not answered yet") == 3


def test_sections_are_still_needed_to_send(patient_client: Client, cast: Cast) -> None:
    answer_phq9(cast)
    response = patient_client.post(reverse("intake:submit"), follow=True)
    assert "Please finish these parts first" in response.content.decode()
    assert not Intake.objects.get(patient=cast.patient).is_submitted


# The schedule counts a fresh intake baseline ---------------------------------------

FIRST_DOSE = dt.datetime(2030, 3, 11, 15, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def sweep_at(when: dt.datetime) -> dict[str, int]:
    with time_machine.travel(when, tick=False):
        return send_due_questionnaires()


def scheduled(cast: Cast) -> list[str]:
    return sorted(
        QuestionnaireAssignment.objects.filter(
            patient=cast.patient, schedule_key__startswith="baseline:"
        ).values_list("instrument", flat=True)
    )


def test_the_schedule_does_not_ask_a_fresh_baseline_again(cast: Cast) -> None:
    with time_machine.travel(FIRST_DOSE - 5 * DAY, tick=False):
        at_consultation(cast.patient, cast.prescriber)
        make_dose(cast, FIRST_DOSE)
        answer_phq9(cast)
    assert sweep_at(FIRST_DOSE - 5 * DAY + dt.timedelta(hours=1))["created"] == 2
    assert scheduled(cast) == ["cssrs_screen", "gad7"]
    # Nothing e-mailed for the intake's own questionnaire: it was answered on screen.
    assert len(mail.outbox) == 2
    # Nor later in the window (the day before, only the before-dose one is new).
    sweep_at(FIRST_DOSE - DAY)
    assert scheduled(cast) == ["cssrs_screen", "gad7"]
    assert QuestionnaireAssignment.objects.filter(instrument="phq9").count() == 1


def test_an_intake_baseline_from_before_the_window_is_asked_again(cast: Cast) -> None:
    with time_machine.travel(FIRST_DOSE - 20 * DAY, tick=False):
        at_consultation(cast.patient, cast.prescriber)
        make_dose(cast, FIRST_DOSE)
        answer_phq9(cast)
    assert sweep_at(FIRST_DOSE - 6 * DAY)["created"] == 3
    assert scheduled(cast) == ["cssrs_screen", "gad7", "phq9"]


def test_an_open_intake_questionnaire_is_not_doubled_by_the_schedule(cast: Cast) -> None:
    with time_machine.travel(FIRST_DOSE - 5 * DAY, tick=False):
        at_consultation(cast.patient, cast.prescriber)
        make_dose(cast, FIRST_DOSE)
        actions.ask_baseline(cast.patient, "phq9", actor=cast.patient_user)
    sweep_at(FIRST_DOSE - 5 * DAY + dt.timedelta(hours=1))
    assert scheduled(cast) == ["cssrs_screen", "gad7"]
    assert QuestionnaireAssignment.objects.filter(instrument="phq9").count() == 1


def test_an_intake_questionnaire_left_unanswered_is_taken_over_by_the_baseline(
    cast: Cast,
) -> None:
    # Opened 20 days before the first dose and left: open until 8 days after it. It is
    # no baseline, so the schedule asks for one in the week before the dose, in that
    # same copy (sent again, draft kept) rather than waiting for it to expire.
    asked_at = FIRST_DOSE - 20 * DAY
    with time_machine.travel(asked_at, tick=False):
        at_consultation(cast.patient, cast.prescriber)
        make_dose(cast, FIRST_DOSE)
        copy = actions.ask_baseline(cast.patient, "phq9", actor=cast.patient_user)
    assert sweep_at(FIRST_DOSE - 6 * DAY)["created"] == 3
    assert scheduled(cast) == ["cssrs_screen", "gad7"]
    assert QuestionnaireAssignment.objects.filter(instrument="phq9").count() == 1
    copy.refresh_from_db()
    assert copy.schedule_key.startswith("intake:")
    assert copy.due_at == FIRST_DOSE - 7 * DAY
    assert copy.sent_at == FIRST_DOSE - 6 * DAY
    assert copy.expires_at == asked_at + baseline.ANSWER_WITHIN
    assert len(mail.outbox) == 3
    assert AuditEvent.objects.filter(
        object_type="outcomes.questionnaireassignment",
        object_id=str(copy.pk),
        action="update",
        detail__schedule="baseline",
    ).exists()
    # Taken over once: the next sweeps neither send it again nor add a copy.
    assert sweep_at(FIRST_DOSE - 5 * DAY)["created"] == 0
    assert len(mail.outbox) == 3
    # Answered now, it is a fresh baseline: nothing more is asked for it.
    with time_machine.travel(FIRST_DOSE - 4 * DAY, tick=False):
        outcomes_actions.submit(
            actor=cast.patient_user,
            patient=cast.patient,
            instrument="phq9",
            answers=PHQ9_SAFE,
            assignment=copy,
        )
    sweep_at(FIRST_DOSE - 3 * DAY)
    assert QuestionnaireAssignment.objects.filter(instrument="phq9").count() == 1


def test_a_baseline_taken_over_stays_open_until_the_first_dose(cast: Cast) -> None:
    # Asked 30 days before the dose, so it would close 2 days before it.
    with time_machine.travel(FIRST_DOSE - 30 * DAY, tick=False):
        at_consultation(cast.patient, cast.prescriber)
        make_dose(cast, FIRST_DOSE)
        copy = actions.ask_baseline(cast.patient, "phq9", actor=cast.patient_user)
    sweep_at(FIRST_DOSE - 6 * DAY)
    copy.refresh_from_db()
    assert copy.expires_at == FIRST_DOSE and copy.sent_at == FIRST_DOSE - 6 * DAY


# Query counts -----------------------------------------------------------------------


@pytest.mark.parametrize("answered", [0, 3])
def test_overview_query_count_is_constant_in_questionnaires_answered(
    patient_client: Client, cast: Cast, django_assert_num_queries, answered: int
) -> None:
    filled_intake(cast.patient)
    cssrs_no: list[bool | None] = [False, False, None, None, None, False]
    given: list[tuple[str, list[int] | list[bool | None]]] = [
        ("phq9", PHQ9_SAFE),
        ("gad7", [1] * 7),
        ("cssrs_screen", cssrs_no),
    ]
    for code, values in given[:answered]:
        assignment = actions.ask_baseline(cast.patient, code, actor=cast.patient_user)
        outcomes_actions.submit(
            actor=cast.patient_user,
            patient=cast.patient,
            instrument=code,
            answers=values,
            assignment=assignment,
        )
    patient_client.get(OVERVIEW)  # warm up
    # Session, user, OTP device (3); patient, course, intake (3); schedule rules, the
    # intake's questionnaires and their answers (3); the audited read (5); clinic name.
    with django_assert_num_queries(3 + 3 + 3 + 5 + 1):
        body = patient_client.get(OVERVIEW).content.decode()
    assert f"{7 + answered} of 10 steps done" in body
