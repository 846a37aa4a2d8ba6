"""Screening facts that the patient record already tells: current medicines by drug
class, coded conditions, a recorded ketamine allergy.

Only what the record shows is returned. A condition that is not recorded is not
evidence that the patient does not have it, so no fact is ever set to "no" here;
the prescriber answers the rest on the screening page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kapclinic.patients.models import Allergy, Condition, Medication, Patient
from kapclinic.screening import rules

# ICD-10 code prefixes of active conditions that answer a screening fact "yes".
ICD10_FACTS: tuple[tuple[str, str], ...] = (
    ("I67.1", "aneurysm_or_avm"),  # cerebral aneurysm, non-ruptured
    ("I72", "aneurysm_or_avm"),  # other aneurysm
    ("I71", "aneurysm_or_avm"),  # aortic aneurysm
    ("Q28", "aneurysm_or_avm"),  # arteriovenous malformation
    ("I61", "intracerebral_haemorrhage"),
    ("F20", "primary_psychotic_disorder"),
    ("F22", "primary_psychotic_disorder"),
    ("F25", "primary_psychotic_disorder"),
    ("F23", "current_psychosis"),
    ("F30", "current_mania"),
    ("F31", "bipolar_disorder"),
    ("I20", "ischaemic_heart_disease"),
    ("I21", "ischaemic_heart_disease"),
    ("I25", "ischaemic_heart_disease"),
    ("I48", "significant_arrhythmia"),
    ("I49", "significant_arrhythmia"),
    ("I50", "heart_failure"),
    ("I63", "recent_stroke"),
    ("G93.2", "raised_intracranial_pressure"),
    ("H40", "raised_intraocular_pressure"),
    ("N30.1", "cystitis"),
    ("I67.4", "hypertensive_encephalopathy_history"),
    ("Z33", "pregnant"),
)


def _fact_for_code(code: str) -> str | None:
    normal = code.strip().upper()
    for prefix, fact in ICD10_FACTS:
        if normal.startswith(prefix):
            return fact
    return None


def facts_from_items(
    medications: Iterable[Medication],
    conditions: Iterable[Condition],
    allergies: Iterable[Allergy],
) -> dict[str, Any]:
    """The facts these record items answer (current medicines, active coded
    conditions, allergies); the chart passes what it has already loaded."""
    facts: dict[str, Any] = {
        "medication_classes": sorted({m.drug_class for m in medications if m.is_current})
    }
    for condition in conditions:
        if condition.status != Condition.Status.ACTIVE:
            continue
        fact = _fact_for_code(condition.code or "")
        if fact is not None:
            facts[fact] = True
    if any("ketamine" in allergy.substance.lower() for allergy in allergies):
        facts["ketamine_hypersensitivity"] = True
    return facts


def facts_from_record(patient: Patient) -> dict[str, Any]:
    """The facts the record answers (three queries, whatever the record's size)."""
    return facts_from_items(
        Medication.objects.filter(patient=patient, stopped_on__isnull=True),
        Condition.objects.filter(patient=patient, status=Condition.Status.ACTIVE),
        Allergy.objects.filter(patient=patient),
    )


def flags_from_facts(facts: dict[str, Any]) -> list[rules.Reason]:
    """The contraindications and cautions among the facts, by the same rules as
    screening ("not yet recorded" reasons left out)."""
    decision = rules.evaluate(facts)
    return [reason for reason in decision.reasons if reason.level != "missing"]


def safety_flags(patient: Patient) -> list[rules.Reason]:
    """The safety flags the patient's record already shows."""
    return flags_from_facts(facts_from_record(patient))
