"""The discharge assessment page form: the recovery score answered item by item, the
total computed (never typed), a missing item refused by name, hints from the readings."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.dosing import actions
from kapclinic.dosing.actions import DosingRefused
from kapclinic.dosing.models import DischargeAssessment, DosingSession
from kapclinic.dosing.readings import record_readings
from kapclinic.dosing.tests.helpers import ALDRETE_10, NORMAL, dosing_session, give
from kapclinic.test import Cast, login

pytestmark = pytest.mark.django_db

PADSS_ITEMS = ["vital_signs", "ambulation", "nausea_vomiting", "pain", "bleeding"]


def _observed(cast: Cast) -> DosingSession:
    session = dosing_session(cast)
    give(cast, session, "35", minutes_ago=130)
    actions.finish_dose(actor=cast.nurse, session=session)
    session.refresh_from_db()
    return session


def _assess(client: Client, session: DosingSession, data: dict[str, Any]) -> Any:
    return client.post(reverse("dosing:assessment", args=[session.pk]), data)


def _aldrete(**changes: str) -> dict[str, str]:
    answers = {f"aldrete_{code}": "2" for code in ALDRETE_10}
    answers.update({f"aldrete_{code}": value for code, value in changes.items()})
    return {
        "score_kind": "aldrete",
        **answers,
        "escort_confirmed": "on",
        "no_driving_advice_given": "on",
    }


def test_aldrete_items_make_the_total_and_are_kept(cast: Cast, client: Client) -> None:
    session = _observed(cast)
    login(client, cast.nurse)
    # A typed total is not a field any more: it is ignored.
    response = _assess(client, session, {**_aldrete(circulation="1"), "score": "10"})
    assert response.status_code == 302
    row = DischargeAssessment.objects.get(session=session)
    assert row.score == 9
    assert row.items == {**ALDRETE_10, "circulation": 1}
    event = AuditEvent.objects.filter(detail__what="discharge_assessment").latest("id")
    assert event.detail["score"] == 9 and event.detail["score_kind"] == "aldrete"
    page = client.get(reverse("dosing:session", args=[session.pk])).content.decode()
    assert "Modified Aldrete 9 of 10 (activity 2, breathing 2, circulation 1," in page


def test_padss_items_make_the_total(cast: Cast, client: Client) -> None:
    session = _observed(cast)
    login(client, cast.nurse)
    data = {
        "score_kind": "padss",
        **{f"padss_{code}": "2" for code in PADSS_ITEMS},
        "padss_pain": "1",
        "padss_nausea_vomiting": "1",
        # The Aldrete items left on the page are not read for a PADSS assessment.
        "aldrete_activity": "0",
    }
    assert _assess(client, session, data).status_code == 302
    row = DischargeAssessment.objects.get(session=session)
    assert (row.score_kind, row.score) == ("padss", 8)
    assert set(row.items or {}) == set(PADSS_ITEMS)


def test_a_missing_item_is_refused_by_name_and_nothing_is_stored(
    cast: Cast, client: Client
) -> None:
    session = _observed(cast)
    login(client, cast.nurse)
    data = _aldrete()
    del data["aldrete_consciousness"]
    response = _assess(client, session, data)
    assert response.status_code == 200
    assert "Consciousness: choose an answer." in response.content.decode()
    assert not DischargeAssessment.objects.filter(session=session).exists()
    # What was answered stays answered.
    form = response.context["assessment_form"]
    assert form["aldrete_activity"].value() == "2"


def test_an_answer_outside_the_choices_is_refused(cast: Cast, client: Client) -> None:
    session = _observed(cast)
    login(client, cast.nurse)
    response = _assess(client, session, _aldrete(activity="3"))
    assert response.status_code == 200
    assert not DischargeAssessment.objects.filter(session=session).exists()


def test_the_action_refuses_a_missing_item_naming_it(cast: Cast) -> None:
    session = _observed(cast)
    items = {**ALDRETE_10, "respiration": None}
    with pytest.raises(DosingRefused, match="Breathing: choose an answer"):
        actions.assess_for_discharge(
            actor=cast.nurse,
            session=session,
            score_kind="aldrete",
            items=items,
            escort_confirmed=True,
            no_driving_advice_given=True,
        )
    assert not DischargeAssessment.objects.filter(session=session).exists()


def test_the_form_shows_answers_in_words_and_hints_from_the_readings(
    cast: Cast, client: Client
) -> None:
    session = _observed(cast)
    record_readings(
        session=session,
        readings=[{**NORMAL, "systolic": 150, "diastolic": 85, "spo2": 95}],
        actor=cast.nurse,
    )
    login(client, cast.nurse)
    response = client.get(reverse("dosing:session", args=[session.pk]))
    page = response.content.decode()
    assert "Moves all four limbs on request (2)" in page
    assert 'type="radio" name="aldrete_activity"' in page
    assert "From the record: Latest SpO2 95%: scores 2 if on room air." in page
    assert f"Latest systolic 150 mmHg, pre-dose {NORMAL['systolic']} mmHg" in page
    # No procedure at a ketamine session: PADSS bleeding starts at 2; nothing else is
    # answered for the nurse.
    form = response.context["assessment_form"]
    assert form["padss_bleeding"].value() == 2
    assert form["aldrete_oxygen_saturation"].value() is None


def test_an_assessment_from_before_items_were_kept_still_shows(cast: Cast, client: Client) -> None:
    session = _observed(cast)
    DischargeAssessment.objects.create(
        session=session,
        score_kind="aldrete",
        score=10,
        escort_confirmed=True,
        no_driving_advice_given=True,
        assessed_by=cast.nurse,
    )
    login(client, cast.nurse)
    page = client.get(reverse("dosing:session", args=[session.pk])).content.decode()
    assert "Modified Aldrete 10 of 10, escort confirmed" in page
