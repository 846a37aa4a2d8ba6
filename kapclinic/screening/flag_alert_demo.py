"""A demo safety-flag alert for `seed_demo` (synthetic data only): one patient in the
dosing phase, on the demo prescriber's care team, has a newly recorded interacting
medicine and the open alert it raised, so the chart's banner and the pathway
board's list have something to show. Idempotent: nothing is added once any alert
exists.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.patients.demo import DEMO_DOMAIN
from kapclinic.patients.models import Medication, PathwayStage, Patient
from kapclinic.screening import rules
from kapclinic.screening.models import SafetyFlagAlert
from kapclinic.screening.record_facts import safety_flags

# A synthetic medicine per interacting class, tried in this order.
DEMO_MEDICINES = (
    ("benzodiazepine", "Lorazepam", "1 mg"),
    ("sedative_hypnotic", "Zolpidem", "5 mg"),
    ("opioid", "Tramadol", "50 mg"),
)


@transaction.atomic
def build_demo_flag_alerts() -> int:
    """Add the demo alert; returns how many were created (0 or 1)."""
    if SafetyFlagAlert.objects.exists():
        return 0
    prescriber = User.objects.filter(email=f"prescriber@{DEMO_DOMAIN}").first()
    patient = (
        Patient.objects.filter(
            stage=PathwayStage.DOSING, merged_into__isnull=True, care_team__user=prescriber
        )
        .order_by("pk")
        .first()
    )
    if prescriber is None or patient is None:
        return 0
    shown = {flag.rule for flag in safety_flags(patient)}
    fresh = [m for m in DEMO_MEDICINES if f"interaction:{m[0]}" not in shown]
    if not fresh:
        return 0
    drug_class, name, dose = fresh[0]
    started = timezone.localdate() - dt.timedelta(days=1)
    medication = Medication.objects.create(
        patient=patient,
        name=name,
        drug_class=drug_class,
        dose=dose,
        frequency="at night as needed",
        started_on=started,
        recorded_by=prescriber,
    )
    SafetyFlagAlert.objects.create(
        patient=patient,
        code=f"interaction:{drug_class}",
        level="relative",
        reason=rules.INTERACTING_CLASSES[drug_class],
        medication=medication,
        raised_by=prescriber,
        raised_at=timezone.now() - dt.timedelta(hours=3),
    )
    return 1
