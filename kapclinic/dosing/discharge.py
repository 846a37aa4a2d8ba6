"""Whether a patient may leave after a dose: the discharge criteria not yet met.

Pure code (no Django, no other app). Inputs and criterion codes are fixed by the
team's CLINICAL.md section 4a; the criteria come from section 4:

- ``observation_time``: at least 120 minutes since the first dose (Spravato REMS,
  FDA: monitor at least 2 hours). Site threshold ``min_observation_minutes``, which
  may be raised but never set below 120.
- ``sedation``: MOAA/S back to 5 (alert), by clinician rating.
- ``dissociation``: dissociation resolved, by clinician rating.
- ``vitals``: the last reading has blood pressure, heart rate and SpO2, and raises
  no alert (``monitoring.alerts_for``) against the baseline.
- ``recovery_score``: modified Aldrete score or PADSS of 9 or more (site threshold
  ``min_discharge_score``).
- ``escort``: an escort or safe transport home confirmed.
- ``driving_advice``: the patient was told not to drive until the next day after
  restful sleep (label advice; 24 hours for racemic ketamine labels).

The ``recovery_score`` is the total computed item by item in ``recovery_scores``
(modified Aldrete or PADSS); the nurse never types it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kapclinic.dosing.monitoring import alerts_for, check_reading
from kapclinic.lib.field_error import FieldValueError

CRITERIA: tuple[str, ...] = (
    "observation_time",
    "sedation",
    "dissociation",
    "vitals",
    "recovery_score",
    "escort",
    "driving_advice",
)

# What each unmet criterion asks of the nurse, for the refusal message.
MESSAGES: dict[str, str] = {
    "observation_time": "Not yet the minimum observation time since the first dose.",
    "sedation": "Sedation not resolved: MOAA/S must be 5 (alert).",
    "dissociation": "Dissociation not yet rated as resolved.",
    "vitals": "Last vital signs incomplete or outside the limits.",
    "recovery_score": "Recovery score (modified Aldrete or PADSS) below the minimum.",
    "escort": "Escort or safe transport home not confirmed.",
    "driving_advice": "No-driving advice not recorded as given.",
}

# The REMS floor: a site may observe longer, never shorter.
MIN_OBSERVATION_FLOOR = 120
DEFAULT_MIN_OBSERVATION_MINUTES = 120
DEFAULT_MIN_DISCHARGE_SCORE = 9


def unmet_criteria(
    state: Mapping[str, Any], *, thresholds: Mapping[str, Any] | None = None
) -> list[str]:
    """The codes of the discharge criteria not met, in ``CRITERIA`` order; empty: may go.

    Anything unknown counts as not met; an impossible value raises FieldValueError
    naming the key.
    """
    if not isinstance(state, Mapping):
        raise FieldValueError("state", "must map each discharge fact to its value")
    minimum_minutes, minimum_score = _discharge_thresholds(thresholds)
    unmet: list[str] = []

    minutes = _whole(state, "minutes_since_first_dose", 0, 7 * 24 * 60)
    if minutes is None or minutes < minimum_minutes:
        unmet.append("observation_time")

    if _whole(state, "moaas", 0, 5) != 5:
        unmet.append("sedation")

    if _flag(state, "dissociation_resolved") is not True:
        unmet.append("dissociation")

    if not _vitals_ok(state, thresholds):
        unmet.append("vitals")

    score = _whole(state, "recovery_score", 0, 10)
    if score is None or score < minimum_score:
        unmet.append("recovery_score")

    if _flag(state, "escort_confirmed") is not True:
        unmet.append("escort")

    if _flag(state, "no_driving_advice_given") is not True:
        unmet.append("driving_advice")
    return unmet


def _discharge_thresholds(thresholds: Mapping[str, Any] | None) -> tuple[int, int]:
    values = {
        "min_observation_minutes": DEFAULT_MIN_OBSERVATION_MINUTES,
        "min_discharge_score": DEFAULT_MIN_DISCHARGE_SCORE,
    }
    for name in values:
        value = (thresholds or {}).get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldValueError(name, f"a threshold must be a whole number, not {value!r}")
        values[name] = value
    if values["min_observation_minutes"] < MIN_OBSERVATION_FLOOR:
        raise FieldValueError(
            "min_observation_minutes",
            f"cannot be below {MIN_OBSERVATION_FLOOR} minutes (REMS monitoring floor)",
        )
    if not 0 <= values["min_discharge_score"] <= 10:
        raise FieldValueError("min_discharge_score", "must be between 0 and 10")
    return values["min_observation_minutes"], values["min_discharge_score"]


def _vitals_ok(state: Mapping[str, Any], thresholds: Mapping[str, Any] | None) -> bool:
    last = state.get("last_reading")
    baseline = state.get("baseline")
    # Check both first so an impossible value names where it came from.
    if baseline is not None:
        check_reading(baseline, name="baseline")
    if last is None:
        return False
    values = check_reading(last, name="last_reading")
    if any(values.get(f) is None for f in ("systolic", "diastolic", "heart_rate", "spo2")):
        return False
    return not alerts_for(last, baseline=baseline, thresholds=thresholds)


def _whole(state: Mapping[str, Any], key: str, low: int, high: int) -> int | None:
    value = state.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldValueError(key, f"must be a whole number, not {value!r}")
    number: int = value
    if not low <= number <= high:
        raise FieldValueError(key, f"{number} is not possible (expected {low}-{high})")
    return number


def _flag(state: Mapping[str, Any], key: str) -> bool | None:
    value = state.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise FieldValueError(key, f"must be yes or no, not {value!r}")
