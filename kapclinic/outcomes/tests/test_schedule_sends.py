"""Scheduled questionnaires over time: created when due, sent once, reminded once,
never after they expire (time travel with time-machine)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from kapclinic.audit.models import AuditEvent
from kapclinic.outcomes import schedule_actions, schedule_plan
from kapclinic.outcomes.models import QuestionnaireAssignment, ScheduleRule
from kapclinic.outcomes.sweep import send_due_questionnaires
from kapclinic.outcomes.tests.helpers import make_dose, make_session
from kapclinic.patients.models import PathwayStage
from kapclinic.scheduling import sms
from kapclinic.test import Cast

pytestmark = pytest.mark.django_db

FIRST_DOSE = dt.datetime(2030, 3, 11, 15, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@pytest.fixture
def dosing(cast: Cast) -> Cast:
    cast.patient.stage = PathwayStage.DOSING
    cast.patient.save(update_fields=["stage"])
    return cast


def sweep_at(when: dt.datetime) -> dict[str, int]:
    with time_machine.travel(when, tick=False):
        return send_due_questionnaires()


def keys(cast: Cast) -> list[str]:
    return sorted(
        QuestionnaireAssignment.objects.filter(patient=cast.patient).values_list(
            "schedule_key", flat=True
        )
    )


def test_nothing_before_the_baseline_window_opens(dosing):
    make_dose(dosing, FIRST_DOSE)
    assert sweep_at(FIRST_DOSE - 8 * D) == {"created": 0, "sent": 0, "reminded": 0, "prompted": 0}
    assert not mail.outbox and not sms.outbox


def test_baseline_is_created_and_sent_once_by_email_and_text(dosing):
    make_dose(dosing, FIRST_DOSE)
    counts = sweep_at(FIRST_DOSE - 6 * D)
    assert counts == {"created": 3, "sent": 3, "reminded": 0, "prompted": 0}
    assert keys(dosing) == ["baseline:cssrs_screen", "baseline:gad7", "baseline:phq9"]
    assert len(mail.outbox) == 3 and len(sms.outbox) == 3
    assert {m.to for m in sms.outbox} == {dosing.patient.phone}
    # A second run, later the same day, creates and sends nothing more.
    assert sweep_at(FIRST_DOSE - 6 * D + 4 * H) == {
        "created": 0,
        "sent": 0,
        "reminded": 0,
        "prompted": 0,
    }
    assert len(mail.outbox) == 3 and len(sms.outbox) == 3


def test_messages_name_neither_the_patient_nor_the_questionnaire(dosing):
    make_dose(dosing, FIRST_DOSE)
    sweep_at(FIRST_DOSE - 6 * D)
    texts = [m.body for m in sms.outbox] + [f"{m.subject} {m.body}" for m in mail.outbox]
    for text in texts:
        assert "https://clinic.test/q/" in text
        for private in ("Ient", "Pat ", "MRN-0001", "PHQ", "GAD", "C-SSRS", "ketamine"):
            assert private not in text


def test_one_reminder_halfway_to_expiry_if_unanswered(dosing):
    make_dose(dosing, FIRST_DOSE)
    sent_at = FIRST_DOSE - 6 * D
    sweep_at(sent_at)
    halfway = sent_at + (FIRST_DOSE - sent_at) / 2
    assert sweep_at(halfway - H)["reminded"] == 0
    assert sweep_at(halfway)["reminded"] == 3
    assert sweep_at(halfway + 12 * H)["reminded"] == 0
    assert len(sms.outbox) == 6
    assert all("reminder" in m.body for m in sms.outbox[3:])


def test_an_answered_questionnaire_gets_no_reminder(dosing):
    make_dose(dosing, FIRST_DOSE)
    sweep_at(FIRST_DOSE - 6 * D)
    QuestionnaireAssignment.objects.filter(patient=dosing.patient).update(
        completed_at=FIRST_DOSE - 5 * D
    )
    assert sweep_at(FIRST_DOSE - 2 * D)["reminded"] == 0


def test_nothing_is_sent_after_it_expired(dosing):
    make_dose(dosing, FIRST_DOSE)
    with time_machine.travel(FIRST_DOSE - 6 * D, tick=False):
        schedule_plan.plan_all()
    # The worker was down until after the dose: the baseline is past its time.
    assert sweep_at(FIRST_DOSE + H) == {"created": 0, "sent": 0, "reminded": 0, "prompted": 0}
    assert not mail.outbox and not sms.outbox


def test_before_dose_and_24_hours_after_a_discharged_session(dosing):
    first = make_dose(dosing, FIRST_DOSE, status="completed")
    make_session(dosing, first, discharged_at=FIRST_DOSE + 3 * H)
    second = make_dose(dosing, FIRST_DOSE + 3 * D)
    sweep_at(FIRST_DOSE + 3 * H + 23 * H - 2 * D)
    assert keys(dosing) == []
    with time_machine.travel(FIRST_DOSE + 3 * H + 24 * H, tick=False):
        # The 24-hour one and the before-dose one ask the same questionnaire: the
        # patient answers one at a time.
        assert [a.schedule_key for a in schedule_plan.plan(list(schedule_plan.candidates()))] == [
            f"before_dose:{second.pk}:qids_sr16"
        ]
    QuestionnaireAssignment.objects.update(completed_at=FIRST_DOSE + 27 * H)
    sweep_at(FIRST_DOSE + 28 * H)
    assert keys(dosing) == [
        f"after_dose:{first.pk}:qids_sr16",
        f"before_dose:{second.pk}:qids_sr16",
    ]


def test_after_dose_derived_from_a_completed_visit_without_a_session(dosing):
    first = make_dose(dosing, FIRST_DOSE, status="completed")
    sweep_at(FIRST_DOSE + 2 * H + 24 * H)
    assert keys(dosing) == [f"after_dose:{first.pk}:qids_sr16"]


def test_weekly_during_the_course(dosing):
    make_dose(dosing, FIRST_DOSE, status="completed")
    sweep_at(FIRST_DOSE + 7 * D)
    assert keys(dosing) == ["weekly:1:cssrs_screen", "weekly:1:gad7", "weekly:1:phq9"]


def test_a_site_rule_switched_off_is_not_asked(dosing):
    make_dose(dosing, FIRST_DOSE)
    schedule_plan.ensure_site_defaults(dosing.site)
    schedule_actions.set_site_rule(
        actor=dosing.admin, site=dosing.site, trigger="baseline", instrument="gad7", is_active=False
    )
    sweep_at(FIRST_DOSE - 6 * D)
    assert keys(dosing) == ["baseline:cssrs_screen", "baseline:phq9"]


def test_patient_rules_add_and_remove(dosing):
    make_dose(dosing, FIRST_DOSE)
    p = dosing.patient
    schedule_actions.set_patient_rule(
        actor=dosing.prescriber, patient=p, trigger="baseline", instrument="pcl5", is_active=True
    )
    schedule_actions.set_patient_rule(
        actor=dosing.prescriber, patient=p, trigger="baseline", instrument="phq9", is_active=False
    )
    sweep_at(FIRST_DOSE - 6 * D)
    assert keys(dosing) == ["baseline:cssrs_screen", "baseline:gad7", "baseline:pcl5"]
    # Another patient at the site keeps the site's schedule.
    assert not ScheduleRule.objects.filter(patient=dosing.other_patient).exists()


def test_paused_patients_get_nothing_new(dosing):
    make_dose(dosing, FIRST_DOSE)
    schedule_actions.pause(actor=dosing.nurse, patient=dosing.patient, reason="In hospital")
    assert sweep_at(FIRST_DOSE - 6 * D)["created"] == 0
    schedule_actions.resume(actor=dosing.nurse, patient=dosing.patient)
    assert sweep_at(FIRST_DOSE - 5 * D)["created"] == 3


@pytest.mark.parametrize("stage", [PathwayStage.WITHDRAWN, PathwayStage.ENQUIRY])
def test_patients_out_of_care_get_nothing(cast, stage):
    cast.patient.stage = stage
    cast.patient.save(update_fields=["stage"])
    make_dose(cast, FIRST_DOSE)
    assert sweep_at(FIRST_DOSE - 6 * D)["created"] == 0


def test_every_creation_and_send_is_audited(dosing):
    make_dose(dosing, FIRST_DOSE)
    marker = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sweep_at(FIRST_DOSE - 6 * D)
    rows = AuditEvent.objects.filter(pk__gt=marker, object_type="outcomes.questionnaireassignment")
    actions = sorted(rows.values_list("action", flat=True))
    assert actions == ["create"] * 3 + ["update"] * 3
    sent = rows.filter(action="update").first()
    assert sent is not None and sent.detail["channels"] == ["email", "sms"]


def test_a_failed_send_is_retried_by_the_next_sweep(dosing, settings):
    make_dose(dosing, FIRST_DOSE)
    settings.SMS_BACKEND = "kapclinic.outcomes.tests.test_schedule_sends.BrokenSms"
    settings.EMAIL_BACKEND = "kapclinic.outcomes.tests.test_schedule_sends.BrokenMail"
    assert sweep_at(FIRST_DOSE - 6 * D)["sent"] == 0
    assert not QuestionnaireAssignment.objects.filter(sent_at__isnull=False).exists()
    settings.SMS_BACKEND = "kapclinic.scheduling.sms.LocmemBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sweep_at(FIRST_DOSE - 6 * D + H)["sent"] == 3


def test_the_command_runs_the_sweep(dosing, capsys):
    make_dose(dosing, FIRST_DOSE)
    with time_machine.travel(FIRST_DOSE - 6 * D, tick=False):
        call_command("send_due_questionnaires")
    assert (
        "Created 3 questionnaire(s), sent 3 link(s), 0 reminder(s), 0 journal prompt(s)."
        in capsys.readouterr().out
    )


@pytest.mark.parametrize("patients", [1, 2])
def test_the_planner_reads_with_a_fixed_number_of_queries(
    dosing, patients, django_assert_num_queries
):
    make_dose(dosing, FIRST_DOSE, status="completed")
    if patients == 2:
        dosing.other_patient.stage = PathwayStage.DOSING
        dosing.other_patient.save(update_fields=["stage"])
        make_dose(dosing, FIRST_DOSE + 4 * H, status="completed", patient=dosing.other_patient)
    batch = list(schedule_plan.candidates().select_related("site"))
    assert len(batch) == patients
    with time_machine.travel(FIRST_DOSE + 14 * D + 5 * H, tick=False):
        assert len(schedule_plan.plan(batch)) == 3 * patients
        # Planned already: the second run only reads, the same queries for any batch.
        with django_assert_num_queries(7):
            assert schedule_plan.plan(batch) == []


class BrokenSms:
    def send(self, message):
        raise ConnectionError("provider down")


class BrokenMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server down")
