"""The baseline questionnaires of the intake: which ones the patient is asked, and
where each stands.

They are the outcomes app's own questionnaires (`QuestionnaireAssignment`), asked
once per intake and answered on the outcomes app's questionnaire page, so scoring,
risk alerts and crisis resources are the same as for any other questionnaire. An
assignment belongs to an intake by its occasion key, `intake:<intake id>:<code>`
(unique per patient, so each is asked once per intake however often the patient
presses the button). The outcomes schedule counts an answer given here as the
baseline when it is fresh (`outcomes.schedule_plan.due_for`); one asked before the
baseline's window and left unanswered is no baseline, so the schedule takes that
copy over (sends it again) rather than asking a second one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from kapclinic.intake.models import Intake
from kapclinic.outcomes import schedules
from kapclinic.outcomes.access import is_patient_rated
from kapclinic.outcomes.instruments import INSTRUMENTS
from kapclinic.outcomes.models import QuestionnaireAssignment, QuestionnaireResponse, ScheduleRule
from kapclinic.outcomes.schedule_plan import effective_rules
from kapclinic.patients.models import Patient

KEY_PREFIX = "intake:"
# How long a baseline questionnaire stays open once asked. The intake is open through
# the consultation and screening, usually a few weeks; a patient who comes back after
# that asks again and gets the same questionnaire reopened, draft kept.
ANSWER_WITHIN = dt.timedelta(days=28)
_DEFAULT_ORDER = [rule.instrument for rule in schedules.DEFAULT_RULES]


def key_for(intake: Intake, instrument: str) -> str:
    return f"{KEY_PREFIX}{intake.pk}:{instrument}"


def _order(code: str) -> tuple[int, str]:
    known = _DEFAULT_ORDER.index(code) if code in _DEFAULT_ORDER else len(_DEFAULT_ORDER)
    return known, INSTRUMENTS[code].name


def baseline_instruments(patient: Patient) -> list[str]:
    """The patient-rated questionnaires the schedule asks at baseline for this patient:
    the site's rules with the patient's own changes; a site that has never had a
    schedule uses the defaults (PHQ-9, GAD-7, C-SSRS screener). One query."""
    rows = list(
        ScheduleRule.objects.filter(
            Q(site_id=patient.site_id) | Q(patient_id=patient.pk),
            # Every site rule, not only baseline ones: a site with any rule has a
            # schedule of its own, and its baseline may be switched off on purpose.
        )
    )
    site_rules = [r for r in rows if r.site_id is not None and r.trigger == schedules.BASELINE]
    if not any(r.site_id is not None for r in rows):
        site_rules = [
            ScheduleRule(trigger=rule.trigger, instrument=rule.instrument)
            for rule in schedules.DEFAULT_RULES
            if rule.trigger == schedules.BASELINE
        ]
    own = [r for r in rows if r.patient_id is not None and r.trigger == schedules.BASELINE]
    codes = {
        rule.instrument
        for rule in effective_rules(site_rules, own)
        if is_patient_rated(rule.instrument)
    }
    return sorted(codes, key=_order)


@dataclass(frozen=True)
class QuestionnaireStep:
    """One baseline questionnaire of the intake: asked yet, answered yet."""

    instrument: str
    assignment: QuestionnaireAssignment | None
    response: QuestionnaireResponse | None

    @property
    def name(self) -> str:
        return INSTRUMENTS[self.instrument].name

    @property
    def done(self) -> bool:
        return self.response is not None

    @property
    def waiting(self) -> bool:
        """Asked and still open: the patient can answer it now without asking again."""
        return self.assignment is not None and self.assignment.is_open()

    @property
    def at_risk(self) -> bool:
        return self.response is not None and "suicide_risk" in self.response.flags


def questionnaire_steps(patient: Patient, intake: Intake | None) -> list[QuestionnaireStep]:
    """The intake's baseline questionnaires in order: the ones the schedule asks now,
    plus any already asked in this intake (a rule switched off later does not hide an
    answer given). A fixed number of queries: one, or three once the intake exists."""
    codes = baseline_instruments(patient)
    assignments: dict[str, QuestionnaireAssignment] = {}
    responses: dict[int, QuestionnaireResponse] = {}
    if intake is not None:
        prefix = f"{KEY_PREFIX}{intake.pk}:"
        assignments = {
            a.instrument: a
            for a in QuestionnaireAssignment.objects.filter(
                patient=patient, schedule_key__startswith=prefix
            )
        }
        # A clinician's correction replaces the patient's response: show the newer.
        for response in (
            QuestionnaireResponse.objects.filter(
                patient=patient, assignment__schedule_key__startswith=prefix
            )
            .select_related("replaced_by")
            .order_by("completed_at", "id")
        ):
            assert response.assignment_id is not None
            newer = getattr(response, "replaced_by", None)
            responses[response.assignment_id] = newer if newer is not None else response
    for code in sorted(assignments, key=_order):
        if code not in codes:
            codes.append(code)
    steps = []
    for code in codes:
        assignment = assignments.get(code)
        answered = responses.get(assignment.pk) if assignment is not None else None
        steps.append(QuestionnaireStep(code, assignment, answered))
    return steps
