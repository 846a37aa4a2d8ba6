"""May this patient be dosed on this date, and if not, what is missing?

The one answer scheduling (`scheduling.stage.booking_allowed`) and the dosing
session use, so the rule lives in one place (DESIGN.md: nothing lets a dosing
session start unless screening is approved, the plan is signed, consent is current
and the pre-dose checks passed; the pre-dose checks belong to the session itself).

Steps, each named in words clinic staff read when missing:
- screening approved: a prescriber's eligible decision in the current course;
- plan signed: the audited "Treatment plan signed" step in the current course, and
  the plan in force (signed, not replaced) not past its re-evaluation date on the
  day (`plan_readiness`);
- consent current: signed by the patient and countersigned, on the latest published
  version of the form for the plan's route (`consent.status`);
- preparation done: a therapist marked the preparation of the current course
  complete (`preparation.status`); and the patient is in the dosing phase (or
  maintenance), which marking it complete moves them to;
- an emergency contact on the record (docs/clinical-rules.md: needed before any
  dosing session; the chart and the portal ask for one).
The current course is what follows the latest exit or re-entry (found ineligible,
withdrew, screened again, returned), so an old approval never carries over.

Each step reads its own records: the signed plan in force on the day, the consent
signatures against the latest published form, the therapist's completed preparation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kapclinic.consent.status import consent_problem
from kapclinic.patients.models import Contact, PathwayStage, Patient
from kapclinic.preparation.status import preparation_problem
from kapclinic.treatment.models import PathwayTransition
from kapclinic.treatment.pathway import stage_label
from kapclinic.treatment.plan_readiness import plan_problem

# Stages in which a patient may receive a dose.
DOSING_STAGES = frozenset({PathwayStage.DOSING, PathwayStage.MAINTENANCE})
# Transitions that end one course and start the next from scratch.
COURSE_RESETS = frozenset({"decide_ineligible", "withdraw", "rescreen", "return_after_withdrawal"})
_STEPS = {
    "decide_eligible": "screening",
    "sign_plan": "plan",
    "sign_consent": "consent",
}
_RELEVANT = (*COURSE_RESETS, *_STEPS)


@dataclass(frozen=True)
class MissingStep:
    """One step the patient still needs before a dose, in words for clinic staff."""

    step: str
    message: str


@dataclass(frozen=True)
class Readiness:
    """The answer: ready, or every missing step (never only the first)."""

    missing: tuple[MissingStep, ...]

    @property
    def ready(self) -> bool:
        return not self.missing

    def __bool__(self) -> bool:
        return self.ready

    def summary(self) -> str:
        if self.ready:
            return "Ready for dosing."
        return "Not ready for dosing: " + "; ".join(step.message for step in self.missing) + "."


def steps_done(patient: Patient) -> set[str]:
    """The readiness steps recorded in the patient's current course (one query)."""
    names = (
        PathwayTransition.objects.filter(patient_id=patient.pk, name__in=_RELEVANT)
        .order_by("-occurred_at", "-id")
        .values_list("name", flat=True)
    )
    done: set[str] = set()
    for name in names:
        if name in COURSE_RESETS:
            break
        done.add(_STEPS[name])
    return done


def dosing_readiness(patient: Patient, on_date: date) -> Readiness:
    """Whether `patient` may be dosed on `on_date`, with every missing step.

    `on_date` is the day of the dose: the plan must be in force and the consent on
    the form published by then.
    """
    done = steps_done(patient)
    missing: list[MissingStep] = []
    if "screening" not in done:
        missing.append(MissingStep("screening", "screening not approved by a prescriber"))
    if "plan" not in done:
        missing.append(MissingStep("plan", "treatment plan not signed"))
    else:
        problem = plan_problem(patient, on_date)
        if problem:
            missing.append(MissingStep("plan", problem))
    consent = consent_problem(patient.pk, on_date)
    if consent is not None:
        missing.append(MissingStep("consent", consent))
    preparation = preparation_problem(patient.pk)
    if preparation is not None:
        missing.append(MissingStep("preparation", preparation))
    if not Contact.objects.filter(patient_id=patient.pk, is_emergency=True).exists():
        missing.append(MissingStep("contact", "no emergency contact on the record"))
    if patient.stage not in DOSING_STAGES and not (
        patient.stage == PathwayStage.PREPARATION and preparation is not None
    ):
        missing.append(
            MissingStep(
                "stage",
                f"the patient is at “{stage_label(patient.stage)}”, not in the dosing phase",
            )
        )
    return Readiness(tuple(missing))
