"""The screening page: prefilled from the record, every reason shown, sign, amend, access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from kapclinic.patients.models import AllergyStatus, Medication, PathwayStage, Patient
from kapclinic.screening.models import ScreeningRecord
from kapclinic.test import Cast, login
from kapclinic.treatment.walk import walk_to


@pytest.fixture(autouse=True)
def _allergies_asked(cast: Cast) -> None:
    # Treatment is approved only once allergies have been asked about (tested in
    # test_allergy_rule.py); these tests start from a patient who was asked.
    Patient.objects.filter(pk=cast.patient.pk).update(allergy_status=AllergyStatus.NONE_KNOWN)
    cast.patient.refresh_from_db()


def url(cast: Cast, step: str = "") -> str:
    return f"/patients/{cast.patient.pk}/screening/{step + '/' if step else ''}"


def answers(**changes: str) -> dict[str, str]:
    data = {
        "indication": "mdd",
        "trials_asked": "asked",
        "cssrs_risk": "none",
        "bp_systolic": "120",
        "bp_diastolic": "80",
        "hepatic_impairment": "none",
        "medicines_asked": "asked",
    }
    from kapclinic.screening.forms import FLAG_LABELS

    data.update(dict.fromkeys(FLAG_LABELS, "no"))
    data.update(changes)
    return data


def test_prefilled_from_current_medicines(client: Client, cast: Cast) -> None:
    Medication.objects.create(patient=cast.patient, name="Lorazepam", drug_class="benzodiazepine")
    body = login(client, cast.prescriber).get(url(cast)).content.decode()
    assert 'value="benzodiazepine" id="id_medication_classes_3" checked' in body


def test_indications_are_listed_with_a_capital_letter(client: Client, cast: Cast) -> None:
    body = login(client, cast.prescriber).get(url(cast)).content.decode()
    assert '<option value="trd">Treatment-resistant depression</option>' in body
    assert '<option value="mdd">Major depressive disorder</option>' in body
    assert '<option value="ptsd">PTSD</option>' in body


def test_save_shows_every_reason_then_sign_moves_the_pathway(client: Client, cast: Cast) -> None:
    walk_to(cast.patient, PathwayStage.SCREENING, actor=cast.prescriber)
    login(client, cast.prescriber)
    response = client.post(url(cast, "save"), answers(breastfeeding="yes", bp_systolic="150"))
    assert response.status_code == 302
    body = client.get(url(cast)).content.decode()
    assert "Needs review" in body
    assert "Breastfeeding: review." in body
    assert "150/80 mmHg" in body
    # Eligible against "needs review" without a reason: refused, nothing signed.
    body = client.post(url(cast, "sign"), {"decision": "eligible"}).content.decode()
    assert "write the reason" in body
    assert not ScreeningRecord.objects.filter(status="signed").exists()
    response = client.post(
        url(cast, "sign"), {"decision": "eligible", "reason": "Stopped breastfeeding next week."}
    )
    assert response.status_code == 302
    assert Patient.objects.get(pk=cast.patient.pk).stage == PathwayStage.ELIGIBILITY
    body = client.get(url(cast)).content.decode()
    assert "Signed decision" in body and "Save and check" not in body


def test_signed_time_is_the_sites_wall_clock(client: Client, cast: Cast) -> None:
    # The server runs in UTC; the page shows the time as the clinic in New York read it.
    walk_to(cast.patient, PathwayStage.SCREENING, actor=cast.prescriber)
    login(client, cast.prescriber)
    client.post(url(cast, "save"), answers())
    client.post(url(cast, "sign"), {"decision": "eligible"})
    signed = dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)
    ScreeningRecord.objects.filter(status="signed").update(signed_at=signed)
    body = client.get(url(cast)).content.decode()
    assert "on 2026-01-14 22:30." in body


def test_impossible_value_is_a_form_error_not_a_500(client: Client, cast: Cast) -> None:
    login(client, cast.prescriber)
    response = client.post(url(cast, "save"), answers(bp_systolic="120", bp_diastolic="130"))
    assert response.status_code == 200
    assert "must be below the systolic pressure" in response.content.decode()
    assert not ScreeningRecord.objects.exists()


def test_nurse_reads_but_cannot_write(client: Client, cast: Cast) -> None:
    login(client, cast.nurse)
    assert client.get(url(cast)).status_code == 200
    assert client.post(url(cast, "save"), answers()).status_code == 404
    assert not ScreeningRecord.objects.exists()


@pytest.mark.parametrize("who", ["therapist", "front_desk", "outsider", "admin"])
def test_others_get_404(client: Client, cast: Cast, who: str) -> None:
    login(client, cast.staff()[who])
    assert client.get(url(cast)).status_code == 404
    assert client.post(url(cast, "save"), answers()).status_code == 404
    assert not ScreeningRecord.objects.exists()


def test_amend_opens_a_draft_keeping_the_original(client: Client, cast: Cast) -> None:
    walk_to(cast.patient, PathwayStage.SCREENING, actor=cast.prescriber)
    login(client, cast.prescriber)
    client.post(url(cast, "save"), answers())
    client.post(url(cast, "sign"), {"decision": "eligible"})
    assert client.post(url(cast, "amend")).status_code == 302
    assert ScreeningRecord.objects.filter(status="signed").count() == 1
    assert ScreeningRecord.objects.filter(status="draft", amends__isnull=False).count() == 1
    assert "Save and check" in client.get(url(cast)).content.decode()
