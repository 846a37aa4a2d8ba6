"""Journal prompts after each dosing session: 24 to 72 hours after, sent once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from kapclinic.journal.models import JournalEntry, JournalPrompt
from kapclinic.journal.prompts import plan_prompts, send_prompts
from kapclinic.outcomes.sweep import send_due_questionnaires
from kapclinic.outcomes.tests.helpers import make_dose, make_session
from kapclinic.scheduling import sms

pytestmark = pytest.mark.django_db

DOSE = dt.datetime(2030, 3, 11, 15, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def run_at(when: dt.datetime) -> int:
    with time_machine.travel(when, tick=False):
        plan_prompts()
        return send_prompts()


def test_a_discharged_session_is_followed_by_one_prompt_24_hours_later(cast):
    appointment = make_dose(cast, DOSE, status="completed")
    make_session(cast, appointment, discharged_at=DOSE + 3 * H)
    assert run_at(DOSE + 26 * H) == 0
    assert run_at(DOSE + 27 * H) == 1
    prompt = JournalPrompt.objects.get()
    assert prompt.due_at == DOSE + 27 * H and prompt.expires_at == DOSE + 75 * H
    assert run_at(DOSE + 30 * H) == 0
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    text = sms.outbox[0].body
    assert "https://clinic.test/journal/me/" in text
    assert cast.patient.family_name not in text and "ketamine" not in text


def test_a_completed_visit_without_a_session_record_is_prompted_too(cast):
    make_dose(cast, DOSE, status="completed")
    assert run_at(DOSE + 2 * H + 24 * H) == 1


def test_no_prompt_after_72_hours_or_for_a_cancelled_visit(cast):
    make_dose(cast, DOSE, status="completed")
    make_dose(cast, DOSE + 4 * H, status="cancelled")
    assert run_at(DOSE + 2 * H + 72 * H) == 0
    assert not JournalPrompt.objects.exists()


def test_the_portal_shows_the_prompt_and_writing_answers_it(cast, as_user):
    appointment = make_dose(cast, DOSE, status="completed")
    run_at(DOSE + 27 * H)
    with time_machine.travel(DOSE + 30 * H, tick=False):
        client = as_user(cast.patient_user)
        portal = client.get(reverse("patients:portal")).content.decode()
        assert "Write about it" in portal
        client.post(reverse("journal:start"), {"session": appointment.pk})
        assert "Write about it" not in client.get(reverse("patients:portal")).content.decode()
    assert JournalPrompt.objects.get().entry == JournalEntry.objects.get()


def test_the_questionnaire_sweep_sends_prompts(cast):
    make_dose(cast, DOSE, status="completed")
    with time_machine.travel(DOSE + 27 * H, tick=False):
        assert send_due_questionnaires()["prompted"] == 1
