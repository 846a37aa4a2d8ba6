"""Alerts for one set of vital signs during a dosing session.

Pure code (no Django, no other app): the nurse's vitals panel, the device feed and
the live board call ``alerts_for`` and see the same alerts. Inputs, rule codes and
levels are fixed by the team's CLINICAL.md section 4a; every threshold is a per-site
setting (SiteSettings field names in ``DEFAULT_THRESHOLDS``).

Rules (at most one alert per rule, at the highest level met):
- ``bp``: before dosing, warn above 140/90 (esketamine label: consider delaying;
  a prescriber may override with a reason); at any time, urgent at or above
  180/110 [secondary source].
- ``bp_rise``: warn on a rise of 40 systolic or 25 diastolic from the baseline
  reading (esketamine label trial criterion); needs a baseline.
- ``spo2``: warn below 94% [unconfirmed], urgent below 90%.
- ``resp_rate``: warn below 10/min, urgent below 8/min [unconfirmed].
- ``heart_rate``: warn above 120 or below 50, urgent above 140 or below 40
  [unconfirmed].
- ``moaas``: sedation; warn at MOAA/S 3 or less, urgent at 1 or less (0 is loss of
  consciousness).
- ``symptom``: any symptom of hypertensive crisis or encephalopathy (chest pain,
  shortness of breath, sudden severe headache, visual change, seizure, reduced
  consciousness, focal deficit) is urgent: emergency care now.

Readings are whole numbers; absent or None means not measured, which raises no
alert (discharge separately requires blood pressure, heart rate and SpO2). A value
that cannot be a live patient's raises ``FieldValueError`` (a ``ValueError``) naming
the field, so a typing slip is refused rather than raising or hiding an alarm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from kapclinic.lib.field_error import FieldValueError

AlertLevel = Literal["warn", "urgent"]

DEFAULT_THRESHOLDS: dict[str, int] = {
    "predose_bp_warn_systolic": 140,
    "predose_bp_warn_diastolic": 90,
    "bp_urgent_systolic": 180,
    "bp_urgent_diastolic": 110,
    "bp_rise_warn_systolic": 40,
    "bp_rise_warn_diastolic": 25,
    "spo2_warn_below": 94,
    "spo2_urgent_below": 90,
    "resp_rate_warn_below": 10,
    "resp_rate_urgent_below": 8,
    "heart_rate_warn_above": 120,
    "heart_rate_warn_below": 50,
    "heart_rate_urgent_above": 140,
    "heart_rate_urgent_below": 40,
    "moaas_warn_at_or_below": 3,
    "moaas_urgent_at_or_below": 1,
}

# Possible values (inclusive) for each measured field, and its unit for messages.
RANGES: dict[str, tuple[int, int, str]] = {
    "systolic": (50, 300, "mmHg"),
    "diastolic": (20, 200, "mmHg"),
    "heart_rate": (20, 250, "/min"),
    "spo2": (50, 100, "%"),
    "resp_rate": (0, 80, "/min"),
    "moaas": (0, 5, ""),
}

SYMPTOMS: dict[str, str] = {
    "chest_pain": "chest pain",
    "shortness_of_breath": "shortness of breath",
    "severe_headache": "sudden severe headache",
    "visual_change": "visual change",
    "seizure": "seizure",
    "reduced_consciousness": "reduced consciousness",
    "focal_deficit": "focal neurological deficit",
}

READING_FIELDS: tuple[str, ...] = (*RANGES, "symptoms")


@dataclass(frozen=True)
class Alert:
    """One rule a reading breaks, at the highest level met, with what staff read."""

    level: AlertLevel
    rule: str
    message: str


def threshold_values(thresholds: Mapping[str, Any] | None) -> dict[str, int]:
    """The defaults overlaid with the site's values; other keys are ignored."""
    values = dict(DEFAULT_THRESHOLDS)
    for name in DEFAULT_THRESHOLDS:
        value = (thresholds or {}).get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise FieldValueError(name, f"a threshold must be a whole number, not {value!r}")
        values[name] = value
    return values


def check_reading(reading: Mapping[str, Any], *, name: str = "") -> dict[str, Any]:
    """The reading's measured values, checked; raises FieldValueError naming the field.

    An unknown key is refused too: a misspelt "sp02" would otherwise pass as "not
    measured" and hide a low saturation. ``name`` prefixes the field in messages
    (e.g. "baseline.systolic").
    """
    prefix = f"{name}." if name else ""
    if not isinstance(reading, Mapping):
        raise FieldValueError(name or "reading", "must be a set of vital signs")
    for key in reading:
        if key not in READING_FIELDS:
            raise FieldValueError(f"{prefix}{key}", "is not a vital sign this form knows")
    values: dict[str, Any] = {}
    for field, (low, high, unit) in RANGES.items():
        value = reading.get(field)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldValueError(f"{prefix}{field}", f"must be a whole number, not {value!r}")
        if not low <= value <= high:
            raise FieldValueError(
                f"{prefix}{field}", f"{value}{unit} is not possible (expected {low}-{high})"
            )
        values[field] = value
    systolic, diastolic = values.get("systolic"), values.get("diastolic")
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        raise FieldValueError(f"{prefix}diastolic", "must be below the systolic pressure")
    symptoms = reading.get("symptoms")
    if symptoms is not None:
        if isinstance(symptoms, str | bytes) or not isinstance(symptoms, list | tuple | set):
            raise FieldValueError(f"{prefix}symptoms", "must be a list of symptoms")
        for symptom in symptoms:
            if not isinstance(symptom, str) or symptom not in SYMPTOMS:
                raise FieldValueError(f"{prefix}symptoms", f"{symptom!r} is not a known symptom")
        values["symptoms"] = [s for s in SYMPTOMS if s in symptoms]
    return values


def alerts_for(
    reading: Mapping[str, Any],
    *,
    baseline: Mapping[str, Any] | None = None,
    pre_dose: bool = False,
    thresholds: Mapping[str, Any] | None = None,
) -> list[Alert]:
    """The alerts for one set of vital signs (CLINICAL.md 4a), urgent ones first."""
    now = check_reading(reading)
    before = check_reading(baseline, name="baseline") if baseline is not None else {}
    limits = threshold_values(thresholds)
    alerts: list[Alert] = []
    for rule in (_bp, _bp_rise, _spo2, _resp_rate, _heart_rate, _moaas, _symptom):
        alert = rule(now, before, pre_dose, limits)
        if alert is not None:
            alerts.append(alert)
    alerts.sort(key=lambda alert: alert.level != "urgent")
    return alerts


_Values = Mapping[str, Any]


def _bp(now: _Values, before: _Values, pre_dose: bool, limits: Mapping[str, int]) -> Alert | None:
    systolic, diastolic = now.get("systolic"), now.get("diastolic")
    shown = f"{_show(systolic)}/{_show(diastolic)} mmHg"
    urgent_sys, urgent_dia = limits["bp_urgent_systolic"], limits["bp_urgent_diastolic"]
    if (systolic is not None and systolic >= urgent_sys) or (
        diastolic is not None and diastolic >= urgent_dia
    ):
        return Alert(
            "urgent",
            "bp",
            f"Blood pressure {shown} is at or above {urgent_sys}/{urgent_dia}: "
            "tell the prescriber now.",
        )
    warn_sys, warn_dia = limits["predose_bp_warn_systolic"], limits["predose_bp_warn_diastolic"]
    if pre_dose and (
        (systolic is not None and systolic > warn_sys)
        or (diastolic is not None and diastolic > warn_dia)
    ):
        return Alert(
            "warn",
            "bp",
            f"Blood pressure {shown} before dosing is above {warn_sys}/{warn_dia}: hold the "
            "dose until a prescriber decides.",
        )
    return None


def _bp_rise(
    now: _Values, before: _Values, pre_dose: bool, limits: Mapping[str, int]
) -> Alert | None:
    rises = []
    for field, name, limit in (
        ("systolic", "Systolic", limits["bp_rise_warn_systolic"]),
        ("diastolic", "Diastolic", limits["bp_rise_warn_diastolic"]),
    ):
        if now.get(field) is not None and before.get(field) is not None:
            rise = now[field] - before[field]
            if rise >= limit:
                rises.append(f"{name} up {rise} mmHg from baseline ({before[field]})")
    if not rises:
        return None
    return Alert("warn", "bp_rise", "; ".join(rises) + ": recheck and tell the prescriber.")


def _spo2(now: _Values, before: _Values, pre_dose: bool, limits: Mapping[str, int]) -> Alert | None:
    spo2 = now.get("spo2")
    if spo2 is None:
        return None
    for level, limit in (
        ("urgent", limits["spo2_urgent_below"]),
        ("warn", limits["spo2_warn_below"]),
    ):
        if spo2 < limit:
            return _alert(level, "spo2", f"Oxygen saturation {spo2}% is below {limit}%")
    return None


def _resp_rate(
    now: _Values, before: _Values, pre_dose: bool, limits: Mapping[str, int]
) -> Alert | None:
    rate = now.get("resp_rate")
    if rate is None:
        return None
    for level, limit in (
        ("urgent", limits["resp_rate_urgent_below"]),
        ("warn", limits["resp_rate_warn_below"]),
    ):
        if rate < limit:
            return _alert(level, "resp_rate", f"Breathing {rate}/min is below {limit}/min")
    return None


def _heart_rate(
    now: _Values, before: _Values, pre_dose: bool, limits: Mapping[str, int]
) -> Alert | None:
    rate = now.get("heart_rate")
    if rate is None:
        return None
    for level in ("urgent", "warn"):
        above, below = limits[f"heart_rate_{level}_above"], limits[f"heart_rate_{level}_below"]
        if rate > above:
            return _alert(level, "heart_rate", f"Heart rate {rate}/min is above {above}/min")
        if rate < below:
            return _alert(level, "heart_rate", f"Heart rate {rate}/min is below {below}/min")
    return None


def _moaas(
    now: _Values, before: _Values, pre_dose: bool, limits: Mapping[str, int]
) -> Alert | None:
    score = now.get("moaas")
    if score is None:
        return None
    for level, limit in (
        ("urgent", limits["moaas_urgent_at_or_below"]),
        ("warn", limits["moaas_warn_at_or_below"]),
    ):
        if score <= limit:
            return _alert(level, "moaas", f"Sedation: MOAA/S {score} (5 is alert)")
    return None


def _alert(level: str, rule: str, finding: str) -> Alert:
    if level == "urgent":
        return Alert("urgent", rule, f"{finding}: urgent, tell the prescriber now.")
    return Alert("warn", rule, f"{finding}: recheck and watch closely.")


def _symptom(
    now: _Values, before: _Values, pre_dose: bool, limits: Mapping[str, int]
) -> Alert | None:
    symptoms = now.get("symptoms") or []
    if not symptoms:
        return None
    named = ", ".join(SYMPTOMS[s] for s in symptoms)
    return Alert(
        "urgent",
        "symptom",
        f"Possible hypertensive crisis ({named}): emergency care now.",
    )


def _show(value: int | None) -> str:
    return "?" if value is None else str(value)
