"""Scoring of the instruments in ``catalogue``: totals, severity, subscales, flags.

Rules (CLINICAL.md 5):
- The total is the sum of the scored items, except QIDS-SR16: max(items 1-4) +
  item 5 + max(items 6-9, of those answered) + items 10-14 + max(items 15-16).
- Severity is the band label of the total; PCL-5 has no official bands: "probable
  PTSD" at or above the site's cut-point (31-33, default 33), else "below
  threshold"; MOAA/S is the label of the rating; CADSS-6 and BPRS positive have
  none; the C-SSRS screener has no total and its severity is the risk level.
- Subscales: PCL-5 clusters B (1-5), C (6-7), D (8-14), E (15-20); Y-BOCS
  obsessions (1-5) and compulsions (6-10).
- Flags: "suicide_risk" for a critical answer (PHQ-9 item 9 above 0; QIDS-SR16
  item 12 at 2 or more [unconfirmed]; MADRS item 10 at 4 or more [unconfirmed];
  C-SSRS moderate or high); "probable_ptsd" (PCL-5 total at the cut-point);
  "provisional_ptsd_dsm5" (an item rated 2 or more is endorsed; needs at least 1
  in B, 1 in C, 2 in D and 2 in E).
- C-SSRS screener: ask 1 and 2; if 2 is yes ask 3, 4 and 5; always ask 6, and if
  6 is yes whether it was within the past 3 months (a 7th value). High: yes to 4
  or 5, or behaviour within 3 months; moderate: yes to 3, or behaviour longer ago;
  low: yes to 1 or 2 only; none: all no.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes.instruments.catalogue import INSTRUMENTS, Instrument

DEFAULT_THRESHOLDS: dict[str, int] = {
    # A SiteSettings field.
    "pcl5_probable_ptsd_cutoff": 33,
    # Future SiteSettings fields for the [unconfirmed] critical-item levels.
    "qids_sr16_suicide_item_at_or_above": 2,
    "madrs_suicide_item_at_or_above": 4,
}
FUTURE_THRESHOLDS: tuple[str, ...] = (
    "qids_sr16_suicide_item_at_or_above",
    "madrs_suicide_item_at_or_above",
)

CSSRS_RISKS: tuple[str, ...] = ("none", "low", "moderate", "high")


@dataclass(frozen=True)
class Score:
    """The result of scoring one completed instrument."""

    code: str
    total: int | None
    severity: str | None
    subscales: dict[str, int] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    # The items whose answers raised a risk alert, by item number.
    critical_items: tuple[int, ...] = ()


def score(
    code: str, answers: Sequence[Any], *, thresholds: Mapping[str, Any] | None = None
) -> Score:
    """Score ``answers`` (item order) for the instrument ``code``.

    Integers on the item scale; None only where an item may be skipped (QIDS-SR16
    items 6-9). PHQ-9 takes 9 answers or 10 with its unscored difficulty question.
    The C-SSRS screener takes booleans: 6, or 7 with "within the past 3 months"
    after a yes to item 6; None for the items its skip logic does not ask.
    ``thresholds`` maps site settings (``DEFAULT_THRESHOLDS``) to values.

    Raises FieldValueError (a ValueError) naming the item for a wrong number of
    answers or an answer out of range, and naming ``code`` for an unknown one.
    """
    instrument = INSTRUMENTS.get(code) if isinstance(code, str) else None
    if instrument is None:
        raise FieldValueError("code", f"{code!r} is not a known instrument")
    limits = _threshold_values(thresholds)
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise FieldValueError("answers", "must be a list of answers in item order")
    if instrument.yes_no:
        return _score_cssrs(instrument, answers)
    values = _checked(instrument, answers)
    if code == "qids_sr16":
        total = _qids_total(values)
    else:
        total = sum(
            value
            for item, value in zip(instrument.items, values, strict=True)
            if item.scored and value is not None
        )
    subscales = {
        name: sum(values[n - 1] or 0 for n in numbers)
        for name, numbers in instrument.subscales.items()
    }
    critical = _critical(instrument, values, limits)
    flags: list[str] = ["suicide_risk"] if critical else []
    severity = instrument.band_for(total)
    if code == "pcl5":
        probable = total >= limits["pcl5_probable_ptsd_cutoff"]
        severity = "probable PTSD" if probable else "below threshold"
        if probable:
            flags.append("probable_ptsd")
        if _pcl5_dsm5(values):
            flags.append("provisional_ptsd_dsm5")
    return Score(code, total, severity, subscales, tuple(flags), critical)


def _threshold_values(thresholds: Mapping[str, Any] | None) -> dict[str, int]:
    values = dict(DEFAULT_THRESHOLDS)
    for name in DEFAULT_THRESHOLDS:
        value = (thresholds or {}).get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise FieldValueError(name, f"a threshold must be a whole number, not {value!r}")
        values[name] = value
    return values


def _check_length(instrument: Instrument, answers: Sequence[Any], required: int) -> None:
    count, most = len(answers), len(instrument.items)
    if count < required:
        raise FieldValueError(
            f"item {count + 1}", f"has no answer: {instrument.name} needs {required} answers"
        )
    if count > most:
        raise FieldValueError(
            f"item {most + 1}", f"is one answer too many: {instrument.name} has {most} items"
        )


def _checked(instrument: Instrument, answers: Sequence[Any]) -> list[int | None]:
    """Answers checked against the scale, padded with None for trailing unscored items."""
    required = len(instrument.items)
    # Trailing unscored items (the PHQ-9 difficulty question) may be left off.
    while required and not instrument.items[required - 1].scored:
        required -= 1
    _check_length(instrument, answers, required)
    low, high = instrument.answer_min, instrument.answer_max
    values: list[int | None] = []
    padded = [*answers, *[None] * (len(instrument.items) - len(answers))]
    for item, answer in zip(instrument.items, padded, strict=True):
        where = f"item {item.number}"
        if answer is None:
            if item.skippable or not item.scored:
                values.append(None)
                continue
            raise FieldValueError(where, f"has no answer ({item.label})")
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise FieldValueError(where, f"must be a whole number from {low} to {high}")
        if not low <= answer <= high:
            raise FieldValueError(where, f"{answer} is out of range: answers are {low}-{high}")
        values.append(answer)
    if instrument.code == "qids_sr16" and all(values[n - 1] is None for n in (6, 7, 8, 9)):
        raise FieldValueError("item 6", "answer at least one of the appetite and weight items 6-9")
    return values


def _qids_total(values: Sequence[int | None]) -> int:
    def item(number: int) -> int:
        return values[number - 1] or 0

    def highest(*numbers: int) -> int:
        return max((values[n - 1] or 0) for n in numbers)

    return (
        highest(1, 2, 3, 4)
        + item(5)
        + highest(6, 7, 8, 9)
        + sum(item(n) for n in range(10, 15))
        + highest(15, 16)
    )


def _critical(
    instrument: Instrument, values: Sequence[int | None], limits: Mapping[str, int]
) -> tuple[int, ...]:
    hits = []
    for rule in instrument.critical_items:
        level = limits[rule.setting] if rule.setting else rule.at_or_above
        value = values[rule.item - 1]
        if value is not None and value >= level:
            hits.append(rule.item)
    return tuple(hits)


def _pcl5_dsm5(values: Sequence[int | None]) -> bool:
    def endorsed(*numbers: int) -> int:
        return sum(1 for n in numbers if (values[n - 1] or 0) >= 2)

    return (
        endorsed(1, 2, 3, 4, 5) >= 1
        and endorsed(6, 7) >= 1
        and endorsed(8, 9, 10, 11, 12, 13, 14) >= 2
        and endorsed(15, 16, 17, 18, 19, 20) >= 2
    )


def _score_cssrs(instrument: Instrument, answers: Sequence[Any]) -> Score:
    _check_length(instrument, answers, 6)
    padded = [*answers, None][:7]

    def yes_no(number: int, *, asked: bool, after: int = 0) -> bool:
        answer = padded[number - 1]
        where = f"item {number}"
        if answer is not None and not isinstance(answer, bool):
            raise FieldValueError(where, "must be yes or no")
        if not asked:
            # Skipped by the screener's logic: a yes here contradicts an earlier no.
            if answer:
                raise FieldValueError(where, f"is asked only after a yes to item {after}")
            return False
        if answer is None:
            raise FieldValueError(where, f"has no answer ({instrument.items[number - 1].label})")
        return answer

    wish, thoughts = yes_no(1, asked=True), yes_no(2, asked=True)
    method, intent, plan = (yes_no(n, asked=thoughts, after=2) for n in (3, 4, 5))
    behaviour = yes_no(6, asked=True)
    recent = yes_no(7, asked=behaviour, after=6)
    critical: list[int] = []
    if intent or plan or (behaviour and recent):
        risk = "high"
        critical = [n for n, yes in ((4, intent), (5, plan), (7, behaviour and recent)) if yes]
    elif method or behaviour:
        risk = "moderate"
        critical = [n for n, yes in ((3, method), (6, behaviour)) if yes]
    elif wish or thoughts:
        risk = "low"
    else:
        risk = "none"
    flags = ("suicide_risk",) if risk in ("moderate", "high") else ()
    return Score(instrument.code, None, risk, {}, flags, tuple(critical))
