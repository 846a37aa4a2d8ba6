"""The journal pages: the patient's own, the care team's, and psychotherapy notes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kapclinic.accounts.models import Role
from kapclinic.audit.models import AuditEvent, BreakGlassGrant
from kapclinic.journal import actions
from kapclinic.journal.models import IntegrationNote, JournalEntry, PsychotherapyNote
from kapclinic.outcomes.tests.helpers import make_dose
from kapclinic.patients.models import CareTeamMember
from kapclinic.test import Cast, make_staff

pytestmark = pytest.mark.django_db

SECRET = "I saw the garden of my childhood again"


@pytest.fixture
def session(cast: Cast):
    return make_dose(cast, timezone.now() - dt.timedelta(days=2), status="completed")


@pytest.fixture
def therapist_on_team(cast: Cast):
    CareTeamMember.objects.create(patient=cast.patient, user=cast.therapist, role="therapist")
    return cast.therapist


def entry_url(entry: JournalEntry) -> str:
    return reverse("journal:entry", args=[entry.pk])


def test_the_patient_starts_an_entry_about_a_session_private_by_default(cast, as_user, session):
    client = as_user(cast.patient_user)
    response = client.post(reverse("journal:start"), {"session": session.pk})
    entry = JournalEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == entry_url(entry)
    assert entry.session == session and entry.shared_with_care_team is False


def test_autosave_keeps_the_text_and_answers_a_status_line(cast, as_user, session):
    client = as_user(cast.patient_user)
    entry = actions.start_entry(actor=cast.patient_user, patient=cast.patient)
    response = client.post(
        entry_url(entry), {"body": SECRET, "session": session.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response.content.decode().startswith("Saved at")
    entry.refresh_from_db()
    assert entry.body == SECRET and entry.session == session
    event = AuditEvent.objects.filter(object_type="journal.journalentry").order_by("-pk").first()
    assert event is not None and event.action == "update"
    assert SECRET not in str(event.detail)


def test_a_refused_save_keeps_what_was_typed(cast, as_user):
    client = as_user(cast.patient_user)
    entry = actions.start_entry(actor=cast.patient_user, patient=cast.patient)
    response = client.post(entry_url(entry), {"body": SECRET, "session": "999999"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "garden of my childhood" in body and "Select a valid choice" in body
    htmx = client.post(
        entry_url(entry), {"body": SECRET, "session": "999999"}, HTTP_HX_REQUEST="true"
    )
    assert htmx.content.decode().startswith("Not saved yet")


def test_a_patient_cannot_open_another_patients_entry(cast, as_user):
    other = actions.start_entry(actor=cast.other_patient_user, patient=cast.other_patient)
    client = as_user(cast.patient_user)
    assert client.get(entry_url(other)).status_code == 404
    assert client.post(entry_url(other), {"body": "mine now"}).status_code == 404
    other.refresh_from_db()
    assert other.body == ""


def _entry(cast: Cast, shared: bool) -> JournalEntry:
    entry = actions.start_entry(actor=cast.patient_user, patient=cast.patient)
    actions.save_entry(
        actor=cast.patient_user, entry=entry, body=SECRET, shared=shared, session=None
    )
    return entry


def test_the_care_team_reads_only_shared_entries(cast, as_user):
    _entry(cast, shared=False)
    url = reverse("journal:patient", args=[cast.patient.pk])
    assert SECRET not in as_user(cast.nurse).get(url).content.decode()
    _entry(cast, shared=True)
    assert SECRET in as_user(cast.nurse).get(url).content.decode()


@pytest.mark.parametrize("role", ["therapist", "front_desk", "admin", "outsider", "patient_user"])
def test_others_never_read_shared_entries(cast, as_user, role):
    _entry(cast, shared=True)
    url = reverse("journal:patient", args=[cast.patient.pk])
    response = as_user(getattr(cast, role)).get(url)
    assert response.status_code == 404 and SECRET not in response.content.decode()


def test_therapist_on_the_care_team_writes_integration_notes(cast, as_user, therapist_on_team):
    url = reverse("journal:patient", args=[cast.patient.pk])
    response = as_user(therapist_on_team).post(url, {"body": "Worked on meaning of the imagery."})
    assert response.status_code == 302
    note = IntegrationNote.objects.get()
    assert note.author == therapist_on_team
    with pytest.raises(ValueError):
        note.save()
    # The nurse reads it but cannot write one.
    client = as_user(cast.nurse)
    assert "meaning of the imagery" in client.get(url).content.decode()
    client.post(url, {"body": "A nurse's note attempt"})
    assert IntegrationNote.objects.count() == 1


def test_psychotherapy_notes_are_read_by_their_author_only(cast, as_user, therapist_on_team):
    url = reverse("journal:psychotherapy", args=[cast.patient.pk])
    assert as_user(therapist_on_team).post(url, {"body": "Transference themes."}).status_code == 302
    assert "Transference themes." in as_user(therapist_on_team).get(url).content.decode()
    # The prescriber on the same care team sees an empty page of their own notes.
    page = as_user(cast.prescriber).get(url)
    assert page.status_code == 200 and "Transference" not in page.content.decode()
    for role in ("nurse", "front_desk", "admin", "outsider", "patient_user"):
        response = as_user(getattr(cast, role)).get(url)
        assert response.status_code == 404, role
        assert "Transference" not in response.content.decode()
    assert (
        "Transference"
        not in as_user(cast.prescriber)
        .get(reverse("journal:patient", args=[cast.patient.pk]))
        .content.decode()
    )


def test_break_glass_never_opens_psychotherapy_notes(cast, as_user):
    PsychotherapyNote.objects.create(patient=cast.patient, author=cast.prescriber, body="Private")
    colleague = make_staff("ther2@test.example", "Tess Therapist", Role.THERAPIST, cast.site)
    BreakGlassGrant.objects.create(
        user=colleague,
        patient=cast.patient,
        reason="Covering an emergency call tonight.",
        expires_at=timezone.now() + dt.timedelta(minutes=60),
    )
    client = as_user(colleague)
    assert client.get(reverse("journal:psychotherapy", args=[cast.patient.pk])).status_code == 404
    # The grant opens the integration page (flagged), never the psychotherapy notes.
    page = client.get(reverse("journal:patient", args=[cast.patient.pk]))
    assert page.status_code == 200 and "Private" not in page.content.decode()
    assert AuditEvent.objects.filter(actor=colleague, flagged=True).exists()
    client.post(reverse("journal:patient", args=[cast.patient.pk]), {"body": "Under the grant"})
    assert not IntegrationNote.objects.exists()


def test_reading_psychotherapy_notes_is_audited(cast, as_user):
    as_user(cast.prescriber).get(reverse("journal:psychotherapy", args=[cast.patient.pk]))
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None and event.detail.get("page") == "psychotherapy_notes"


def test_journal_pages_query_counts(cast, as_user, session, django_assert_num_queries):
    for _ in range(3):
        _entry(cast, shared=True)
    client = as_user(cast.patient_user)
    client.get(reverse("journal:mine"))
    with django_assert_num_queries(13):
        client.get(reverse("journal:mine"))
    staff = as_user(cast.prescriber)
    url = reverse("journal:patient", args=[cast.patient.pk])
    staff.get(url)
    with django_assert_num_queries(15):
        staff.get(url)
