"""Walk a patient forward along the pathway through the named, audited actions.

For demo data and tests that need a patient at a given stage with the history
that belongs to it (an eligible decision, a signed plan, ...), rather than a stage
set with nothing behind it.
"""

from __future__ import annotations

from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.consent.walk import sign_and_countersign
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.preparation.walk import completed_preparation
from kapclinic.treatment import actions
from kapclinic.treatment.models import PlanStatus, Protocol, Route, TreatmentPlan
from kapclinic.treatment.protocols import seed_default_protocols

# The forward path, each stage with the action that reaches it.
FORWARD: tuple[tuple[str, str], ...] = (
    (PathwayStage.CONSULTATION, "book_consultation"),
    (PathwayStage.SCREENING, "start_screening"),
    (PathwayStage.ELIGIBILITY, "decide_eligible"),
    (PathwayStage.TREATMENT_PLAN, "sign_plan"),
    (PathwayStage.CONSENT, "sign_consent"),
    (PathwayStage.PREPARATION, "start_preparation"),
    (PathwayStage.DOSING, "start_dosing"),
    (PathwayStage.REVIEW, "start_review"),
    (PathwayStage.MAINTENANCE, "start_maintenance"),
)


def walk_to(patient: Patient, stage: str, *, actor: User) -> None:
    """Move `patient` from where they are forward to `stage` (a prescriber on the
    care team can take every step). Raises PathwayError if `stage` is not ahead."""
    order = [code for code, _ in FORWARD]
    if stage not in order or patient.stage not in (PathwayStage.ENQUIRY, *order):
        raise actions.PathwayError(f"Cannot walk forward to “{stage}”.")
    start = 0 if patient.stage == PathwayStage.ENQUIRY else order.index(patient.stage) + 1
    for code, name in FORWARD[start : order.index(stage) + 1]:
        if name == "sign_plan":
            _signed_plan(patient, actor=actor)
        if name == "sign_consent":
            # Consent is a signed record: the patient signs, the prescriber's
            # countersignature takes this step, as through the pages.
            sign_and_countersign(patient, actor=actor)
        elif name == "start_dosing" and patient.stage == PathwayStage.PREPARATION:
            # Readiness reads a complete preparation (a therapist's mark on the page).
            completed_preparation(patient, actor=actor)
            actions.start_dosing(patient, actor=actor)
        else:
            actions.ACTIONS[name](patient, actor=actor)
        assert patient.stage == code


def _signed_plan(patient: Patient, *, actor: User) -> TreatmentPlan:
    """The signed plan behind the "plan signed" step (readiness checks the record).

    The site's lozenge protocol, a fixed dose, so no weight is needed; no
    re-evaluation date, so a walked patient may be booked on any later day.
    """
    seed_default_protocols(patient.site, actor=actor)
    protocol = Protocol.objects.get(site_id=patient.site_id, route=Route.ORAL)
    version = TreatmentPlan.objects.filter(patient_id=patient.pk).count() + 1
    TreatmentPlan.objects.filter(patient_id=patient.pk, status=PlanStatus.SIGNED).update(
        status=PlanStatus.SUPERSEDED
    )
    plan = TreatmentPlan.objects.create(
        patient=patient,
        protocol=protocol,
        version=version,
        status=PlanStatus.SIGNED,
        route=protocol.route,
        drug=protocol.drug,
        dose_mg=protocol.usual_dose,
        max_dose_mg=protocol.max_dose_mg,
        sessions_planned=protocol.sessions_in_course,
        min_days_between_doses=protocol.min_days_between_doses,
        max_doses_per_week=protocol.max_doses_per_week,
        integration_after_each_dose=protocol.integration_after_each_dose,
        created_by=actor,
        signed_by=actor,
        signed_at=timezone.now(),
    )
    record(actor=actor, action=AuditAction.CREATE, patient=patient, obj=plan, detail={"walk": True})
    return plan
