"""Screening facts that the patient record already tells: current medicines by drug
class, coded conditions, a recorded ketamine allergy.

Only what the record shows is returned. A condition that is not recorded is not
evidence that the patient does not have it, so no fact is ever set to "no" here;
the prescriber answers the rest on the screening page.
"""

from __future__ import annotations

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


def facts_from_record(patient: Patient) -> dict[str, Any]:
    """The facts the record answers (three queries, whatever the record's size)."""
    facts: dict[str, Any] = {}
    classes = sorted(
        set(
            Medication.objects.filter(patient=patient, stopped_on__isnull=True).values_list(
                "drug_class", flat=True
            )
        )
    )
    facts["medication_classes"] = classes
    codes = Condition.objects.filter(patient=patient, status=Condition.Status.ACTIVE).values_list(
        "code", flat=True
    )
    for code in codes:
        fact = _fact_for_code(code or "")
        if fact is not None:
            facts[fact] = True
    substances = Allergy.objects.filter(patient=patient).values_list("substance", flat=True)
    if any("ketamine" in substance.lower() for substance in substances):
        facts["ketamine_hypersensitivity"] = True
    return facts


def safety_flags(patient: Patient) -> list[rules.Reason]:
    """The contraindications and cautions the record already shows, with their
    reasons, by the same rules as screening ("not yet recorded" reasons left out)."""
    decision = rules.evaluate(facts_from_record(patient))
    return [reason for reason in decision.reasons if reason.level != "missing"]
