"""Answers that complete every intake section, as a patient's browser posts them."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from kapclinic.accounts.models import User
from kapclinic.intake import actions
from kapclinic.intake.models import Intake
from kapclinic.intake.sections import BY_CODE, MedicalHistory, MentalHealthHistory
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.treatment.walk import walk_to

POSTS: dict[str, dict[str, Any]] = {
    "medical": {
        **dict.fromkeys(MedicalHistory.required, "no"),
        "high_blood_pressure": "yes",
        "blood_pressure_controlled": "yes",
        "eye_pressure": "yes",
    },
    "mental": {**dict.fromkeys(MentalHealthHistory.required, "no"), "bipolar": "unsure"},
    "medicines": {
        "med_1_name": "Sertraline",
        "med_1_dose": "100 mg",
        "med_1_frequency": "once a day",
        "med_2_name": "Lorazepam",
        "med_2_frequency": "when needed",
    },
    "antidepressants": {
        "trial_1_drug": "Citalopram",
        "trial_1_dose": "20 mg",
        "trial_1_weeks": "8",
        "trial_1_response": "partial",
    },
    "substances": {
        "alcohol": "weekly",
        "cannabis": "past",
        "stimulants": "never",
        "opioids": "never",
        "dissociatives": "never",
        "substance_treatment": "no",
    },
    "pregnancy": {"applies": "yes", "pregnant": "no", "breastfeeding": "yes"},
    "goals": {"help_with": ["depression"], "goals": "Feel like myself again."},
}


def as_query(data: dict[str, Any]) -> QueryDict:
    """Form data as a browser sends it (a list is a field with several values)."""
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return query


def cleaned(code: str) -> dict[str, Any]:
    """The answers of POSTS[code] as the section saves them."""
    form = BY_CODE[code](as_query(POSTS[code]))
    assert form.is_valid(), form.errors
    return form.valid_values()


def at_consultation(patient: Patient, actor: User) -> Patient:
    walk_to(patient, PathwayStage.CONSULTATION, actor=actor)
    return patient


def filled_intake(patient: Patient, *, submit: bool = False) -> Intake:
    """An intake of the patient's current course with every section answered."""
    assert patient.user is not None
    intake = actions.start_intake(patient, actor=patient.user)
    for code in POSTS:
        actions.save_section(intake, code, cleaned(code), actor=patient.user)
    if submit:
        actions.submit_intake(intake, actor=patient.user)
    return intake
