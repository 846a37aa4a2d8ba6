"""Demo screening records and pathway history for `seed_demo` (synthetic data only).

Each demo patient past the consultation gets a screening that fits their stage: a
draft for those in screening, a signed eligible decision for those further on, a
signed ineligible one (with the contraindication that ruled them out) for the
ineligible, plus the pathway transitions that brought them there, so the pathway
board shows real waiting times and dosing readiness holds for dosing patients.
Idempotent: patients who already have a screening are left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from kapclinic.patients.models import CareTeamMember, PathwayStage, Patient
from kapclinic.screening import rules
from kapclinic.screening.models import ScreeningRecord
from kapclinic.screening.record_facts import facts_from_items
from kapclinic.treatment.models import PathwayTransition
from kapclinic.treatment.walk import FORWARD

SIGNED_ELIGIBLE = frozenset(code for code, _ in FORWARD[2:])  # eligibility onwards
# Synthetic contraindications for the demo's ineligible patients.
RULED_OUT: tuple[dict[str, Any], ...] = (
    {"current_mania": True},
    {"pregnant": True},
    {"bp_systolic": 188, "bp_diastolic": 104},
    {"cssrs_risk": "high"},
)
OVERRIDE_NOTE = "Reviewed at consultation: benefit judged to outweigh the risk, with monitoring."


def _facts(rng: random.Random, patient: Patient) -> dict[str, Any]:
    facts: dict[str, Any] = dict.fromkeys(rules.ABSOLUTE_FLAGS, False)
    facts.update(dict.fromkeys(rules.RELATIVE_FLAGS, False))
    indication = rng.choice(["trd", "trd", "mdd", "ptsd", "gad", "ocd"])
    facts.update(
        indication=indication,
        antidepressant_trials=[
            {"adequate_dose": True, "weeks": rng.choice([6, 8, 12]), "improvement_percent": 20}
            for _ in range(2 if indication == "trd" else rng.randint(0, 2))
        ],
        cssrs_risk=rng.choice(["none", "none", "low"]),
        bp_systolic=rng.randint(108, 136),
        bp_diastolic=rng.randint(66, 86),
        hepatic_impairment="none",
    )
    facts.update(
        facts_from_items(
            patient.medications.all(), patient.conditions.all(), patient.allergies.all()
        )
    )
    return facts


def _history(
    patient: Patient, stage: str, actor_id: int, end: dt.datetime, rng: random.Random
) -> list[PathwayTransition]:
    steps: list[tuple[str, str, str]]
    if stage == PathwayStage.INELIGIBLE:
        steps = [
            ("book_consultation", PathwayStage.ENQUIRY, PathwayStage.CONSULTATION),
            ("start_screening", PathwayStage.CONSULTATION, PathwayStage.SCREENING),
            ("decide_ineligible", PathwayStage.SCREENING, PathwayStage.INELIGIBLE),
        ]
    else:
        order = [code for code, _ in FORWARD]
        reached = FORWARD[: order.index(stage) + 1]
        previous = [PathwayStage.ENQUIRY, *(code for code, _ in reached[:-1])]
        steps = [
            (name, before, code) for (code, name), before in zip(reached, previous, strict=True)
        ]
    rows = []
    moment = end
    for name, before, after in reversed(steps):
        rows.append(
            PathwayTransition(
                patient=patient,
                name=name,
                from_stage=before,
                to_stage=after,
                reason="Contraindication found at screening."
                if name == "decide_ineligible"
                else "",
                actor_id=actor_id,
                occurred_at=moment,
            )
        )
        moment -= dt.timedelta(days=rng.randint(3, 10))
    return rows


@transaction.atomic
def build_demo_screenings(*, seed: int = 1) -> int:
    """Create the screenings and histories; return how many screenings were created."""
    rng = random.Random(f"kapclinic-demo-screening:{seed}")  # noqa: S311 - synthetic data
    prescribers = dict(
        CareTeamMember.objects.filter(role=CareTeamMember.Role.PRESCRIBER)
        .order_by("added_at")
        .values_list("patient_id", "user_id")
    )
    wanted = {PathwayStage.SCREENING, PathwayStage.INELIGIBLE, *SIGNED_ELIGIBLE}
    patients = (
        Patient.objects.filter(stage__in=wanted, screenings__isnull=True, pk__in=list(prescribers))
        .prefetch_related("medications", "conditions", "allergies")
        .order_by("pk")
    )
    now = timezone.now()
    records: list[ScreeningRecord] = []
    history: list[PathwayTransition] = []
    for patient in patients:
        actor_id = prescribers[patient.pk]
        facts = _facts(rng, patient)
        end = now - dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 12))
        record = ScreeningRecord(patient=patient, facts=facts, created_by_id=actor_id)
        decision: str
        if patient.stage == PathwayStage.INELIGIBLE:
            facts.update(rng.choice(RULED_OUT))
            decision = ScreeningRecord.Decision.INELIGIBLE
        elif patient.stage in SIGNED_ELIGIBLE:
            decision = ScreeningRecord.Decision.ELIGIBLE
        else:
            decision = ""
        if decision:
            outcome = rules.evaluate(facts)
            record.status = ScreeningRecord.Status.SIGNED
            record.decision = decision
            record.rules_outcome = outcome.outcome
            record.rules_reasons = [
                {"rule": r.rule, "level": r.level, "message": r.message} for r in outcome.reasons
            ]
            record.decision_reason = "" if outcome.outcome == decision else OVERRIDE_NOTE
            record.signed_by_id = actor_id
            record.signed_at = end
        records.append(record)
        history.extend(_history(patient, patient.stage, actor_id, end, rng))
    ScreeningRecord.objects.bulk_create(records, batch_size=500)
    PathwayTransition.objects.bulk_create(history, batch_size=500)
    return len(records)
