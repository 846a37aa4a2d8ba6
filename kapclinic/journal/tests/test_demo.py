"""The demo clinic holds scheduled questionnaires and integration journals."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kapclinic.audit.models import AuditEvent
from kapclinic.journal.models import IntegrationNote, JournalEntry, PsychotherapyNote
from kapclinic.outcomes.models import QuestionnaireAssignment, ScheduleRule

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_schedules_questionnaires_and_journals_once():
    call_command("seed_demo", "--quiet", stdout=StringIO())
    scheduled = QuestionnaireAssignment.objects.exclude(schedule_key="")
    counts = (
        scheduled.count(),
        JournalEntry.objects.count(),
        IntegrationNote.objects.count(),
        PsychotherapyNote.objects.count(),
    )
    assert all(counts), counts
    assert not scheduled.filter(sent_at__isnull=True).exists()
    assert ScheduleRule.objects.filter(site__isnull=False, is_active=True).count() == 22
    assert JournalEntry.objects.filter(shared_with_care_team=True).exists()
    assert JournalEntry.objects.filter(shared_with_care_team=False).exists()
    for note in PsychotherapyNote.objects.select_related("author"):
        assert note.patient.care_team.filter(user=note.author).exists()
    call_command("seed_demo", "--quiet", stdout=StringIO())
    assert (
        scheduled.count(),
        JournalEntry.objects.count(),
        IntegrationNote.objects.count(),
        PsychotherapyNote.objects.count(),
    ) == counts
    assert not AuditEvent.objects.exists()
