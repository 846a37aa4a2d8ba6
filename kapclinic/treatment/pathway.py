"""The KAP pathway as a state machine: which stage may follow which, and why.

The stages are `Patient.stage` codes (DESIGN.md "The pathway"). Each transition has
a name; `treatment.actions` has one action per name and nothing else writes the
stage (demo data sets it at creation only).

The forward path:
    enquiry -> consultation -> screening -> eligibility (decided eligible)
    -> treatment_plan (plan signed) -> consent (consent signed) -> preparation
    -> dosing -> review (end of induction) -> maintenance or follow_up.
    maintenance -> follow_up when maintenance ends.

Leaving the pathway, always with a written reason:
- ``ineligible``: only from the stages where eligibility is being or has been
  decided and no dose has been given (screening up to preparation), because new
  facts (a pregnancy, a new interacting medicine) can still rule a patient out.
  Once dosing has started a problem is handled by withdrawing or by the review.
- ``withdrawn``: from any active stage (a patient may stop at any time).

Re-entry, also with a written reason:
- ``ineligible -> screening``: circumstances changed (e.g. blood pressure now
  controlled); the patient is screened again from the start, never sent straight
  to a plan, because the old decision no longer holds.
- ``withdrawn -> consultation``: a returning patient starts with a consultation,
  since their situation may have changed since they left.
- ``follow_up -> screening``: a new course after completion needs fresh screening.
- ``maintenance -> review`` : a maintenance patient is reviewed again, and
  ``review -> dosing`` allows a further induction course decided at review.
"""

from __future__ import annotations

from dataclasses import dataclass

from kapclinic.patients.models import PathwayStage as S


@dataclass(frozen=True)
class Transition:
    """One allowed move: its name, the stages it starts from, where it goes."""

    name: str
    label: str
    sources: frozenset[str]
    target: str
    needs_reason: bool = False
    prescriber_only: bool = False


ACTIVE_STAGES = frozenset(
    {
        S.ENQUIRY,
        S.CONSULTATION,
        S.SCREENING,
        S.ELIGIBILITY,
        S.TREATMENT_PLAN,
        S.CONSENT,
        S.PREPARATION,
        S.DOSING,
        S.REVIEW,
        S.MAINTENANCE,
        S.FOLLOW_UP,
    }
)
# Stages where no dose has been given yet but eligibility is in question.
PRE_DOSING_SCREENED = frozenset(
    {S.SCREENING, S.ELIGIBILITY, S.TREATMENT_PLAN, S.CONSENT, S.PREPARATION}
)


def _t(
    name: str,
    label: str,
    sources: set[str] | frozenset[str],
    target: str,
    *,
    needs_reason: bool = False,
    prescriber_only: bool = False,
) -> Transition:
    return Transition(name, label, frozenset(sources), target, needs_reason, prescriber_only)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t("book_consultation", "Consultation booked", {S.ENQUIRY}, S.CONSULTATION),
        _t("start_screening", "Screening started", {S.CONSULTATION}, S.SCREENING),
        _t(
            "decide_eligible",
            "Found eligible",
            {S.SCREENING},
            S.ELIGIBILITY,
            prescriber_only=True,
        ),
        _t(
            "decide_ineligible",
            "Found ineligible",
            PRE_DOSING_SCREENED,
            S.INELIGIBLE,
            needs_reason=True,
            prescriber_only=True,
        ),
        _t(
            "sign_plan",
            "Treatment plan signed",
            {S.ELIGIBILITY},
            S.TREATMENT_PLAN,
            prescriber_only=True,
        ),
        _t("sign_consent", "Consent signed", {S.TREATMENT_PLAN}, S.CONSENT),
        _t("start_preparation", "Preparation started", {S.CONSENT}, S.PREPARATION),
        _t("start_dosing", "Dosing phase started", {S.PREPARATION, S.REVIEW}, S.DOSING),
        _t("start_review", "End-of-induction review", {S.DOSING, S.MAINTENANCE}, S.REVIEW),
        _t("start_maintenance", "Maintenance started", {S.REVIEW}, S.MAINTENANCE),
        _t("complete_course", "Course completed", {S.REVIEW, S.MAINTENANCE}, S.FOLLOW_UP),
        _t("withdraw", "Withdrew", ACTIVE_STAGES, S.WITHDRAWN, needs_reason=True),
        _t(
            "rescreen",
            "Screening again",
            {S.INELIGIBLE, S.FOLLOW_UP},
            S.SCREENING,
            needs_reason=True,
        ),
        _t("return_after_withdrawal", "Returned", {S.WITHDRAWN}, S.CONSULTATION, needs_reason=True),
    )
}


def allowed_from(stage: str) -> list[Transition]:
    """The transitions that may start from `stage`, in the table's order."""
    return [t for t in TRANSITIONS.values() if stage in t.sources]


def stage_label(code: str) -> str:
    try:
        return str(S(code).label)
    except ValueError:
        return code
