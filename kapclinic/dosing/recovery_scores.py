"""Recovery scores before discharge, item by item: modified Aldrete and PADSS.

Pure code (no Django, no other app). The nurse answers each item in words; the total
is computed here, never typed, and becomes the ``recovery_score`` that
``discharge.unmet_criteria`` compares with the site minimum (9 by default).

- Modified Aldrete (CLINICAL.md section 4): five items scored 0-2, activity,
  respiration, circulation (within 20 mmHg of baseline), consciousness, SpO2 above
  92% on room air. Item wording follows Aldrete JA, "The post-anesthesia recovery
  score revisited", J Clin Anesth 1995;7:89-91.
- PADSS: the modified Post-Anesthetic Discharge Scoring System of Chung F, Chan VWS,
  Ong D, "A post-anesthetic discharge scoring system for home readiness after
  ambulatory surgery", J Clin Anesth 1995;7:500-506: vital signs, ambulation, nausea
  and vomiting, pain, surgical bleeding, each 0-2. A ketamine session has no
  surgical wound, so bleeding scores 2 where there was no procedure.

The answer wording is ours, shortened for a tablet; the scores are the published ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kapclinic.lib.field_error import FieldValueError

ALDRETE = "aldrete"
PADSS = "padss"


@dataclass(frozen=True)
class Item:
    """One item of a recovery score: its code, its name and its answers (2 first)."""

    code: str
    label: str
    answers: tuple[tuple[int, str], ...]


ITEMS: dict[str, tuple[Item, ...]] = {
    ALDRETE: (
        Item(
            "activity",
            "Activity",
            (
                (2, "Moves all four limbs on request"),
                (1, "Moves two limbs"),
                (0, "Cannot move any limb"),
            ),
        ),
        Item(
            "respiration",
            "Breathing",
            (
                (2, "Breathes deeply and coughs freely"),
                (1, "Short of breath or shallow breathing"),
                (0, "Not breathing"),
            ),
        ),
        Item(
            "circulation",
            "Circulation",
            (
                (2, "Blood pressure within 20 mmHg of the pre-dose value"),
                (1, "Blood pressure 20-49 mmHg from the pre-dose value"),
                (0, "Blood pressure 50 mmHg or more from the pre-dose value"),
            ),
        ),
        Item(
            "consciousness",
            "Consciousness",
            (
                (2, "Fully awake"),
                (1, "Wakes when called"),
                (0, "Does not respond"),
            ),
        ),
        Item(
            "oxygen_saturation",
            "Oxygen saturation",
            (
                (2, "Above 92% on room air"),
                (1, "Needs oxygen to stay above 90%"),
                (0, "90% or below even with oxygen"),
            ),
        ),
    ),
    PADSS: (
        Item(
            "vital_signs",
            "Vital signs",
            (
                (2, "Blood pressure and pulse within 20% of the pre-dose values"),
                (1, "Blood pressure and pulse 20-40% from the pre-dose values"),
                (0, "Blood pressure and pulse more than 40% from the pre-dose values"),
            ),
        ),
        Item(
            "ambulation",
            "Walking",
            (
                (2, "Steady on their feet, not dizzy"),
                (1, "Walks with help"),
                (0, "Cannot walk, or dizzy"),
            ),
        ),
        Item(
            "nausea_vomiting",
            "Nausea and vomiting",
            (
                (2, "Minimal: settled by tablets"),
                (1, "Moderate: needed an injection"),
                (0, "Severe: goes on despite treatment"),
            ),
        ),
        Item(
            "pain",
            "Pain",
            (
                (2, "Minimal (0-3 of 10), acceptable to the patient"),
                (1, "Moderate (4-6 of 10)"),
                (0, "Severe (7-10 of 10)"),
            ),
        ),
        Item(
            "bleeding",
            "Bleeding",
            (
                (2, "None or minimal (no procedure, as after a ketamine dose)"),
                (1, "Moderate: up to two dressing changes"),
                (0, "Severe: three or more dressing changes"),
            ),
        ),
    ),
}

NAMES: dict[str, str] = {ALDRETE: "Modified Aldrete", PADSS: "PADSS"}


def items_of(kind: str) -> tuple[Item, ...]:
    """The items of one score; an unknown kind raises FieldValueError on ``score_kind``."""
    if kind not in ITEMS:
        raise FieldValueError("score_kind", "choose modified Aldrete or PADSS")
    return ITEMS[kind]


def total(kind: str, answers: Mapping[str, object]) -> int:
    """The total (0-10) of every item of ``kind`` answered 0, 1 or 2.

    A missing or impossible answer raises FieldValueError naming the item (its code as
    the field, its name in the message), the first in the score's order.
    Answers to codes that are not items of ``kind`` are ignored.
    """
    score = 0
    for item in items_of(kind):
        value = answers.get(item.code)
        if value is None:
            raise FieldValueError(item.code, f"{item.label}: choose an answer")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2:
            raise FieldValueError(item.code, f"{item.label}: {value!r} is not 0, 1 or 2")
        score += value
    return score


def circulation_score(systolic: int, baseline_systolic: int) -> int:
    """Aldrete circulation: within 20 mmHg of baseline 2, 21-49 away 1, 50 or more 0."""
    for name, value in (("systolic", systolic), ("baseline_systolic", baseline_systolic)):
        if isinstance(value, bool) or not isinstance(value, int) or not 50 <= value <= 300:
            raise FieldValueError(name, f"{value!r} is not a possible systolic pressure")
    difference = abs(systolic - baseline_systolic)
    if difference <= 20:
        return 2
    return 1 if difference < 50 else 0


def oxygen_score(spo2: int, *, on_oxygen: bool) -> int:
    """Aldrete oxygen: above 92% on room air 2, above 90% (with oxygen if needed) 1, else 0."""
    if isinstance(spo2, bool) or not isinstance(spo2, int) or not 50 <= spo2 <= 100:
        raise FieldValueError("spo2", f"{spo2!r} is not a possible saturation")
    if spo2 > 92 and not on_oxygen:
        return 2
    return 1 if spo2 > 90 else 0


def vital_signs_score(
    systolic: int, heart_rate: int, *, baseline_systolic: int, baseline_heart_rate: int
) -> int:
    """PADSS vital signs: blood pressure and pulse within 20% of baseline 2, within 40%
    1, further 0 (the worse of the two counts)."""
    # Whole-number arithmetic, so "exactly 20%" is not lost to rounding.
    changes = (
        (abs(systolic - baseline_systolic), baseline_systolic),
        (abs(heart_rate - baseline_heart_rate), baseline_heart_rate),
    )
    if all(change * 5 <= before for change, before in changes):
        return 2
    return 1 if all(change * 5 <= before * 2 for change, before in changes) else 0


def hints(
    last: Mapping[str, object] | None, baseline: Mapping[str, object] | None
) -> dict[str, tuple[str, int | None]]:
    """What the record already says about some items, from the latest reading and the
    baseline: item code -> (words for the nurse, the score they point to, None when
    it depends on something the record does not hold). Only a hint: the nurse answers.
    """
    found: dict[str, tuple[str, int | None]] = {}
    last = last or {}
    baseline = baseline or {}
    spo2 = last.get("spo2")
    if isinstance(spo2, int) and not isinstance(spo2, bool) and 50 <= spo2 <= 100:
        room_air = oxygen_score(spo2, on_oxygen=False)
        found["oxygen_saturation"] = (
            f"Latest SpO2 {spo2}%: scores {room_air} if on room air.",
            room_air,
        )
    systolic, before = last.get("systolic"), baseline.get("systolic")
    if _possible_systolic(systolic) and _possible_systolic(before):
        assert isinstance(systolic, int) and isinstance(before, int)
        apart = circulation_score(systolic, before)
        found["circulation"] = (
            f"Latest systolic {systolic} mmHg, pre-dose {before} mmHg: "
            f"{abs(systolic - before)} mmHg apart, scores {apart}.",
            apart,
        )
        pulse, pulse_before = last.get("heart_rate"), baseline.get("heart_rate")
        if _possible_pulse(pulse) and _possible_pulse(pulse_before):
            assert isinstance(pulse, int) and isinstance(pulse_before, int)
            vitals = vital_signs_score(
                systolic, pulse, baseline_systolic=before, baseline_heart_rate=pulse_before
            )
            found["vital_signs"] = (
                f"Latest {systolic} mmHg and pulse {pulse}, pre-dose {before} mmHg and "
                f"pulse {pulse_before}: scores {vitals}.",
                vitals,
            )
    return found


def _possible_systolic(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 50 <= value <= 300


def _possible_pulse(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 20 <= value <= 250
