"""Walk a patient forward along the pathway through the named, audited actions.

For demo data and tests that need a patient at a given stage with the history
that belongs to it (an eligible decision, a signed plan, ...), rather than a stage
set with nothing behind it.
"""

from __future__ import annotations

from kapclinic.accounts.models import User
from kapclinic.consent.walk import sign_and_countersign
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.preparation.walk import completed_preparation
from kapclinic.treatment import actions

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
