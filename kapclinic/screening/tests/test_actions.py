"""Screening records: facts checked by the rules, signed decisions, overrides, amendments."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from kapclinic.audit.models import AuditEvent
from kapclinic.patients.models import AllergyStatus, PathwayStage, Patient
from kapclinic.screening import actions, rules
from kapclinic.screening.models import ScreeningRecord
from kapclinic.test import Cast
from kapclinic.treatment.models import PathwayTransition
from kapclinic.treatment.walk import walk_to


@pytest.fixture(autouse=True)
def _allergies_asked(cast: Cast) -> None:
    # Treatment is approved only once allergies have been asked about (tested in
    # test_allergy_rule.py); these tests start from a patient who was asked.
    Patient.objects.filter(pk=cast.patient.pk).update(allergy_status=AllergyStatus.NONE_KNOWN)
    cast.patient.refresh_from_db()


def clear_facts(**changes: Any) -> dict[str, Any]:
    """Facts with every key answered and nothing against treatment."""
    facts: dict[str, Any] = dict.fromkeys(rules.ABSOLUTE_FLAGS, False)
    facts.update(dict.fromkeys(rules.RELATIVE_FLAGS, False))
    facts.update(
        indication="mdd",
        antidepressant_trials=[],
        cssrs_risk="none",
        bp_systolic=120,
        bp_diastolic=80,
        hepatic_impairment="none",
        medication_classes=[],
    )
    facts.update(changes)
    return facts


@pytest.fixture
def draft(cast: Cast) -> ScreeningRecord:
    walk_to(cast.patient, PathwayStage.SCREENING, actor=cast.prescriber)
    return actions.start_screening(cast.patient, actor=cast.prescriber, facts=clear_facts())


def _stage(cast: Cast) -> str:
    return Patient.objects.get(pk=cast.patient.pk).stage


def test_signing_eligible_moves_the_pathway(cast: Cast, draft: ScreeningRecord) -> None:
    signed = actions.sign_screening(draft, actor=cast.prescriber, decision="eligible")
    assert (signed.status, signed.rules_outcome, signed.signed_by) == (
        "signed",
        "eligible",
        cast.prescriber,
    )
    assert _stage(cast) == PathwayStage.ELIGIBILITY
    event = AuditEvent.objects.filter(detail__step="sign").first()
    assert event is not None and event.detail["override"] is False


def test_ineligible_rules_signed_ineligible_leaves_with_the_reason(
    cast: Cast, draft: ScreeningRecord
) -> None:
    actions.save_facts(draft, clear_facts(pregnant=True), actor=cast.prescriber)
    actions.sign_screening(draft, actor=cast.prescriber, decision="ineligible")
    assert _stage(cast) == PathwayStage.INELIGIBLE
    row = PathwayTransition.objects.get(name="decide_ineligible")
    assert "Pregnant" in row.reason


def test_override_needs_a_written_reason_and_changes_nothing_without(
    cast: Cast, draft: ScreeningRecord
) -> None:
    actions.save_facts(draft, clear_facts(medication_classes=["opioid"]), actor=cast.prescriber)
    with pytest.raises(actions.ScreeningError, match="write the reason"):
        actions.sign_screening(draft, actor=cast.prescriber, decision="eligible")
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert _stage(cast) == PathwayStage.SCREENING
    signed = actions.sign_screening(
        draft, actor=cast.prescriber, decision="eligible", reason="Low-dose opioid, monitored."
    )
    assert signed.rules_outcome == "needs_review"
    assert signed.decision_reason == "Low-dose opioid, monitored."
    event = AuditEvent.objects.filter(detail__step="sign").first()
    assert event is not None and event.detail["override"] is True
    assert "interaction:opioid" in event.detail["rules"]
    assert "monitored" not in str(event.detail)


def test_signed_is_read_only(cast: Cast, draft: ScreeningRecord) -> None:
    signed = actions.sign_screening(draft, actor=cast.prescriber, decision="eligible")
    with pytest.raises(actions.ScreeningError, match="read-only"):
        actions.save_facts(signed, clear_facts(pregnant=True), actor=cast.prescriber)
    with pytest.raises(ValueError, match="read-only"):
        signed.decision_reason = "changed"
        signed.save()
    assert ScreeningRecord.objects.get(pk=signed.pk).facts["pregnant"] is False


def test_amendment_keeps_the_original(cast: Cast, draft: ScreeningRecord) -> None:
    signed = actions.sign_screening(draft, actor=cast.prescriber, decision="eligible")
    amendment = actions.amend_screening(signed, actor=cast.prescriber)
    assert amendment.amends == signed and amendment.status == "draft"
    actions.save_facts(amendment, clear_facts(current_mania=True), actor=cast.prescriber)
    actions.sign_screening(amendment, actor=cast.prescriber, decision="ineligible")
    original = ScreeningRecord.objects.get(pk=signed.pk)
    assert (original.decision, original.facts["current_mania"]) == ("eligible", False)
    # Found ineligible after eligibility was decided: off the pathway, with the reason.
    assert _stage(cast) == PathwayStage.INELIGIBLE
    with pytest.raises(actions.ScreeningError, match="already been amended"):
        actions.amend_screening(original, actor=cast.prescriber)


def test_impossible_fact_is_refused_with_its_field(cast: Cast, draft: ScreeningRecord) -> None:
    with pytest.raises(actions.ScreeningError) as caught:
        actions.save_facts(draft, clear_facts(bp_systolic=500), actor=cast.prescriber)
    assert caught.value.field == "bp_systolic"
    draft.refresh_from_db()
    assert draft.facts["bp_systolic"] == 120


def test_site_thresholds_are_used(cast: Cast, draft: ScreeningRecord) -> None:
    cast.site.settings.predose_bp_warn_systolic = 120
    cast.site.settings.save()
    actions.save_facts(draft, clear_facts(bp_systolic=125), actor=cast.prescriber)
    assert "bp_raised" in actions.evaluate(draft, cast.patient).rules()


@pytest.mark.parametrize("who", ["nurse", "therapist", "front_desk", "outsider", "admin"])
def test_only_care_team_prescribers_write(cast: Cast, draft: ScreeningRecord, who: str) -> None:
    actor = cast.staff()[who]
    with pytest.raises(PermissionDenied):
        actions.sign_screening(draft, actor=actor, decision="eligible")
    with pytest.raises(PermissionDenied):
        actions.save_facts(draft, clear_facts(pregnant=True), actor=actor)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.facts["pregnant"] is False
