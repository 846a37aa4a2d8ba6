"""Discharge criteria of CLINICAL.md 4a."""

from __future__ import annotations

import pytest

from kapclinic.clinics.models import SiteSettings
from kapclinic.dosing.discharge import (
    CRITERIA,
    DEFAULT_MIN_DISCHARGE_SCORE,
    DEFAULT_MIN_OBSERVATION_MINUTES,
    MESSAGES,
    unmet_criteria,
)
from kapclinic.lib.field_error import FieldValueError

BASELINE = {"systolic": 125, "diastolic": 80, "heart_rate": 70, "spo2": 98}


def ready(**changes):
    """A patient ready to go home; ``changes`` override."""
    state = {
        "minutes_since_first_dose": 125,
        "moaas": 5,
        "dissociation_resolved": True,
        "last_reading": {"systolic": 130, "diastolic": 82, "heart_rate": 75, "spo2": 97},
        "baseline": BASELINE,
        "recovery_score": 10,
        "escort_confirmed": True,
        "no_driving_advice_given": True,
    }
    state.update(changes)
    return state


def test_ready_patient_has_no_unmet_criteria():
    assert unmet_criteria(ready()) == []


def test_nothing_known_means_every_criterion_unmet_in_order():
    assert unmet_criteria({}) == list(CRITERIA)
    assert list(CRITERIA) == [
        "observation_time",
        "sedation",
        "dissociation",
        "vitals",
        "recovery_score",
        "escort",
        "driving_advice",
    ]
    assert set(MESSAGES) == set(CRITERIA)


@pytest.mark.parametrize(("minutes", "met"), [(0, False), (119, False), (120, True), (121, True)])
def test_observation_time_boundary(minutes, met):
    unmet = unmet_criteria(ready(minutes_since_first_dose=minutes))
    assert unmet == ([] if met else ["observation_time"])


def test_defaults_match_the_site_settings_defaults():
    defaults = SiteSettings()
    assert defaults.min_observation_minutes == DEFAULT_MIN_OBSERVATION_MINUTES
    assert defaults.min_discharge_score == DEFAULT_MIN_DISCHARGE_SCORE


def test_site_may_lengthen_observation():
    site = {"min_observation_minutes": 180}
    assert unmet_criteria(ready(minutes_since_first_dose=179), thresholds=site) == [
        "observation_time"
    ]
    assert unmet_criteria(ready(minutes_since_first_dose=180), thresholds=site) == []


def test_site_may_not_shorten_observation_below_the_rems_floor():
    with pytest.raises(FieldValueError, match="min_observation_minutes"):
        unmet_criteria(ready(), thresholds={"min_observation_minutes": 90})


@pytest.mark.parametrize(("moaas", "met"), [(5, True), (4, False), (0, False), (None, False)])
def test_sedation_needs_moaas_five(moaas, met):
    assert unmet_criteria(ready(moaas=moaas)) == ([] if met else ["sedation"])


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("dissociation_resolved", "dissociation"),
        ("escort_confirmed", "escort"),
        ("no_driving_advice_given", "driving_advice"),
    ],
)
@pytest.mark.parametrize("value", [False, None])
def test_yes_no_criteria_need_an_explicit_yes(key, code, value):
    assert unmet_criteria(ready(**{key: value})) == [code]


@pytest.mark.parametrize(("score", "met"), [(8, False), (9, True), (10, True), (None, False)])
def test_recovery_score_boundary(score, met):
    assert unmet_criteria(ready(recovery_score=score)) == ([] if met else ["recovery_score"])


def test_site_recovery_score_minimum():
    assert unmet_criteria(ready(recovery_score=9), thresholds={"min_discharge_score": 10}) == [
        "recovery_score"
    ]


@pytest.mark.parametrize("missing", ["systolic", "diastolic", "heart_rate", "spo2"])
def test_vitals_need_blood_pressure_heart_rate_and_spo2(missing):
    last = {**ready()["last_reading"], missing: None}
    assert unmet_criteria(ready(last_reading=last)) == ["vitals"]


def test_vitals_without_a_last_reading_are_unmet():
    assert unmet_criteria(ready(last_reading=None)) == ["vitals"]


@pytest.mark.parametrize(
    ("changes", "met"),
    [
        ({"spo2": 94}, True),
        ({"spo2": 93}, False),
        ({"heart_rate": 120}, True),
        ({"heart_rate": 121}, False),
        ({"resp_rate": 10}, True),
        ({"resp_rate": 9}, False),
        # A rise of 40 systolic or 25 diastolic from the baseline is a warning.
        ({"systolic": 164}, True),
        ({"systolic": 165}, False),
        ({"diastolic": 104}, True),
        ({"diastolic": 105}, False),
        ({"moaas": 3}, False),
    ],
)
def test_vitals_must_be_within_warn_limits_against_the_baseline(changes, met):
    last = {**ready()["last_reading"], **changes}
    unmet = unmet_criteria(ready(last_reading=last))
    assert ("vitals" not in unmet) is met


def test_a_rise_counts_only_against_a_baseline():
    last = {"systolic": 170, "diastolic": 100, "heart_rate": 75, "spo2": 97}
    assert unmet_criteria(ready(last_reading=last)) == ["vitals"]
    assert unmet_criteria(ready(last_reading=last, baseline=None)) == []


def test_site_vital_thresholds_apply_at_discharge():
    last = {**ready()["last_reading"], "spo2": 95}
    assert unmet_criteria(ready(last_reading=last)) == []
    assert unmet_criteria(ready(last_reading=last), thresholds={"spo2_warn_below": 96}) == [
        "vitals"
    ]


def test_several_unmet_criteria_in_order():
    state = ready(
        minutes_since_first_dose=60,
        escort_confirmed=False,
        recovery_score=7,
        dissociation_resolved=None,
    )
    assert unmet_criteria(state) == [
        "observation_time",
        "dissociation",
        "recovery_score",
        "escort",
    ]


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("minutes_since_first_dose", -5, "minutes_since_first_dose"),
        ("minutes_since_first_dose", "125", "minutes_since_first_dose"),
        ("moaas", 6, "moaas"),
        ("recovery_score", 11, "recovery_score"),
        ("recovery_score", -1, "recovery_score"),
        ("escort_confirmed", "yes", "escort_confirmed"),
        ("dissociation_resolved", 1, "dissociation_resolved"),
        ("last_reading", {"systolic": 400, "diastolic": 80}, "last_reading.systolic"),
        ("baseline", {"spo2": 30}, "baseline.spo2"),
    ],
)
def test_impossible_values_raise_naming_the_key(key, value, field):
    with pytest.raises(FieldValueError) as raised:
        unmet_criteria(ready(**{key: value}))
    assert raised.value.field == field


def test_state_must_be_a_mapping():
    with pytest.raises(FieldValueError, match="state"):
        unmet_criteria(["moaas", 5])  # type: ignore[arg-type]
