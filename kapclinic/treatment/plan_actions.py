"""Writing and signing treatment plans.

Each action is atomic, takes the acting user as keyword-only `actor`, and writes one
audit row (field names and codes only). Only a prescriber with clinical access
(care team, or a break-glass grant, flagged) writes or signs a plan.

Versions: a patient has at most one draft. A draft written while a signed plan is
current is its next version (`supersedes` the signed one); signing it marks the old
one SUPERSEDED, which is kept and stays viewable. A signed plan is never changed.

The dose is computed by `dose.compute_dose` from the latest weight when the draft is
saved; signing refuses a draft whose weight is no longer the latest (save again to
recompute), and a weight older than the site's limit must be acknowledged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import SiteSettings
from kapclinic.outcomes.summary import refresh_summary
from kapclinic.patients.access import AccessBasis, clinical_write_basis
from kapclinic.patients.models import BodyMeasurement, PathwayStage, Patient
from kapclinic.screening.models import ScreeningRecord
from kapclinic.treatment import actions as pathway
from kapclinic.treatment.dose import DoseRefused, DoseResult, compute_dose
from kapclinic.treatment.models import PlanPhase, PlanStatus, Protocol, TreatmentPlan

# Stages at which the eligibility decision has been made and the patient is still on
# the pathway: a plan may be written (or a new version of it) from here on.
PLAN_STAGES = frozenset(
    {
        PathwayStage.ELIGIBILITY,
        PathwayStage.TREATMENT_PLAN,
        PathwayStage.CONSENT,
        PathwayStage.PREPARATION,
        PathwayStage.DOSING,
        PathwayStage.REVIEW,
        PathwayStage.MAINTENANCE,
    }
)
TEXT_MAX = 2000


class PlanError(ValueError):
    """A plan the rules refuse; `field` names the form field it concerns, if one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def require_prescriber(actor: User, patient: Patient) -> AccessBasis:
    basis = clinical_write_basis(actor, patient) if actor.role == Role.PRESCRIBER else None
    if basis is None:
        raise PermissionDenied("Only a prescriber on the care team writes or signs a plan.")
    return basis


def latest_weight(patient: Patient) -> BodyMeasurement | None:
    return (
        BodyMeasurement.objects.filter(patient_id=patient.pk, weight_kg__isnull=False)
        .only("pk", "weight_kg", "measured_at")
        .first()
    )


def screening_approved(patient: Patient) -> bool:
    """The latest signed screening decision is "eligible" (an amendment, once signed,
    replaces the decision it corrects)."""
    decision = (
        ScreeningRecord.objects.filter(patient_id=patient.pk, status=ScreeningRecord.Status.SIGNED)
        .order_by("-signed_at", "-id")
        .values_list("decision", flat=True)
        .first()
    )
    return decision == ScreeningRecord.Decision.ELIGIBLE


def eligibility_problem(patient: Patient) -> str | None:
    """Why no plan may be written for `patient` now, or None if one may."""
    if patient.stage not in PLAN_STAGES:
        return (
            "A treatment plan is written once a prescriber has found the patient eligible; "
            f"the patient is at “{patient.get_stage_display()}”."
        )
    if not screening_approved(patient):
        return "The latest signed screening does not find the patient eligible."
    return None


def max_weight_age_days(patient: Patient) -> int:
    days = (
        SiteSettings.objects.filter(site_id=patient.site_id)
        .values_list("max_weight_age_days", flat=True)
        .first()
    )
    return int(days) if days is not None else 30


def local_today(patient: Patient) -> dt.date:
    """Today at the patient's site (dates on a plan are the site's dates)."""
    return timezone.localdate(timezone=ZoneInfo(patient.site.time_zone))


def stale_weight_days(patient: Patient, measured_at: dt.datetime, today: dt.date) -> int | None:
    """The weight's age in days if older than the site's limit, else None."""
    measured_on = timezone.localdate(measured_at, ZoneInfo(patient.site.time_zone))
    age = (today - measured_on).days
    return age if age > max_weight_age_days(patient) else None


def dose_for(
    patient: Patient, protocol: Protocol, amount: Decimal, *, today: dt.date
) -> tuple[DoseResult, BodyMeasurement | None]:
    """The dose `amount` (mg/kg or mg, per the protocol) gives this patient today."""
    weight = latest_weight(patient)
    result = compute_dose(
        route=protocol.route,
        basis=protocol.dose_basis,
        amount=amount,
        max_dose_mg=protocol.max_dose_mg,
        weight_kg=weight.weight_kg if weight is not None else None,
        weight_measured_on=timezone.localdate(weight.measured_at, ZoneInfo(patient.site.time_zone))
        if weight is not None
        else None,
        today=today,
        max_weight_age_days=max_weight_age_days(patient),
    )
    return result, weight


def current_plan(patient: Patient) -> TreatmentPlan | None:
    """The signed plan in force (not replaced), whatever its re-evaluation date."""
    return (
        TreatmentPlan.objects.filter(patient_id=patient.pk, status=PlanStatus.SIGNED)
        .order_by("-version")
        .first()
    )


def _audit(
    actor: User, patient: Patient, plan: TreatmentPlan, basis: AccessBasis, **detail: Any
) -> None:
    if basis.grant_id is not None:
        detail["grant_id"] = basis.grant_id
    record(
        actor=actor,
        action=AuditAction.UPDATE if detail.get("step") != "create" else AuditAction.CREATE,
        patient=patient,
        obj=plan,
        flagged=basis.via_break_glass,
        detail={"version": plan.version, "status": plan.status, **detail},
    )


PLAN_TEXT_FIELDS = ("frequency", "notes")
PLAN_FIELDS = (
    "protocol",
    "route",
    "drug",
    "phase",
    "dose_mg",
    "dose_per_kg",
    "weight_kg",
    "weight_measured_at",
    "max_dose_mg",
    "infusion_minutes",
    "sessions_planned",
    "min_days_between_doses",
    "max_doses_per_week",
    "integration_after_each_dose",
    "frequency",
    "reevaluate_on",
    "notes",
    "dose_capped",
)


def _validate(data: Mapping[str, Any], today: dt.date) -> None:
    if data.get("phase") not in PlanPhase.values:
        raise PlanError("Choose induction or maintenance.", field="phase")
    sessions = data.get("sessions_planned")
    if not isinstance(sessions, int) or not 1 <= sessions <= 52:
        raise PlanError("Plan between 1 and 52 sessions.", field="sessions_planned")
    reevaluate = data.get("reevaluate_on")
    if not isinstance(reevaluate, dt.date) or reevaluate <= today:
        raise PlanError("Choose a re-evaluation date after today.", field="reevaluate_on")
    if reevaluate > today + dt.timedelta(days=366):
        raise PlanError("Re-evaluate within a year.", field="reevaluate_on")
    for name in PLAN_TEXT_FIELDS:
        if len(str(data.get(name, ""))) > TEXT_MAX:
            raise PlanError(f"Please keep this under {TEXT_MAX} characters.", field=name)


@transaction.atomic
def save_draft(
    patient: Patient,
    *,
    actor: User,
    protocol: Protocol,
    data: Mapping[str, Any],
    today: dt.date | None = None,
) -> TreatmentPlan:
    """Write (or rewrite) the patient's draft plan from `protocol`.

    `data` holds `amount` (mg/kg for an mg/kg protocol, else mg), `phase`,
    `frequency`, `sessions_planned`, `reevaluate_on` and `notes`. The protocol's
    course numbers are copied, so later protocol edits never touch this plan.
    """
    basis = require_prescriber(actor, patient)
    # Lock the patient row: two prescribers saving at once must not make two drafts.
    locked_patient = Patient.objects.select_for_update().select_related("site").get(pk=patient.pk)
    problem = eligibility_problem(locked_patient)
    if problem:
        raise PlanError(problem)
    if protocol.site_id != locked_patient.site_id or not protocol.is_active:
        raise PlanError("Choose one of this site's protocols.", field="protocol")
    today = today or local_today(locked_patient)
    _validate(data, today)
    try:
        result, weight = dose_for(locked_patient, protocol, data["amount"], today=today)
    except DoseRefused as refusal:
        raise PlanError(str(refusal), field="amount") from refusal
    values: dict[str, Any] = {
        "protocol": protocol,
        "route": protocol.route,
        "drug": protocol.drug,
        "phase": data["phase"],
        "dose_mg": result.dose_mg,
        "dose_per_kg": result.dose_per_kg,
        "weight_kg": weight.weight_kg if weight is not None else None,
        "weight_measured_at": weight.measured_at if weight is not None else None,
        "max_dose_mg": protocol.max_dose_mg,
        "infusion_minutes": protocol.infusion_minutes,
        "sessions_planned": data["sessions_planned"],
        "min_days_between_doses": protocol.min_days_between_doses,
        "max_doses_per_week": protocol.max_doses_per_week,
        "integration_after_each_dose": protocol.integration_after_each_dose,
        "frequency": str(data.get("frequency", "")).strip(),
        "reevaluate_on": data["reevaluate_on"],
        "notes": str(data.get("notes", "")).strip(),
        "dose_capped": result.capped,
    }
    draft = (
        TreatmentPlan.objects.select_for_update()
        .filter(patient_id=patient.pk, status=PlanStatus.DRAFT)
        .first()
    )
    if draft is not None:
        changed = [name for name in PLAN_FIELDS if getattr(draft, name) != values[name]]
        for name in changed:
            setattr(draft, name, values[name])
        if changed:
            draft.save(update_fields=changed)
            # The first plan gives the route, protocol and sessions planned.
            refresh_summary([patient.pk])
        _audit(actor, patient, draft, basis, step="edit", fields=changed)
        return draft
    signed = current_plan(patient)
    last = (
        TreatmentPlan.objects.filter(patient_id=patient.pk)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    plan = TreatmentPlan.objects.create(
        patient=locked_patient,
        version=(last or 0) + 1,
        supersedes=signed,
        status=PlanStatus.DRAFT,
        created_by=actor,
        **values,
    )
    _audit(actor, patient, plan, basis, step="create", protocol=protocol.pk)
    refresh_summary([patient.pk])
    return plan


@transaction.atomic
def sign_plan(
    plan: TreatmentPlan,
    *,
    actor: User,
    acknowledge_stale_weight: bool = False,
    today: dt.date | None = None,
) -> TreatmentPlan:
    """The prescriber signs the draft. The version it replaces becomes SUPERSEDED;
    a patient waiting at "eligibility decided" moves on to "treatment plan signed"."""
    patient = Patient.objects.select_related("site").get(pk=plan.patient_id)
    basis = require_prescriber(actor, patient)
    locked = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.DRAFT:
        raise PlanError("This plan version is already signed; write a new version to change it.")
    problem = eligibility_problem(patient)
    if problem:
        raise PlanError(problem)
    today = today or local_today(patient)
    if locked.reevaluate_on is not None and locked.reevaluate_on <= today:
        raise PlanError("The re-evaluation date has passed; change it before signing.")
    weight = latest_weight(patient)
    stale = False
    if locked.weight_kg is not None or locked.dose_per_kg is not None:
        if weight is None or weight.measured_at != locked.weight_measured_at:
            raise PlanError(
                "A newer weight was recorded after this draft was saved; "
                "save the plan again so the dose uses it."
            )
        stale = stale_weight_days(patient, weight.measured_at, today) is not None
    if stale and locked.dose_per_kg is not None and not acknowledge_stale_weight:
        raise PlanError(
            "The weight this dose uses is older than the clinic's limit: weigh the patient "
            "again, or confirm you have checked it.",
            field="acknowledge_stale_weight",
        )
    if locked.supersedes_id is not None:
        TreatmentPlan.objects.filter(pk=locked.supersedes_id, status=PlanStatus.SIGNED).update(
            status=PlanStatus.SUPERSEDED
        )
    locked.status = PlanStatus.SIGNED
    locked.signed_by = actor
    locked.signed_at = timezone.now()
    locked.stale_weight_acknowledged = stale and locked.dose_per_kg is not None
    locked.save(update_fields=["status", "signed_by", "signed_at", "stale_weight_acknowledged"])
    _audit(
        actor,
        patient,
        locked,
        basis,
        step="sign",
        supersedes=locked.supersedes_id,
        stale_weight_acknowledged=locked.stale_weight_acknowledged,
    )
    if patient.stage == PathwayStage.ELIGIBILITY:
        pathway.sign_plan(patient, actor=actor)
    return locked


@transaction.atomic
def discard_draft(plan: TreatmentPlan, *, actor: User) -> None:
    """Delete an unsigned draft (nothing was ordered by it; the audit row remains)."""
    patient = Patient.objects.get(pk=plan.patient_id)
    basis = require_prescriber(actor, patient)
    locked = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.DRAFT:
        raise PlanError("A signed plan is kept; write a new version to change it.")
    _audit(actor, patient, locked, basis, step="discard")
    locked.delete()
    refresh_summary([patient.pk])
