"""The long-term safety rules of CLINICAL.md section 7, as pure code (no Django).

Section 7 asks to track, per patient: cumulative dose and session frequency (flag
escalation), blood pressure across sessions, bladder and urinary symptoms monthly
(ketamine cystitis) and misuse signals (requests for early doses, dose escalation,
positive substance use). It gives no numbers, so the thresholds here are the ones
the rest of the record already uses, each named where it is defined:

- frequency: a week with more doses than the plan allows (the plan's
  ``max_doses_per_week``), or more doses in the last 4 weeks than in the 4 before
  (a patient whose doses come closer together);
- dose: a session given more than the plan ordered, or a per-session dose that has
  risen by a quarter or more from the first session of the course [our default];
- blood pressure: a resting (baseline) reading above the site's pre-dose limit
  (default 140/90, CLINICAL.md 4) at each of the last 3 sessions is a sustained
  rise; a rise from baseline at or above the site's warning (default 40 systolic
  or 25 diastolic) is flagged on its session;
- bladder: any symptom is a flag (ketamine cystitis presents with urgency,
  frequency, pain); blood in the urine is urgent; a check older than 31 days is due
  for a patient being dosed, that is dosed within the last 90 days;
- misuse: every recorded request for an early or extra dose and every positive
  substance test is a signal, and two or more early or extra requests in 90 days
  is a pattern.

Every number above is a default of `Thresholds`; each site sets its own (the site
settings page), and the caller passes the patient's site's values in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Level = Literal["warn", "urgent"]


@dataclass(frozen=True)
class Flag:
    """One thing for the prescriber to review, and why."""

    topic: str
    level: Level
    message: str


@dataclass(frozen=True)
class WeekDoses:
    week: dt.date
    doses: int
    allowed: int


@dataclass(frozen=True)
class SessionDose:
    when: dt.datetime
    given_mg: Decimal
    ordered_mg: Decimal


@dataclass(frozen=True)
class SessionPressure:
    when: dt.datetime
    baseline_systolic: int | None
    baseline_diastolic: int | None
    peak_systolic: int | None
    peak_diastolic: int | None


@dataclass(frozen=True)
class Thresholds:
    """One site's long-term safety thresholds, defaulting to the numbers listed above.

    Windows are whole weeks, sessions or days, at least 1; the dose rise is a
    fraction of the first dose, strictly between 0 and 1.
    """

    recent_weeks: int = 4
    sustained_sessions: int = 3
    dose_rise_fraction: Decimal = Decimal("0.25")
    bladder_check_days: int = 31
    request_pattern_count: int = 2
    request_pattern_days: int = 90
    dosing_window_days: int = 90
    resting_systolic: int = 140
    resting_diastolic: int = 90
    rise_systolic: int = 40
    rise_diastolic: int = 25

    def __post_init__(self) -> None:
        # A zero window would silently switch a rule off (or flag everyone): refuse it.
        for name in (
            "recent_weeks",
            "sustained_sessions",
            "bladder_check_days",
            "request_pattern_count",
            "request_pattern_days",
            "dosing_window_days",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if not 0 < self.dose_rise_fraction < 1:
            raise ValueError("dose_rise_fraction must be between 0 and 1")


@dataclass(frozen=True)
class BladderAnswers:
    checked_on: dt.date
    urgency: bool
    frequency: bool
    pain: bool
    blood: bool


def mg(amount: Decimal) -> str:
    """A dose as people write it: 35, 37.5, never 35.00."""
    return format(amount.normalize(), "f")


def frequency_flags(
    weeks: Sequence[WeekDoses], today: dt.date, thresholds: Thresholds
) -> list[Flag]:
    """Weeks above the plan's limit, and doses coming closer together."""
    flags = [
        Flag(
            "frequency",
            "warn",
            f"{w.doses} doses in the week of {w.week:%d %b %Y}, above the plan's {w.allowed}.",
        )
        for w in weeks
        if w.allowed and w.doses > w.allowed
    ]
    span = thresholds.recent_weeks
    recent_start = today - dt.timedelta(weeks=span)
    before_start = recent_start - dt.timedelta(weeks=span)
    recent = sum(w.doses for w in weeks if recent_start < w.week <= today)
    before = sum(w.doses for w in weeks if before_start < w.week <= recent_start)
    # Only a rise from an established rhythm counts: a course starting is no escalation.
    if before and recent > before:
        flags.append(
            Flag(
                "frequency",
                "warn",
                f"{recent} doses in the last {span} weeks, up from {before} "
                f"in the {span} weeks before.",
            )
        )
    return flags


def dose_flags(sessions: Sequence[SessionDose], thresholds: Thresholds) -> list[Flag]:
    """Sessions given more than ordered, and a per-session dose rising over the course."""
    flags = [
        Flag(
            "dose",
            "urgent",
            f"{mg(s.given_mg)} mg given on {s.when:%d %b %Y}, above the "
            f"{mg(s.ordered_mg)} mg ordered.",
        )
        for s in sessions
        if s.given_mg > s.ordered_mg
    ]
    given = [s for s in sorted(sessions, key=lambda s: s.when) if s.given_mg > 0]
    if len(given) >= 2:
        first, last = given[0].given_mg, given[-1].given_mg
        if last >= first * (1 + thresholds.dose_rise_fraction):
            flags.append(
                Flag(
                    "dose",
                    "warn",
                    f"Dose per session has risen from {mg(first)} mg to {mg(last)} mg.",
                )
            )
    return flags


def pressure_flags(sessions: Sequence[SessionPressure], limits: Thresholds) -> list[Flag]:
    """A sustained raised resting pressure, and in-session rises at the warning level."""
    flags = []
    for s in sessions:
        if None in (s.baseline_systolic, s.peak_systolic):
            continue
        assert s.baseline_systolic is not None and s.peak_systolic is not None
        rise_sys = s.peak_systolic - s.baseline_systolic
        rise_dia = (
            (s.peak_diastolic or 0) - (s.baseline_diastolic or 0)
            if s.peak_diastolic is not None and s.baseline_diastolic is not None
            else 0
        )
        if rise_sys >= limits.rise_systolic or rise_dia >= limits.rise_diastolic:
            flags.append(
                Flag(
                    "blood pressure",
                    "warn",
                    f"Blood pressure rose by {rise_sys}/{rise_dia} mmHg on {s.when:%d %b %Y}.",
                )
            )
    sustained = limits.sustained_sessions
    recent = [s for s in sorted(sessions, key=lambda s: s.when) if s.baseline_systolic][-sustained:]
    if len(recent) == sustained and all(
        (s.baseline_systolic or 0) > limits.resting_systolic
        or (s.baseline_diastolic or 0) > limits.resting_diastolic
        for s in recent
    ):
        flags.append(
            Flag(
                "blood pressure",
                "warn",
                f"Resting blood pressure above {limits.resting_systolic}/"
                f"{limits.resting_diastolic} before each of the last {sustained} "
                "sessions: review for hypertension.",
            )
        )
    return flags


def being_dosed(last_dose_on: dt.date | None, today: dt.date, thresholds: Thresholds) -> bool:
    """Whether a patient whose latest dose was on ``last_dose_on`` is still being dosed."""
    return last_dose_on is not None and (today - last_dose_on).days <= thresholds.dosing_window_days


def bladder_flags(
    checks: Sequence[BladderAnswers], today: dt.date, thresholds: Thresholds, *, dosing: bool
) -> list[Flag]:
    """Symptoms at the latest check, and a check due for a patient being dosed."""
    latest = max(checks, key=lambda c: c.checked_on, default=None)
    flags = []
    if latest is not None:
        symptoms = [
            name
            for name, present in (
                ("urgency", latest.urgency),
                ("frequency", latest.frequency),
                ("pain", latest.pain),
                ("blood in the urine", latest.blood),
            )
            if present
        ]
        if symptoms:
            flags.append(
                Flag(
                    "bladder",
                    "urgent" if latest.blood else "warn",
                    f"Urinary symptoms on {latest.checked_on:%d %b %Y}: {', '.join(symptoms)}. "
                    "Consider ketamine cystitis: urine test and review the dose.",
                )
            )
    if dosing and (
        latest is None or (today - latest.checked_on).days > thresholds.bladder_check_days
    ):
        flags.append(Flag("bladder", "warn", "The monthly bladder check is due."))
    return flags


def misuse_flags(
    signals: Sequence[tuple[dt.date, str, str]], today: dt.date, thresholds: Thresholds
) -> list[Flag]:
    """``signals`` are ``(noted_on, kind, kind label)``; kinds ``early_dose`` and
    ``extra_dose`` are requests, ``positive_test`` a positive substance test."""
    flags = [
        Flag(
            "misuse",
            "urgent" if kind == "positive_test" else "warn",
            f"{label} on {noted_on:%d %b %Y}.",
        )
        for noted_on, kind, label in sorted(signals, reverse=True)
    ]
    days = thresholds.request_pattern_days
    since = today - dt.timedelta(days=days)
    requests = [s for s in signals if s[1] in ("early_dose", "extra_dose") and s[0] >= since]
    if len(requests) >= thresholds.request_pattern_count:
        flags.insert(
            0,
            Flag(
                "misuse",
                "urgent",
                f"{len(requests)} requests for early or extra doses in {days} days.",
            ),
        )
    return flags
