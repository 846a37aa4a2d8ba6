"""REMS Patient Monitoring Form: facts from records, staff answers, submission, PDF, due list."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent
from kapclinic.dosing.rems import due_forms, rems_facts
from kapclinic.dosing.rems_access import rems_sessions
from kapclinic.dosing.rems_models import RemsForm
from kapclinic.dosing.tests.factories import make_session
from kapclinic.dosing.tests.rems_helpers import make_esketamine_session
from kapclinic.patients.models import Medication
from kapclinic.test import Cast, login

pytestmark = pytest.mark.django_db

ANSWERS = {
    "first_treatment": "yes",
    "rems_enrolled_on": "2020-01-02",
    "ready_to_leave": "13:05",
    "vitals_ok_before_dosing": "yes",
    "vitals_ok_at_completion": "yes",
    "sedation": "yes",
    "sedation_resolved": "yes",
    "dissociation": "no",
    "respiratory_depression": "no",
    "adverse_events": "Mild nausea, settled without treatment.",
}


def test_facts_come_from_the_session_and_chart(cast: Cast):
    session = make_esketamine_session(cast)
    Medication.objects.create(patient=cast.patient, name="Lorazepam", drug_class="benzodiazepine")
    Medication.objects.create(patient=cast.patient, name="Sertraline", drug_class="antidepressant")
    facts = rems_facts(session)
    assert facts["patient_name"] == "Pat Ient"
    assert facts["birth_date"] == "1985-06-15"
    assert facts["dose_mg"] == 56 and facts["dose_choice"] == "56" and facts["devices"] == 2
    assert facts["lots"] == ["LOT-ESK-42"]
    assert facts["total_minutes"] == 125
    assert facts["concomitant"] == ["Benzodiazepine"]
    assert (facts["bp_before"]["systolic"], facts["bp_at_40"]["systolic"]) == (128, 151)
    assert facts["bp_before_completion"]["systolic"] == 131
    assert facts["setting_name"] == "Site A" and "Springfield" in facts["setting_address"]


def test_a_racemic_ketamine_session_has_no_rems_form(cast: Cast, client: Client):
    session = make_session(cast)
    login(client, cast.nurse)
    assert client.get(reverse("rems:form", args=[session.pk])).status_code == 404


def test_completing_freezes_the_facts_and_is_audited(cast: Cast, client: Client):
    session = make_esketamine_session(cast)
    login(client, cast.nurse)
    response = client.post(reverse("rems:form", args=[session.pk]), ANSWERS)
    assert response.status_code == 302
    form = RemsForm.objects.get(session=session)
    assert form.status == RemsForm.Status.COMPLETED and form.completed_by == cast.nurse
    assert form.sedation is True and form.sedation_resolved is True
    assert form.dissociation_resolved is None
    assert form.facts["dose_choice"] == "56"
    assert AuditEvent.objects.filter(
        object_type="dosing.remsform", action="update", actor=cast.nurse
    ).exists()


def test_a_finding_without_its_resolution_is_refused_and_nothing_saved(cast, client):
    session = make_esketamine_session(cast)
    login(client, cast.nurse)
    response = client.post(
        reverse("rems:form", args=[session.pk]), {**ANSWERS, "sedation_resolved": ""}
    )
    assert response.status_code == 400
    assert "say whether it resolved" in response.content.decode()
    assert not RemsForm.objects.exists()


def test_submission_date_is_recorded_once_completed(cast, client):
    session = make_esketamine_session(cast)
    login(client, cast.prescriber)
    url = reverse("rems:submit", args=[session.pk])
    client.post(url, {"submitted_on": timezone.localdate().isoformat()})
    assert not RemsForm.objects.filter(status=RemsForm.Status.SUBMITTED).exists()
    client.post(reverse("rems:form", args=[session.pk]), ANSWERS)
    client.post(url, {"submitted_on": timezone.localdate().isoformat()})
    form = RemsForm.objects.get()
    assert form.status == RemsForm.Status.SUBMITTED and form.submitted_by == cast.prescriber
    # Submitted means read-only.
    client.post(reverse("rems:form", args=[session.pk]), {**ANSWERS, "dissociation": "yes"})
    form.refresh_from_db()
    assert form.dissociation is False


def test_a_future_submission_date_is_refused(cast, client):
    session = make_esketamine_session(cast)
    login(client, cast.nurse)
    client.post(reverse("rems:form", args=[session.pk]), ANSWERS)
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    client.post(reverse("rems:submit", args=[session.pk]), {"submitted_on": future})
    assert RemsForm.objects.get().status == RemsForm.Status.COMPLETED


@pytest.mark.parametrize("who", ["therapist", "front_desk", "admin", "outsider", "patient_user"])
def test_others_get_404_and_change_nothing(cast, client, who):
    session = make_esketamine_session(cast)
    login(client, getattr(cast, who))
    assert client.get(reverse("rems:form", args=[session.pk])).status_code == 404
    assert client.post(reverse("rems:form", args=[session.pk]), ANSWERS).status_code == 404
    assert client.get(reverse("rems:pdf", args=[session.pk])).status_code == 404
    assert not RemsForm.objects.exists()


def test_due_list_counts_down_the_seven_days_and_flags_overdue(cast, client):
    recent = make_esketamine_session(cast, days_ago=1)
    late = make_esketamine_session(cast, days_ago=9)
    rows = due_forms(rems_sessions(cast.nurse))
    by_session = {row.session.pk: row for row in rows}
    assert by_session[late.pk].overdue and not by_session[recent.pk].overdue
    assert [r.session.pk for r in rows] == [late.pk, recent.pk]
    login(client, cast.nurse)
    page = client.get(reverse("rems:due")).content.decode()
    assert "Overdue by" in page and "days left" in page


def test_due_list_query_count_does_not_grow(cast, client, django_assert_num_queries):
    make_esketamine_session(cast)
    login(client, cast.nurse)
    client.get(reverse("rems:due"))
    # 11: the nurse's sites and their time zones (today's dosing visits widen a
    # nurse's clinical scope) are one more query than the list needed alone.
    with django_assert_num_queries(11) as first:
        client.get(reverse("rems:due"))
    for _ in range(3):
        make_esketamine_session(cast)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("rems:due"))


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_the_pdf_holds_the_fields_and_renders_to_an_image(cast, client, tmp_path: Path):
    session = make_esketamine_session(cast)
    login(client, cast.nurse)
    client.post(reverse("rems:form", args=[session.pk]), ANSWERS)
    response = client.get(reverse("rems:pdf", args=[session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "rems.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and pages[0].read_bytes().startswith(b"\x89PNG")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for expected in (
        "Esketamine REMS Patient Monitoring Form",
        "Pat Ient",
        "1985-06-15",
        "56 mg",
        "LOT-ESK-42",
        "125 minutes",
        "128/82",
        "151/91",
        "131/84",
        "Site A",
        "Mild nausea",
    ):
        assert expected in text, expected
    assert AuditEvent.objects.filter(action="export", object_type="dosing.remsform").exists()
