"""Eligibility rules for ketamine-assisted treatment: screening facts in, a decision out.

Pure code (no Django, no other app): the screening form, the API, the chart's safety
flags and background jobs all call ``evaluate`` and get the same answer. The input
keys, rule codes and levels are fixed by the team's CLINICAL.md section 2a.

Outcome: ``ineligible`` when any absolute rule applies, else ``needs_review`` when any
relative rule applies or any fact is missing, else ``eligible``. Every reason that
applies is listed, not only the first. A prescriber signs the final decision and may
override it with a written reason; these rules never decide alone.

Rules and their sources (CLINICAL.md sections 1, 2 and 2a):

Absolute (``ineligible``):
- ``aneurysm_or_avm``, ``intracerebral_haemorrhage``: esketamine (Spravato) label
  contraindications.
- ``ketamine_hypersensitivity``: label contraindication.
- ``primary_psychotic_disorder``, ``current_psychosis``, ``current_mania``
  (CLINICAL.md 2).
- ``pregnant``: embryo-fetal toxicity warning (esketamine label); trials exclude it.
- ``cssrs_high``: imminent suicide risk needing inpatient care; refer (C-SSRS high).
- ``bp_uncontrolled``: resting blood pressure above 180/100 (systolic > 180 or
  diastolic > 100), uncontrolled hypertension (Swiss ketamine label [secondary
  source]). Site thresholds ``screening_bp_absolute_systolic`` and
  ``screening_bp_absolute_diastolic``.

Relative (``needs_review``):
- ``trd_not_met``: indication ``trd`` with fewer than 2 qualifying antidepressant
  trials. A trial qualifies with an adequate dose, at least 4 weeks and under 50%
  improvement (Delphi definition, Depress Anxiety 2021;38:456; FDA wording for
  esketamine). The definition says 4-6 weeks, so the week minimum and the number of
  failed trials are site thresholds (see ``FUTURE_THRESHOLDS``).
- ``cssrs_moderate``: C-SSRS moderate risk.
- ``bp_raised``: blood pressure above 140/90 (esketamine label: consider delaying).
  It is the same limit as the pre-dose warning, so it reads the site thresholds
  ``predose_bp_warn_systolic`` and ``predose_bp_warn_diastolic``.
- ``substance_use_disorder_active``, ``ketamine_or_pcp_misuse_history``: misuse
  potential (controlled substance).
- ``bipolar_disorder`` (without current mania), ``family_history_psychosis``
  (first-degree).
- ``ischaemic_heart_disease``, ``significant_arrhythmia``, ``heart_failure``,
  ``recent_stroke``: blood pressure rises after a dose, peaking at about 40
  minutes (CLINICAL.md 4).
- ``raised_intracranial_pressure``, ``raised_intraocular_pressure``: anaesthesia
  texts [secondary source].
- ``hepatic_impairment`` moderate or severe (label: moderate needs longer
  monitoring, severe is not recommended).
- ``breastfeeding``, ``cystitis`` (interstitial or ulcerative),
  ``hypertensive_encephalopathy_history``.
- ``interaction:<class>`` for MAOIs and psychostimulants (blood pressure),
  benzodiazepines, opioids and sedative hypnotics (sedation), and lamotrigine
  (may blunt the response [unconfirmed]); benzodiazepines may blunt it too.

Missing (``needs_review``): every key of ``FACT_KEYS`` that is absent or None gives
a reason with the key as its rule; so does an unknown ``indication`` code. A value
that cannot be true (a blood pressure of 500, "maybe" for a yes/no fact) raises
``FieldValueError`` (a ``ValueError``) naming the key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from kapclinic.lib.field_error import FieldValueError

Outcome = Literal["eligible", "needs_review", "ineligible"]
Level = Literal["absolute", "relative", "missing"]

INDICATIONS: dict[str, str] = {
    "mdd": "major depressive disorder",
    "trd": "treatment-resistant depression",
    "gad": "generalised anxiety disorder",
    "social_anxiety": "social anxiety disorder",
    "panic": "panic disorder",
    "ptsd": "PTSD",
    "cptsd": "complex PTSD",
    "ocd": "OCD",
    "sud": "substance use disorder",
    "chronic_pain": "chronic pain with mental-health impact",
    "suicidal_ideation": "chronic suicidal ideation",
    "existential_distress": "existential distress",
}

CSSRS_LEVELS = ("none", "low", "moderate", "high")
HEPATIC_LEVELS = ("none", "mild", "moderate", "severe")

# Yes/no facts that rule a patient out, with the reason a clinician reads.
ABSOLUTE_FLAGS: dict[str, str] = {
    "aneurysm_or_avm": (
        "Aneurysmal vascular disease or arteriovenous malformation: contraindicated "
        "(esketamine label)."
    ),
    "intracerebral_haemorrhage": (
        "History of intracerebral haemorrhage: contraindicated (esketamine label)."
    ),
    "ketamine_hypersensitivity": "Hypersensitivity to ketamine or esketamine: contraindicated.",
    "primary_psychotic_disorder": "Primary psychotic disorder: not a candidate.",
    "current_psychosis": "Current psychosis: not a candidate.",
    "current_mania": "Current mania: not a candidate.",
    "pregnant": "Pregnant: not a candidate (embryo-fetal toxicity warning).",
}

# Yes/no facts that need a prescriber's review.
RELATIVE_FLAGS: dict[str, str] = {
    "substance_use_disorder_active": "Active substance use disorder: review misuse risk.",
    "ketamine_or_pcp_misuse_history": "History of ketamine or PCP misuse: review misuse risk.",
    "bipolar_disorder": "Bipolar disorder (no current mania): review.",
    "family_history_psychosis": "Psychosis in a first-degree relative: review.",
    "ischaemic_heart_disease": "Ischaemic heart disease: review, blood pressure rises.",
    "significant_arrhythmia": "Significant arrhythmia: review.",
    "heart_failure": "Heart failure: review, blood pressure rises after a dose.",
    "recent_stroke": "Recent stroke: review, blood pressure rises after a dose.",
    "raised_intracranial_pressure": "Raised intracranial pressure or intracranial mass: review.",
    "raised_intraocular_pressure": (
        "Raised intraocular pressure, glaucoma or open globe injury: review."
    ),
    "breastfeeding": "Breastfeeding: review.",
    "cystitis": "Interstitial or ulcerative cystitis: review (ketamine affects the bladder).",
    "hypertensive_encephalopathy_history": "History of hypertensive encephalopathy: review.",
}

# Medication classes (patients' Medication drug-class codes) that interact.
INTERACTING_CLASSES: dict[str, str] = {
    "maoi": "Takes an MAO inhibitor: blood pressure may rise further; review.",
    "psychostimulant": "Takes a psychostimulant: blood pressure may rise further; review.",
    "benzodiazepine": (
        "Takes a benzodiazepine: more sedation, and the response may be blunted; review."
    ),
    "opioid": "Takes an opioid: more sedation; review.",
    "sedative_hypnotic": "Takes a sedative hypnotic: more sedation; review.",
    "lamotrigine": "Takes lamotrigine: the response may be blunted; review.",
}

# Every key of the screening facts, in the order the form shows them.
FACT_KEYS: tuple[str, ...] = (
    "indication",
    "antidepressant_trials",
    *ABSOLUTE_FLAGS,
    "cssrs_risk",
    "bp_systolic",
    "bp_diastolic",
    *RELATIVE_FLAGS,
    "hepatic_impairment",
    "medication_classes",
)

# What each fact is, for the "not yet recorded" message.
_FACT_NAMES: dict[str, str] = {
    "indication": "the indication for treatment",
    "antidepressant_trials": "previous antidepressant trials (an empty list if none)",
    "cssrs_risk": "the C-SSRS suicide risk level",
    "bp_systolic": "resting systolic blood pressure",
    "bp_diastolic": "resting diastolic blood pressure",
    "hepatic_impairment": "liver function (hepatic impairment)",
    "medication_classes": "current medicines (an empty list if none)",
    "pregnant": "whether the patient is pregnant",
    "breastfeeding": "whether the patient is breastfeeding",
}

DEFAULT_THRESHOLDS: dict[str, int] = {
    # SiteSettings fields (kapclinic/clinics/models.py).
    "screening_bp_absolute_systolic": 180,
    "screening_bp_absolute_diastolic": 100,
    "predose_bp_warn_systolic": 140,
    "predose_bp_warn_diastolic": 90,
    # Future SiteSettings fields: CLINICAL.md 1, TRD needs at least 2 failed trials
    # of at least 4-6 weeks each, so a clinic may ask for up to 6 weeks.
    "trd_min_trial_weeks": 4,
    "trd_min_failed_trials": 2,
}
FUTURE_THRESHOLDS: tuple[str, ...] = ("trd_min_trial_weeks", "trd_min_failed_trials")

# Impossible resting blood pressures, the same limits as the dosing monitor's.
_SYSTOLIC_RANGE = (50, 300)
_DIASTOLIC_RANGE = (20, 200)
_LEVEL_ORDER: dict[Level, int] = {"absolute": 0, "relative": 1, "missing": 2}


@dataclass(frozen=True)
class Reason:
    """One rule that applies: its code, its level and what the clinician reads."""

    rule: str
    level: Level
    message: str


@dataclass(frozen=True)
class Decision:
    """The rules' outcome with every reason, absolute first, then relative, then missing."""

    outcome: Outcome
    reasons: tuple[Reason, ...]

    def rules(self) -> tuple[str, ...]:
        return tuple(reason.rule for reason in self.reasons)


def threshold_values(thresholds: Mapping[str, Any] | None) -> dict[str, int]:
    """The defaults overlaid with the site's values; other keys are ignored.

    A site passes all its SiteSettings fields, most of which are for other rules.
    """
    values = dict(DEFAULT_THRESHOLDS)
    for name in DEFAULT_THRESHOLDS:
        value = (thresholds or {}).get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise FieldValueError(name, f"a threshold must be a whole number, not {value!r}")
        values[name] = value
    return values


def is_qualifying_trial(trial: Mapping[str, Any], *, min_weeks: int = 4) -> bool:
    """Whether one antidepressant trial counts towards TRD.

    Adequate dose, at least ``min_weeks`` weeks, under 50% improvement. A trial
    with an unknown part (None) does not count: the prescriber reviews it.
    """
    adequate = trial.get("adequate_dose")
    weeks = trial.get("weeks")
    improvement = trial.get("improvement_percent")
    if adequate is None or weeks is None or improvement is None:
        return False
    return adequate is True and weeks >= min_weeks and improvement < 50


def count_qualifying_trials(trials: Sequence[Mapping[str, Any]], *, min_weeks: int = 4) -> int:
    """How many trials count towards TRD; a malformed trial raises FieldValueError."""
    _check_trials(trials)
    return sum(1 for trial in trials if is_qualifying_trial(trial, min_weeks=min_weeks))


def evaluate(facts: Mapping[str, Any], thresholds: Mapping[str, Any] | None = None) -> Decision:
    """Apply every screening rule to ``facts`` (CLINICAL.md 2a) and list every reason."""
    if not isinstance(facts, Mapping):
        raise FieldValueError("facts", "must map each screening fact to its value")
    limits = threshold_values(thresholds)
    reasons: list[Reason] = []

    def add(rule: str, level: Level, message: str) -> None:
        reasons.append(Reason(rule, level, message))

    def missing(key: str) -> None:
        name = _FACT_NAMES.get(key, key.replace("_", " "))
        add(key, "missing", f"Not yet recorded: {name}.")

    indication = facts.get("indication")
    if not isinstance(indication, str) or indication not in INDICATIONS:
        if indication is None:
            missing("indication")
        else:
            add("indication", "missing", "Indication not recognised: choose one from the list.")

    trials = facts.get("antidepressant_trials")
    if trials is None:
        missing("antidepressant_trials")
    else:
        qualifying = count_qualifying_trials(trials, min_weeks=limits["trd_min_trial_weeks"])
        needed = limits["trd_min_failed_trials"]
        if indication == "trd" and qualifying < needed:
            add(
                "trd_not_met",
                "relative",
                f"Treatment-resistant depression needs {needed} failed adequate "
                f"antidepressant trials of at least {limits['trd_min_trial_weeks']} weeks; "
                f"{qualifying} recorded.",
            )

    for key, message in ABSOLUTE_FLAGS.items():
        value = _flag(facts, key)
        if value is None:
            missing(key)
        elif value:
            add(key, "absolute", message)

    cssrs = _choice(facts, "cssrs_risk", CSSRS_LEVELS)
    if cssrs is None:
        missing("cssrs_risk")
    elif cssrs == "high":
        add(
            "cssrs_high",
            "absolute",
            "High suicide risk on the C-SSRS: refer for urgent assessment, not a candidate now.",
        )
    elif cssrs == "moderate":
        add("cssrs_moderate", "relative", "Moderate suicide risk on the C-SSRS: review.")

    _blood_pressure(facts, limits, add, missing)

    for key, message in RELATIVE_FLAGS.items():
        value = _flag(facts, key)
        if value is None:
            missing(key)
        elif value:
            add(key, "relative", message)

    hepatic = _choice(facts, "hepatic_impairment", HEPATIC_LEVELS)
    if hepatic is None:
        missing("hepatic_impairment")
    elif hepatic in ("moderate", "severe"):
        advice = "longer monitoring needed" if hepatic == "moderate" else "not recommended"
        add(
            "hepatic_impairment",
            "relative",
            f"{hepatic.capitalize()} hepatic impairment: {advice}.",
        )

    classes = facts.get("medication_classes")
    if classes is None:
        missing("medication_classes")
    else:
        present = _classes(classes)
        for drug_class, message in INTERACTING_CLASSES.items():
            if drug_class in present:
                add(f"interaction:{drug_class}", "relative", message)

    reasons.sort(key=lambda reason: _LEVEL_ORDER[reason.level])
    levels = {reason.level for reason in reasons}
    outcome: Outcome
    if "absolute" in levels:
        outcome = "ineligible"
    elif levels:
        outcome = "needs_review"
    else:
        outcome = "eligible"
    return Decision(outcome, tuple(reasons))


def _blood_pressure(
    facts: Mapping[str, Any],
    limits: Mapping[str, int],
    add: Callable[[str, Level, str], None],
    missing: Callable[[str], None],
) -> None:
    systolic = _whole(facts, "bp_systolic", _SYSTOLIC_RANGE)
    diastolic = _whole(facts, "bp_diastolic", _DIASTOLIC_RANGE)
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        raise FieldValueError("bp_diastolic", "must be below the systolic pressure")
    if systolic is None:
        missing("bp_systolic")
    if diastolic is None:
        missing("bp_diastolic")
    # A missing half is not treated as normal: the half that is known still counts.
    sys_value = systolic if systolic is not None else 0
    dia_value = diastolic if diastolic is not None else 0
    reading = f"{_show(systolic)}/{_show(diastolic)} mmHg"
    abs_sys = limits["screening_bp_absolute_systolic"]
    abs_dia = limits["screening_bp_absolute_diastolic"]
    if sys_value > abs_sys or dia_value > abs_dia:
        add(
            "bp_uncontrolled",
            "absolute",
            f"Blood pressure {reading} is above {abs_sys}/{abs_dia}: uncontrolled "
            "hypertension, treat it before ketamine.",
        )
        return
    warn_sys = limits["predose_bp_warn_systolic"]
    warn_dia = limits["predose_bp_warn_diastolic"]
    if sys_value > warn_sys or dia_value > warn_dia:
        add(
            "bp_raised",
            "relative",
            f"Blood pressure {reading} is above {warn_sys}/{warn_dia}: review blood "
            "pressure control before dosing.",
        )


def _show(value: int | None) -> str:
    return "?" if value is None else str(value)


def _flag(facts: Mapping[str, Any], key: str) -> bool | None:
    value = facts.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise FieldValueError(key, f"must be yes or no, not {value!r}")


def _choice(facts: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str | None:
    value = facts.get(key)
    if value is None or value in allowed:
        return value
    raise FieldValueError(key, f"must be one of {', '.join(allowed)}, not {value!r}")


def _whole(facts: Mapping[str, Any], key: str, bounds: tuple[int, int]) -> int | None:
    value = facts.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldValueError(key, f"must be a whole number of mmHg, not {value!r}")
    number: int = value
    low, high = bounds
    if not low <= number <= high:
        raise FieldValueError(key, f"{number} mmHg is not possible (expected {low}-{high})")
    return number


def _classes(classes: Any) -> set[str]:
    if isinstance(classes, str) or not isinstance(classes, Sequence | set | frozenset):
        raise FieldValueError("medication_classes", "must be a list of drug-class codes")
    for code in classes:
        if not isinstance(code, str):
            raise FieldValueError("medication_classes", f"{code!r} is not a drug-class code")
    return set(classes)


def _check_trials(trials: Any) -> None:
    if isinstance(trials, str) or not isinstance(trials, Sequence):
        raise FieldValueError("antidepressant_trials", "must be a list of trials")
    for index, trial in enumerate(trials):
        where = f"antidepressant_trials[{index}]"
        if not isinstance(trial, Mapping):
            raise FieldValueError(where, "must describe one trial")
        adequate = trial.get("adequate_dose")
        if adequate is not None and not isinstance(adequate, bool):
            raise FieldValueError(f"{where}.adequate_dose", "must be yes or no")
        weeks = trial.get("weeks")
        if weeks is not None and (
            isinstance(weeks, bool) or not isinstance(weeks, int) or not 0 <= weeks <= 520
        ):
            raise FieldValueError(f"{where}.weeks", f"{weeks!r} is not a possible number of weeks")
        improvement = trial.get("improvement_percent")
        # Worsening is a negative improvement; more than 100% better is impossible.
        if improvement is not None and (
            isinstance(improvement, bool)
            or not isinstance(improvement, int)
            or not -1000 <= improvement <= 100
        ):
            raise FieldValueError(
                f"{where}.improvement_percent", f"{improvement!r} is not a possible percentage"
            )
