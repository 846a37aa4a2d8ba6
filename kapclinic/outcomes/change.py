"""Change over time in one patient's scores: response, remission, reliable change, relapse.

Pure code (no Django, no other app) over a history of ``(when, total)`` pairs,
``when`` being a date or an aware datetime (not a mix). Definitions from the team's
CLINICAL.md section 5:

- baseline: the last score before the first dosing session.
- response: a fall of at least 50% from baseline (PHQ-9, GAD-7, QIDS-SR16, MADRS);
  Y-BOCS at least 35%; PCL-5 a fall of at least 10 points is clinically meaningful
  and of at least 5 a minimal response [secondary source].
- remission: PHQ-9 under 5, GAD-7 under 5, QIDS-SR16 5 or less, MADRS 10 or less
  (IV ketamine trials; esketamine trials use 12, so it is the site setting
  ``madrs_remission_at_or_below``), Y-BOCS 12 or less.
- reliable change: PHQ-9 6 points or more, GAD-7 4 or more (the thresholds NHS
  Talking Therapies reports) [secondary source].
- loss of response (relapse signal): after a response, two consecutive scores at
  least 5 days apart that no longer meet the response criterion (for the 50%
  scales: back above 50% of baseline), or MADRS 22 or more (Salloum 2019), or a
  hospitalisation or suicide attempt. Median time to relapse after six IV infusions
  was 18 days (Murrough 2013), so scores are taken weekly after a course.

For Y-BOCS and PCL-5, "no longer meets the response criterion" stands in for
"above 50% of baseline": their response is not defined as a 50% fall, and a
responder at 60% of baseline on Y-BOCS has not relapsed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from kapclinic.lib.field_error import FieldValueError

History = Sequence[tuple[date, int]]

# Percentage fall from baseline that is a response.
RESPONSE_PERCENT: dict[str, int] = {
    "phq9": 50,
    "gad7": 50,
    "qids_sr16": 50,
    "madrs": 50,
    "ybocs": 35,
}
PCL5_RESPONSE_POINTS = 10
PCL5_MINIMAL_RESPONSE_POINTS = 5
# Highest total that is a remission (PHQ-9 and GAD-7 "under 5" is 4 or less).
REMISSION_AT_OR_BELOW: dict[str, int] = {
    "phq9": 4,
    "gad7": 4,
    "qids_sr16": 5,
    "madrs": 10,
    "ybocs": 12,
}
RELIABLE_CHANGE_POINTS: dict[str, int] = {"phq9": 6, "gad7": 4}
MADRS_RELAPSE_AT_OR_ABOVE = 22
RELAPSE_MIN_DAYS_APART = 5

ResponseLevel = Literal["response", "minimal response", "no response"]
ReliableChange = Literal["improved", "deteriorated", "no reliable change"]
RelapseReason = Literal["scores_back_up", "madrs_at_or_above_22", "hospitalisation_or_attempt"]

_RELAPSE_MESSAGES: dict[str, str] = {
    "scores_back_up": "Two scores in a row, at least 5 days apart, no longer show a response.",
    "madrs_at_or_above_22": "MADRS at 22 or more after a response.",
    "hospitalisation_or_attempt": "Hospitalisation or suicide attempt after a response.",
}


@dataclass(frozen=True)
class RelapseSignal:
    """When the loss-of-response signal was first met, and why: review for a booster."""

    when: date
    reason: RelapseReason

    @property
    def message(self) -> str:
        return _RELAPSE_MESSAGES[self.reason]


def baseline(history: History, first_dose: date) -> tuple[date, int] | None:
    """The last score strictly before ``first_dose``; None if there is none.

    Pass the dosing session's start time (a datetime) to count a questionnaire
    answered the same morning; with plain dates a same-day score is after it.
    """
    _check_when(first_dose, "first_dose")
    before = [entry for entry in _sorted(history) if entry[0] < first_dose]
    return before[-1] if before else None


def percent_fall(baseline_total: int, total: int) -> float | None:
    """The fall from baseline in percent (negative if worse); None from a baseline of 0."""
    _check_totals(baseline_total, total)
    if baseline_total == 0:
        return None
    return (baseline_total - total) * 100 / baseline_total


def response_level(code: str, baseline_total: int, total: int) -> ResponseLevel:
    """Whether ``total`` is a response compared with ``baseline_total`` (CLINICAL.md 5)."""
    _check_totals(baseline_total, total)
    if code == "pcl5":
        fall = baseline_total - total
        if fall >= PCL5_RESPONSE_POINTS:
            return "response"
        return "minimal response" if fall >= PCL5_MINIMAL_RESPONSE_POINTS else "no response"
    percent = RESPONSE_PERCENT.get(code)
    if percent is None:
        raise FieldValueError("code", f"no response definition for {code!r}")
    # Whole-number arithmetic so that exactly 50% counts, with no rounding.
    if baseline_total > 0 and (baseline_total - total) * 100 >= percent * baseline_total:
        return "response"
    return "no response"


def is_response(code: str, baseline_total: int, total: int) -> bool:
    return response_level(code, baseline_total, total) == "response"


def is_remission(code: str, total: int, *, madrs_remission_at_or_below: int = 10) -> bool:
    """Whether ``total`` is a remission; the MADRS limit is the site's setting."""
    _check_totals(total)
    limits = {**REMISSION_AT_OR_BELOW, "madrs": madrs_remission_at_or_below}
    limit = limits.get(code)
    if limit is None:
        raise FieldValueError("code", f"no remission definition for {code!r}")
    return total <= limit


def reliable_change(code: str, baseline_total: int, total: int) -> ReliableChange:
    """Improvement or deterioration beyond measurement noise (PHQ-9 and GAD-7 only)."""
    _check_totals(baseline_total, total)
    points = RELIABLE_CHANGE_POINTS.get(code)
    if points is None:
        raise FieldValueError("code", f"no reliable-change threshold for {code!r}")
    if baseline_total - total >= points:
        return "improved"
    if total - baseline_total >= points:
        return "deteriorated"
    return "no reliable change"


def first_response(code: str, history: History, first_dose: date) -> date | None:
    """When a score from the first dose on first met the response criterion."""
    start = baseline(history, first_dose)
    if start is None:
        return None
    for when, total in _sorted(history):
        if when >= first_dose and is_response(code, start[1], total):
            return when
    return None


def loss_of_response(
    code: str,
    history: History,
    first_dose: date,
    *,
    events: Iterable[date] = (),
) -> RelapseSignal | None:
    """The first relapse signal after a response, or None (CLINICAL.md 5).

    ``events`` are the dates of hospitalisations or suicide attempts.
    """
    start = baseline(history, first_dose)
    if start is None:
        return None
    responded_on: date | None = None
    run_start: date | None = None
    signal: RelapseSignal | None = None
    for when, total in _sorted(history):
        if when < first_dose:
            continue
        responding = is_response(code, start[1], total)
        if responded_on is None:
            if responding:
                responded_on = when
            continue
        if code == "madrs" and total >= MADRS_RELAPSE_AT_OR_ABOVE:
            signal = RelapseSignal(when, "madrs_at_or_above_22")
            break
        if responding:
            run_start = None
        elif run_start is None:
            run_start = when
        elif _days_between(run_start, when) >= RELAPSE_MIN_DAYS_APART:
            signal = RelapseSignal(when, "scores_back_up")
            break
    if responded_on is None:
        return None
    after = sorted(event for event in events if event >= responded_on)
    if after and (signal is None or after[0] < signal.when):
        return RelapseSignal(after[0], "hospitalisation_or_attempt")
    return signal


def _days_between(earlier: date, later: date) -> int:
    return (later - earlier).days


def _sorted(history: History) -> list[tuple[date, int]]:
    for index, entry in enumerate(history):
        if not isinstance(entry, tuple | list) or len(entry) != 2:
            raise FieldValueError(f"history[{index}]", "must be a (date, total) pair")
        when, total = entry
        _check_when(when, f"history[{index}]")
        _check_totals(total, field=f"history[{index}]")
    return sorted(history, key=lambda entry: entry[0])


def _check_when(when: object, field: str) -> None:
    if not isinstance(when, date):
        raise FieldValueError(field, "needs a date or time")
    if isinstance(when, datetime) and when.tzinfo is None:
        raise FieldValueError(field, "needs an aware time (with a time zone)")


def _check_totals(*totals: int, field: str = "total") -> None:
    for total in totals:
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise FieldValueError(field, f"{total!r} is not a possible total")
