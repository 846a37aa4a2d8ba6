"""What the staff chart and the patient's portal load with one patient, for the pages
and the API alike: a fixed number of queries however long the record is."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects

from kapclinic.patients.models import (
    BodyMeasurement,
    CareTeamMember,
    Condition,
    Medication,
    Patient,
)


def _care_team() -> Prefetch[Any]:
    return Prefetch("care_team", queryset=CareTeamMember.objects.select_related("user"))


def load_chart(patient: Patient, *, clinical: bool) -> None:
    """Contacts and care team; with `clinical`, the whole clinical record too."""
    lookups: list[str | Prefetch[Any]] = ["contacts", _care_team()]
    if clinical:
        lookups += ["measurements", "conditions", "medications", "allergies"]
    prefetch_related_objects([patient], *lookups)


def load_portal(patient: Patient) -> None:
    """What the patient sees of their own record: contacts, allergies, care team and
    `patient.current_medications`."""
    prefetch_related_objects(
        [patient],
        "contacts",
        "allergies",
        Prefetch(
            "medications",
            queryset=Medication.objects.filter(stopped_on=None),
            to_attr="current_medications",
        ),
        _care_team(),
    )


def clinical_summary(patient: Patient) -> dict[str, Any]:
    """Split the clinical record loaded by `load_chart` the way the chart shows it."""
    measurements = list(patient.measurements.all())
    conditions = list(patient.conditions.all())
    medications = list(patient.medications.all())
    latest_weight = next((m for m in measurements if m.weight_kg is not None), None)
    latest_height = next((m for m in measurements if m.height_cm is not None), None)
    bmi = None
    if latest_weight is not None and latest_height is not None:
        both = BodyMeasurement(height_cm=latest_height.height_cm, weight_kg=latest_weight.weight_kg)
        bmi = both.bmi
    return {
        "measurements": measurements,
        "latest_weight": latest_weight,
        "bmi": bmi,
        "conditions": conditions,
        "condition_groups": [
            (label, [c for c in conditions if c.category == value])
            for value, label in Condition.Category.choices
        ],
        "current_medications": [m for m in medications if m.is_current],
        "past_medications": [m for m in medications if not m.is_current],
        "allergies": list(patient.allergies.all()),
    }
