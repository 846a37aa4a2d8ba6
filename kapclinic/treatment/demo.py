"""Demo protocols and treatment plans for `seed_demo` (synthetic data only).

Every site gets the default protocols. Patients whose history has "plan signed"
(treatment plan stage onwards, with a signed eligible screening) get the signed
plan behind it, dated at that step, with the dose computed as the real action would
from their latest weight; some further along have a second version that replaced
the first. About half the patients at "eligibility decided" have a draft awaiting
the prescriber's signature. Idempotent: patients with any plan are left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kapclinic.clinics.models import Site
from kapclinic.patients.models import BodyMeasurement, CareTeamMember, PathwayStage, Patient
from kapclinic.screening.models import ScreeningRecord
from kapclinic.treatment.dose import DoseRefused, compute_dose
from kapclinic.treatment.models import (
    PathwayTransition,
    PlanPhase,
    PlanStatus,
    Protocol,
    Route,
    TreatmentPlan,
)
from kapclinic.treatment.protocols import missing_defaults

SIGNED_STAGES = frozenset(
    {
        PathwayStage.TREATMENT_PLAN,
        PathwayStage.CONSENT,
        PathwayStage.PREPARATION,
        PathwayStage.DOSING,
        PathwayStage.REVIEW,
        PathwayStage.MAINTENANCE,
    }
)
FREQUENCY = {
    Route.IV: "Three times a week for two weeks",
    Route.IM: "Twice a week for three weeks",
    Route.ORAL: "Twice a week, integration session between doses",
    Route.INTRANASAL: "Twice a week, weeks 1-4",
}


def _plan(
    patient: Patient,
    protocol: Protocol,
    *,
    prescriber_id: int,
    weight: tuple[Decimal, dt.datetime] | None,
    signed_at: dt.datetime | None,
    version: int,
    amount: Decimal,
    today: dt.date,
) -> TreatmentPlan | None:
    try:
        dose = compute_dose(
            route=protocol.route,
            basis=protocol.dose_basis,
            amount=amount,
            max_dose_mg=protocol.max_dose_mg,
            weight_kg=weight[0] if weight else None,
            weight_measured_on=weight[1].date() if weight else None,
            today=today,
            max_weight_age_days=30,
        )
    except DoseRefused:
        return None
    written = signed_at or timezone.now()
    return TreatmentPlan(
        patient=patient,
        protocol=protocol,
        version=version,
        status=PlanStatus.SIGNED if signed_at else PlanStatus.DRAFT,
        route=protocol.route,
        drug=protocol.drug,
        phase=PlanPhase.INDUCTION,
        dose_mg=dose.dose_mg,
        dose_per_kg=dose.dose_per_kg,
        weight_kg=dose.weight_kg,
        weight_measured_at=weight[1] if weight and dose.weight_kg is not None else None,
        max_dose_mg=protocol.max_dose_mg,
        infusion_minutes=protocol.infusion_minutes,
        sessions_planned=protocol.sessions_in_course,
        min_days_between_doses=protocol.min_days_between_doses,
        max_doses_per_week=protocol.max_doses_per_week,
        integration_after_each_dose=protocol.integration_after_each_dose,
        frequency=FREQUENCY[Route(protocol.route)],
        # Far enough ahead that patients dosing in the demo are ready today.
        reevaluate_on=max(written.date() + dt.timedelta(days=56), today + dt.timedelta(days=28)),
        dose_capped=dose.capped,
        created_by_id=prescriber_id,
        created_at=written - dt.timedelta(hours=1),
        signed_by_id=prescriber_id if signed_at else None,
        signed_at=signed_at,
    )


@transaction.atomic
def build_demo_plans(*, seed: int = 1) -> int:
    """Seed protocols and create the demo plans; return how many plans were created."""
    rng = random.Random(f"kapclinic-demo-plans:{seed}")  # noqa: S311 - synthetic data
    # Demo data writes no audit rows (it is not something anyone did).
    for site in Site.objects.order_by("pk"):
        Protocol.objects.bulk_create(missing_defaults(site))
    protocols: dict[int, list[Protocol]] = {}
    for protocol in Protocol.objects.filter(is_active=True).order_by("pk"):
        protocols.setdefault(protocol.site_id, []).append(protocol)
    prescribers = dict(
        CareTeamMember.objects.filter(role=CareTeamMember.Role.PRESCRIBER)
        .order_by("added_at")
        .values_list("patient_id", "user_id")
    )
    approved = ScreeningRecord.objects.filter(
        status=ScreeningRecord.Status.SIGNED, decision=ScreeningRecord.Decision.ELIGIBLE
    ).values("patient_id")
    patients = list(
        Patient.objects.filter(
            stage__in=[*SIGNED_STAGES, PathwayStage.ELIGIBILITY],
            treatment_plans__isnull=True,
            pk__in=approved,
        ).order_by("pk")
    )
    ids = [p.pk for p in patients]
    weights: dict[int, tuple[Decimal, dt.datetime]] = {}
    for pid, kg, measured in (
        BodyMeasurement.objects.filter(patient_id__in=ids, weight_kg__isnull=False)
        .order_by("measured_at", "pk")
        .values_list("patient_id", "weight_kg", "measured_at")
    ):
        if kg is not None:
            weights[pid] = (kg, measured)  # the last one wins: the latest weight
    signed_when = dict(
        PathwayTransition.objects.filter(patient_id__in=ids, name="sign_plan")
        .order_by("occurred_at")
        .values_list("patient_id", "occurred_at")
    )
    today = timezone.localdate()
    first: list[TreatmentPlan] = []
    revise: list[TreatmentPlan] = []
    for patient in patients:
        prescriber = prescribers.get(patient.pk)
        choices = protocols.get(patient.site_id, [])
        if prescriber is None or not choices:
            continue
        protocol = rng.choice(choices)
        if protocol.dose_basis == "per_kg" and patient.pk not in weights:
            protocol = next((p for p in choices if p.dose_basis == "fixed"), protocol)
        signed = patient.stage in SIGNED_STAGES
        if not signed and patient.pk % 2:
            # Still waiting for the prescriber to write it (by id, so a second run
            # leaves the same patients waiting).
            continue
        at: dt.datetime | None = signed_when.get(patient.pk, timezone.now()) if signed else None
        plan = _plan(
            patient,
            protocol,
            prescriber_id=prescriber,
            weight=weights.get(patient.pk),
            signed_at=at,
            version=1,
            amount=protocol.usual_dose,
            today=today,
        )
        if plan is None:
            continue
        first.append(plan)
        later = patient.stage in (PathwayStage.REVIEW, PathwayStage.MAINTENANCE)
        if later and at is not None and rng.random() < 0.5:
            revise.append(plan)
    TreatmentPlan.objects.bulk_create(first, batch_size=500)
    second: list[TreatmentPlan] = []
    for old in revise:
        revised_at = min(timezone.now(), (old.signed_at or timezone.now()) + dt.timedelta(days=14))
        # A lower dose after side effects, or the maintenance phase after review.
        amount = old.dose_per_kg * Decimal("0.8") if old.dose_per_kg else old.dose_mg
        new = _plan(
            old.patient,
            old.protocol,
            prescriber_id=old.created_by_id,
            weight=weights.get(old.patient_id),
            signed_at=revised_at,
            version=2,
            amount=amount.quantize(Decimal("0.01")),
            today=today,
        )
        if new is None:
            continue
        new.supersedes = old
        new.phase = PlanPhase.MAINTENANCE
        new.frequency = "Every two weeks, review monthly"
        second.append(new)
    TreatmentPlan.objects.bulk_create(second, batch_size=500)
    TreatmentPlan.objects.filter(pk__in=[p.supersedes_id for p in second]).update(
        status=PlanStatus.SUPERSEDED
    )
    return len(first) + len(second)
