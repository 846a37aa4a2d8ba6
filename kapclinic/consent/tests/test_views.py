"""Consent pages: the portal's signing, the care team's countersigning, the forms' versions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.consent.models import Consent, ConsentDocument
from kapclinic.consent.tests.helpers import current, new_version, patient_signs
from kapclinic.consent.text import render_document
from kapclinic.patients.models import PathwayStage
from kapclinic.test import Cast, login
from kapclinic.treatment.walk import walk_to


def _sign_data(cast: Cast, name: str = "pat  IENT") -> dict[str, object]:
    rendered = render_document(current(), cast.patient)
    return {
        "typed_name": name,
        "acknowledgements": [code for code, _ in rendered.acknowledgements],
        "shown_sha256": rendered.sha256,
    }


def test_portal_lists_the_forms_to_sign(client: Client, cast: Cast) -> None:
    current()
    body = login(client, cast.patient_user).get(reverse("consent:portal")).content.decode()
    assert "Read and sign" in body
    assert reverse("consent:portal_sign", args=["intranasal"]) in body


def test_patient_signs_in_the_portal(client: Client, cast: Cast) -> None:
    current()
    login(client, cast.patient_user)
    url = reverse("consent:portal_sign", args=["iv"])
    page = client.get(url).content.decode()
    assert "Off-label use" in page and "Your full name" in page
    response = client.post(url, _sign_data(cast), HTTP_USER_AGENT="Phone browser")
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.typed_name == "pat IENT"
    assert consent.user_agent == "Phone browser"
    assert consent.ip_address == "127.0.0.1"


def test_wrong_name_comes_back_with_what_was_typed(client: Client, cast: Cast) -> None:
    login(client, cast.patient_user)
    url = reverse("consent:portal_sign", args=["iv"])
    body = client.post(url, _sign_data(cast, "Patricia Other")).content.decode()
    assert "Not signed" in body
    assert 'value="Patricia Other"' in body
    assert not Consent.objects.exists()


def test_text_changed_while_reading_shows_the_new_text(client: Client, cast: Cast) -> None:
    login(client, cast.patient_user)
    data = _sign_data(cast)
    new_version(cast, extra="\n\nA sentence added while the patient read.")
    body = client.post(reverse("consent:portal_sign", args=["iv"]), data).content.decode()
    assert "changed after you opened it" in body
    assert "A sentence added while the patient read." in body
    assert not Consent.objects.exists()


def test_unknown_route_is_404(client: Client, cast: Cast) -> None:
    current()
    response = login(client, cast.patient_user).get("/consent/me/sign/inhaled/")
    assert response.status_code == 404


def test_portal_withdrawal(client: Client, cast: Cast) -> None:
    consent = patient_signs(cast)
    login(client, cast.patient_user)
    url = reverse("consent:portal_withdraw", args=[consent.pk])
    client.post(url, {"reason": ""})
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    client.post(url, {"reason": "I need more time."})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_other_patient_cannot_withdraw(client: Client, cast: Cast) -> None:
    consent = patient_signs(cast)
    url = reverse("consent:portal_withdraw", args=[consent.pk])
    response = login(client, cast.other_patient_user).post(url, {"reason": "x"})
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_prescriber_countersigns_from_the_signature_page(client: Client, cast: Cast) -> None:
    walk_to(cast.patient, PathwayStage.TREATMENT_PLAN, actor=cast.prescriber)
    consent = patient_signs(cast)
    login(client, cast.prescriber)
    page = client.get(reverse("consent:signature", args=[consent.pk])).content.decode()
    assert "Countersign" in page and consent.text_sha256 in page
    client.post(reverse("consent:countersign", args=[consent.pk]))
    consent.refresh_from_db()
    cast.patient.refresh_from_db()
    assert consent.countersigned_by == cast.prescriber
    assert cast.patient.stage == PathwayStage.CONSENT


def test_nurse_reads_but_cannot_countersign(client: Client, cast: Cast) -> None:
    consent = patient_signs(cast)
    login(client, cast.nurse)
    page = client.get(reverse("consent:signature", args=[consent.pk])).content.decode()
    assert "Countersign</button>" not in page
    assert client.post(reverse("consent:countersign", args=[consent.pk])).status_code == 403
    consent.refresh_from_db()
    assert consent.countersigned_at is None


@pytest.mark.parametrize("who", ["therapist", "front_desk", "outsider", "admin"])
def test_outside_the_care_team_is_404(client: Client, cast: Cast, who: str) -> None:
    consent = patient_signs(cast)
    login(client, cast.staff()[who])
    assert client.get(reverse("consent:signature", args=[consent.pk])).status_code == 404
    assert client.post(reverse("consent:countersign", args=[consent.pk])).status_code == 404
    consent.refresh_from_db()
    assert consent.countersigned_at is None


def test_staff_withdrawal_needs_a_reason(client: Client, cast: Cast) -> None:
    consent = patient_signs(cast)
    login(client, cast.prescriber)
    url = reverse("consent:staff_withdraw", args=[consent.pk])
    body = client.post(url, {"reason": ""}).content.decode()
    assert "Not recorded" in body
    client.post(url, {"reason": "Patient called to stop."})
    consent.refresh_from_db()
    assert consent.withdrawn_by == cast.prescriber


def test_patient_consents_page_flags_out_of_date(client: Client, cast: Cast) -> None:
    patient_signs(cast)
    new_version(cast)
    body = login(client, cast.prescriber).get(reverse("consent:patient", args=[cast.patient.pk]))
    assert "Out of date" in body.content.decode()
    assert AuditEvent.objects.filter(action="view", detail__page="consent").exists()


def test_admin_writes_and_publishes_a_version(client: Client, cast: Cast) -> None:
    first = current()
    login(client, cast.admin)
    response = client.post(reverse("consent:document_new"), {"route": "iv"})
    draft = ConsentDocument.objects.get(status="draft")
    assert response["Location"] == reverse("consent:document", args=[draft.pk])
    body = client.post(
        reverse("consent:document", args=[draft.pk]), {"title": "", "body": "x"}
    ).content.decode()
    assert "Not saved" in body
    client.post(
        reverse("consent:document", args=[draft.pk]),
        {"title": "New title", "body": first.body + "\n\nMore."},
    )
    client.post(reverse("consent:document_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.is_published and draft.title == "New title"
    assert draft.published_by == cast.admin


def test_published_version_cannot_be_edited_through_the_page(client: Client, cast: Cast) -> None:
    document = current()
    login(client, cast.prescriber)
    client.post(reverse("consent:document", args=[document.pk]), {"title": "X", "body": "Y"})
    document.refresh_from_db()
    assert document.title != "X"


def test_bad_route_for_a_new_version_is_a_message(client: Client, cast: Cast) -> None:
    login(client, cast.prescriber)
    response = client.post(reverse("consent:document_new"), {"route": "nasal-mist"}, follow=True)
    assert "Choose a route" in response.content.decode()
    assert not ConsentDocument.objects.filter(status="draft").exists()


def test_chart_and_portal_show_consent_and_preparation(client: Client, cast: Cast) -> None:
    current()
    body = login(client, cast.prescriber).get(f"/patients/{cast.patient.pk}/").content.decode()
    assert "Consent and preparation" in body
    assert "Consent not signed for a dose on" in body
    body = login(client, cast.patient_user).get("/patients/me/").content.decode()
    assert "Read and sign your consent form" in body
    assert "Prepare for your sessions" in body
    patient_signs(cast)
    body = client.get("/patients/me/").content.decode()
    assert "Read and sign your consent form" not in body


def test_signing_again_is_sent_back_to_the_list(client: Client, cast: Cast) -> None:
    patient_signs(cast)
    response = login(client, cast.patient_user).get(reverse("consent:portal_sign", args=["iv"]))
    assert response.status_code == 302 and response["Location"] == reverse("consent:portal")
    assert Consent.objects.count() == 1
