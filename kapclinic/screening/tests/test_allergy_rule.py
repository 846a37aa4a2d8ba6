"""Treatment is approved only once allergies have been asked about: ketamine or
esketamine hypersensitivity rules it out (esketamine label), and "not asked yet" is
not an answer (docs/clinical-rules.md)."""

from __future__ import annotations

import pytest
from django.test import Client

from kapclinic.patients.actions import add_allergy, record_no_known_allergies
from kapclinic.patients.models import PathwayStage
from kapclinic.screening import actions
from kapclinic.screening.models import ScreeningRecord
from kapclinic.screening.tests.test_actions import clear_facts
from kapclinic.test import Cast, login
from kapclinic.treatment.walk import walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(cast: Cast) -> ScreeningRecord:
    walk_to(cast.patient, PathwayStage.SCREENING, actor=cast.prescriber)
    return actions.start_screening(cast.patient, actor=cast.prescriber, facts=clear_facts())


def test_eligible_is_refused_while_allergies_are_not_asked(
    cast: Cast, draft: ScreeningRecord
) -> None:
    with pytest.raises(actions.ScreeningError, match="Record the patient's allergies"):
        actions.sign_screening(draft, actor=cast.prescriber, decision="eligible")
    draft.refresh_from_db()
    cast.patient.refresh_from_db()
    assert not draft.is_signed and cast.patient.stage == PathwayStage.SCREENING


@pytest.mark.parametrize("answer", ["none known", "an allergy"])
def test_eligible_is_signed_once_allergies_are_answered(
    cast: Cast, draft: ScreeningRecord, answer: str
) -> None:
    if answer == "none known":
        record_no_known_allergies(actor=cast.prescriber, patient=cast.patient)
    else:
        add_allergy(
            actor=cast.prescriber,
            patient=cast.patient,
            data={"substance": "Penicillin", "reaction": "Rash", "severity": "mild"},
        )
    signed = actions.sign_screening(draft, actor=cast.prescriber, decision="eligible")
    assert signed.is_signed


def test_not_eligible_needs_no_allergy_answer(cast: Cast) -> None:
    # Ruling treatment out is never held back: nothing is given.
    walk_to(cast.patient, PathwayStage.SCREENING, actor=cast.prescriber)
    draft = actions.start_screening(
        cast.patient, actor=cast.prescriber, facts=clear_facts(current_psychosis=True)
    )
    signed = actions.sign_screening(draft, actor=cast.prescriber, decision="ineligible")
    assert signed.is_signed


def test_the_page_says_why_and_keeps_the_screening(
    client: Client, cast: Cast, draft: ScreeningRecord
) -> None:
    response = login(client, cast.prescriber).post(
        f"/patients/{cast.patient.pk}/screening/sign/", {"decision": "eligible"}
    )
    assert response.status_code == 200
    assert "Record the patient&#x27;s allergies" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_signed
