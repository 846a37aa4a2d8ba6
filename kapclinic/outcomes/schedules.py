"""When a scheduled questionnaire falls due: pure logic, no Django, no other app.

A schedule is a list of rules, each naming a trigger and one instrument. The
planner (`outcomes/schedule_plan.py`) feeds in the patient's phase and dosing
sessions and creates one assignment per `Due` this module returns; each `Due`
carries a key unique to its occasion ("before_dose:41:qids_sr16"), so the same
occasion is never asked twice however often the planner runs.

Default rules and why (CLINICAL.md 5):
- baseline, PHQ-9 + GAD-7 + C-SSRS screen: change is measured from the last score
  before the first dose, and suicide risk is screened before treatment starts;
- before each dose, QIDS-SR16: its 7-day recall fits the days between sessions
  (PHQ-9 and GAD-7 ask about 2 weeks), and its item 12 raises a risk alert before
  the patient is dosed;
- 24 hours after each dose, QIDS-SR16: ketamine's effect is measured at 24 hours in
  the trials, and the same instrument as before the dose makes the two comparable;
- weekly during the course and for 8 weeks after it, PHQ-9 + GAD-7 + C-SSRS
  screen: the outcome measures the response, remission and reliable-change rules
  use, and the median time to relapse after a course was 18 days (Murrough 2013),
  so weekly for 8 weeks covers about three times that;
- monthly in maintenance, PHQ-9 + GAD-7 + C-SSRS screen: the loss-of-response
  signal needs regular scores, and risk is screened at each.
PCL-5 and others depend on the indication: the care team adds them per patient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BASELINE = "baseline"
BEFORE_DOSE = "before_dose"
AFTER_DOSE = "after_dose"
WEEKLY = "weekly"
MONTHLY = "monthly"

TRIGGER_LABELS = {
    BASELINE: "Baseline, before the first dose",
    BEFORE_DOSE: "Before each dosing session",
    AFTER_DOSE: "24 hours after each dosing session",
    WEEKLY: "Weekly during the course and for some weeks after",
    MONTHLY: "Monthly in maintenance",
}
# When two occasions ask for the same instrument at once, the patient answers one:
# the one tied to a dose comes first.
PRIORITY = (BEFORE_DOSE, AFTER_DOSE, BASELINE, WEEKLY, MONTHLY)

# Phases of care, from the pathway stage (and a signed plan's phase).
BEFORE_COURSE = "before_course"
COURSE = "course"
AFTER_COURSE = "after_course"
MAINTENANCE = "maintenance"
NO_SCHEDULE = "none"

BASELINE_OPENS = dt.timedelta(days=7)
BEFORE_DOSE_OPENS = dt.timedelta(hours=48)
AFTER_DOSE_DELAY = dt.timedelta(hours=24)
AFTER_DOSE_CLOSES = dt.timedelta(hours=72)
WEEK = dt.timedelta(days=7)
MONTH = dt.timedelta(days=28)  # four weeks: the same weekday every time
WEEKLY_WINDOW = dt.timedelta(days=6)
MONTHLY_WINDOW = dt.timedelta(days=14)
DEFAULT_WEEKS_AFTER_COURSE = 8


@dataclass(frozen=True)
class Rule:
    trigger: str
    instrument: str
    weeks_after_course: int = DEFAULT_WEEKS_AFTER_COURSE


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(BASELINE, "phq9"),
    Rule(BASELINE, "gad7"),
    Rule(BASELINE, "cssrs_screen"),
    Rule(BEFORE_DOSE, "qids_sr16"),
    Rule(AFTER_DOSE, "qids_sr16"),
    Rule(WEEKLY, "phq9"),
    Rule(WEEKLY, "gad7"),
    Rule(WEEKLY, "cssrs_screen"),
    Rule(MONTHLY, "phq9"),
    Rule(MONTHLY, "gad7"),
    Rule(MONTHLY, "cssrs_screen"),
)


@dataclass(frozen=True)
class Dose:
    """One dosing session: `ref` names it (the appointment), `ended_at` is when the
    patient left (discharge, or the visit's end once completed), None if it has not
    happened; `upcoming` is a booked session still ahead."""

    ref: int
    start: dt.datetime
    ended_at: dt.datetime | None
    upcoming: bool


@dataclass(frozen=True)
class Due:
    key: str
    trigger: str
    instrument: str
    due_at: dt.datetime
    expires_at: dt.datetime


_STAGE_PHASES = {
    "consultation": BEFORE_COURSE,
    "screening": BEFORE_COURSE,
    "eligibility": BEFORE_COURSE,
    "treatment_plan": BEFORE_COURSE,
    "consent": BEFORE_COURSE,
    "preparation": BEFORE_COURSE,
    "dosing": COURSE,
    "review": COURSE,
    "maintenance": MAINTENANCE,
    "follow_up": AFTER_COURSE,
}


def phase_for(stage: str, plan_phase: str | None = None) -> str:
    """The phase of care for a pathway stage; a signed maintenance plan makes a
    patient still marked as in the dosing phase a maintenance patient."""
    phase = _STAGE_PHASES.get(stage, NO_SCHEDULE)
    if phase == COURSE and plan_phase == MAINTENANCE:
        return MAINTENANCE
    return phase


def _per_dose(
    rule: Rule, doses: Sequence[Dose], now: dt.datetime
) -> Iterable[tuple[str, dt.datetime, dt.datetime]]:
    for dose in doses:
        if rule.trigger == BEFORE_DOSE and dose.upcoming:
            opens = dose.start - BEFORE_DOSE_OPENS
            if opens <= now < dose.start:
                yield f"{BEFORE_DOSE}:{dose.ref}", opens, dose.start
        if rule.trigger == AFTER_DOSE and dose.ended_at is not None:
            due = dose.ended_at + AFTER_DOSE_DELAY
            closes = dose.ended_at + AFTER_DOSE_CLOSES
            if due <= now < closes:
                yield f"{AFTER_DOSE}:{dose.ref}", due, closes


def _occasions(
    rule: Rule, phase: str, doses: Sequence[Dose], now: dt.datetime
) -> Iterable[tuple[str, dt.datetime, dt.datetime]]:
    done = [d for d in doses if d.ended_at is not None]
    if rule.trigger in (BEFORE_DOSE, AFTER_DOSE):
        yield from _per_dose(rule, doses, now)
        return
    if rule.trigger == BASELINE:
        upcoming = [d.start for d in doses if d.upcoming and d.start > now]
        if not done and upcoming:
            first = min(upcoming)
            opens = first - BASELINE_OPENS
            if opens <= now:
                yield BASELINE, opens, first
        return
    if not done:
        return
    first_start = min(d.start for d in done)
    if rule.trigger == WEEKLY and phase in (COURSE, AFTER_COURSE):
        weeks = (now - first_start) // WEEK
        due = first_start + weeks * WEEK
        if weeks < 1:
            return
        if phase == AFTER_COURSE:
            last_end = max(d.ended_at for d in done if d.ended_at is not None)
            if due > last_end + rule.weeks_after_course * WEEK:
                return
        yield f"{WEEKLY}:{weeks}", due, due + WEEKLY_WINDOW
    if rule.trigger == MONTHLY and phase == MAINTENANCE:
        months = (now - first_start) // MONTH
        due = first_start + months * MONTH
        if months >= 1 and now < due + MONTHLY_WINDOW:
            yield f"{MONTHLY}:{months}", due, due + MONTHLY_WINDOW


def due_now(
    rules: Iterable[Rule], phase: str, doses: Sequence[Dose], now: dt.datetime
) -> list[Due]:
    """Every questionnaire whose occasion is open at `now`, each with its occasion
    key, due time and expiry; the dose-tied ones first, as the planner asks one
    questionnaire of each kind at a time."""
    if phase == NO_SCHEDULE:
        return []
    found: list[Due] = []
    ordered = sorted(rules, key=lambda r: (PRIORITY.index(r.trigger), r.instrument))
    for rule in ordered:
        for occasion, due_at, expires_at in _occasions(rule, phase, doses, now):
            if now < expires_at:
                key = f"{occasion}:{rule.instrument}"
                found.append(Due(key, rule.trigger, rule.instrument, due_at, expires_at))
    return found
