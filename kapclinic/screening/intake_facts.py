"""Screening facts that the patient's own intake answers, for the screening page's
prefill where the record has no better source.

The patient's answers are a starting point for the prescriber, never a decision:
each prefilled fact is marked "from the patient's intake" on the page, a fact the
record or a prescriber already gave is never replaced, and what a patient cannot
judge is left to the prescriber (a medicine's drug class, whether a trial's dose
was adequate, how much it helped in per cent). "Not sure" leaves a fact missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kapclinic.intake.access import current_intake
from kapclinic.intake.models import Intake
from kapclinic.intake.sections import AntidepressantTrials, CurrentMedicines
from kapclinic.patients.models import Patient

# (section, question) answered yes / no / not sure, and the fact it answers.
YES_NO_FACTS: tuple[tuple[str, str, str], ...] = (
    ("medical", "aneurysm", "aneurysm_or_avm"),
    ("medical", "brain_bleed", "intracerebral_haemorrhage"),
    ("medical", "ketamine_allergy", "ketamine_hypersensitivity"),
    ("medical", "heart_disease", "ischaemic_heart_disease"),
    ("medical", "irregular_heartbeat", "significant_arrhythmia"),
    ("medical", "heart_failure", "heart_failure"),
    ("medical", "recent_stroke", "recent_stroke"),
    ("medical", "head_pressure", "raised_intracranial_pressure"),
    ("medical", "eye_pressure", "raised_intraocular_pressure"),
    ("medical", "cystitis", "cystitis"),
    ("mental", "psychosis_now", "current_psychosis"),
    ("mental", "psychotic_disorder", "primary_psychotic_disorder"),
    ("mental", "mania_now", "current_mania"),
    ("mental", "bipolar", "bipolar_disorder"),
    ("mental", "family_psychosis", "family_history_psychosis"),
)
_YES_NO = {"yes": True, "no": False}


def _section(answers: Mapping[str, Any], code: str) -> Mapping[str, Any]:
    values = answers.get(code)
    return values if isinstance(values, Mapping) else {}


def facts_from_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The screening facts the intake's answers give (only those they give)."""
    facts: dict[str, Any] = {}
    for code, question, fact in YES_NO_FACTS:
        value = _YES_NO.get(_section(answers, code).get(question, ""))
        if value is not None:
            facts[fact] = value
    # A patient can say they have no liver disease; grading one is the prescriber's.
    if _section(answers, "medical").get("liver_disease") == "no":
        facts["hepatic_impairment"] = "none"
    # Any use of ketamine or PCP outside medical care is for the prescriber to review.
    dissociatives = _section(answers, "substances").get("dissociatives")
    if dissociatives:
        facts["ketamine_or_pcp_misuse_history"] = dissociatives != "never"
    pregnancy = _section(answers, "pregnancy")
    if pregnancy.get("applies") == "no":
        facts["pregnant"] = False
        facts["breastfeeding"] = False
    elif pregnancy.get("applies") == "yes":
        for question in ("pregnant", "breastfeeding"):
            value = _YES_NO.get(pregnancy.get(question, ""))
            if value is not None:
                facts[question] = value
    # "I take no medicines" answers the list as empty; listed medicines need the
    # prescriber's classes, so they leave it open.
    medicines = _section(answers, "medicines")
    if medicines.get("no_medicines") and not CurrentMedicines.rows_of(dict(medicines)):
        facts["medication_classes"] = []
    trials = _section(answers, "antidepressants")
    rows = AntidepressantTrials.rows_of(dict(trials))
    if rows:
        facts["antidepressant_trials"] = [
            {"adequate_dose": None, "weeks": row["weeks"], "improvement_percent": None}
            for row in rows
        ]
    elif trials.get("no_trials"):
        facts["antidepressant_trials"] = []
    return facts


def intake_medicines(intake: Intake) -> list[dict[str, Any]]:
    """The medicines the patient listed, for the prescriber to classify."""
    return CurrentMedicines.rows_of(intake.section_answers("medicines"))


def intake_trials(intake: Intake) -> list[dict[str, Any]]:
    """The antidepressant trials the patient listed, with their answer on how each worked."""
    labels = dict(AntidepressantTrials().fields["trial_1_response"].choices)  # type: ignore[attr-defined]
    rows = AntidepressantTrials.rows_of(intake.section_answers("antidepressants"))
    return [{**row, "response": labels.get(row["response"], "")} for row in rows]


def submitted_intake(patient: Patient) -> Intake | None:
    """The patient's submitted intake of the current course, if there is one."""
    intake = current_intake(patient)
    return intake if intake is not None and intake.is_submitted else None


def prefill(
    facts: Mapping[str, Any], intake: Intake | None
) -> tuple[dict[str, Any], frozenset[str]]:
    """`facts` completed from the intake where they are missing (absent or None), and
    the keys the intake filled. Facts already known are never replaced."""
    if intake is None:
        return dict(facts), frozenset()
    from_intake = {
        key: value
        for key, value in facts_from_answers(intake.answers).items()
        if facts.get(key) is None
    }
    return {**facts, **from_intake}, frozenset(from_intake)
