"""Vital-sign alerts of CLINICAL.md 4a: each threshold just below, at and just above."""

from __future__ import annotations

import pytest

from kapclinic.dosing.monitoring import DEFAULT_THRESHOLDS, SYMPTOMS, alerts_for
from kapclinic.lib.field_error import FieldValueError

CALM = {"systolic": 120, "diastolic": 75, "heart_rate": 72, "spo2": 98, "resp_rate": 14, "moaas": 5}


def levels(alerts):
    return {alert.rule: alert.level for alert in alerts}


def reading(**changes):
    return {**CALM, **changes}


def test_calm_reading_raises_nothing_before_or_after_dosing():
    assert alerts_for(CALM) == []
    assert alerts_for(CALM, pre_dose=True, baseline=CALM) == []


def test_empty_reading_raises_nothing():
    assert alerts_for({}) == []
    assert alerts_for({"systolic": None, "symptoms": []}) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Pre-dose warn: above 140/90.
        ({"systolic": 140, "diastolic": 90}, None),
        ({"systolic": 141, "diastolic": 90}, "warn"),
        ({"systolic": 140, "diastolic": 91}, "warn"),
        # Urgent at or above 180/110.
        ({"systolic": 179, "diastolic": 100}, "warn"),
        ({"systolic": 180, "diastolic": 100}, "urgent"),
        ({"systolic": 181, "diastolic": 100}, "urgent"),
        ({"systolic": 150, "diastolic": 109}, "warn"),
        ({"systolic": 150, "diastolic": 110}, "urgent"),
        ({"systolic": 150, "diastolic": 111}, "urgent"),
    ],
)
def test_pre_dose_blood_pressure(changes, expected):
    assert levels(alerts_for(reading(**changes), pre_dose=True)).get("bp") == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # During the session only the urgent limit applies to the value itself.
        ({"systolic": 170, "diastolic": 105}, None),
        ({"systolic": 179, "diastolic": 109}, None),
        ({"systolic": 180, "diastolic": 100}, "urgent"),
        ({"systolic": 150, "diastolic": 110}, "urgent"),
    ],
)
def test_blood_pressure_during_the_session(changes, expected):
    assert levels(alerts_for(reading(**changes))).get("bp") == expected


def test_systolic_alone_can_be_urgent():
    alerts = alerts_for({"systolic": 185})
    assert [(a.rule, a.level) for a in alerts] == [("bp", "urgent")]
    assert "185/?" in alerts[0].message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"systolic": 159, "diastolic": 75}, None),
        ({"systolic": 160, "diastolic": 75}, "warn"),
        ({"systolic": 161, "diastolic": 75}, "warn"),
        ({"systolic": 120, "diastolic": 99}, None),
        ({"systolic": 120, "diastolic": 100}, "warn"),
        ({"systolic": 120, "diastolic": 101}, "warn"),
    ],
)
def test_rise_from_baseline(changes, expected):
    baseline = {"systolic": 120, "diastolic": 75}
    assert levels(alerts_for(reading(**changes), baseline=baseline)).get("bp_rise") == expected


def test_rise_needs_a_baseline():
    assert alerts_for(reading(systolic=170, diastolic=105)) == []
    assert alerts_for(reading(systolic=170), baseline={"heart_rate": 70}) == []


def test_rise_and_urgent_value_are_separate_rules():
    alerts = alerts_for(reading(systolic=185, diastolic=100), baseline=CALM)
    assert levels(alerts) == {"bp": "urgent", "bp_rise": "warn"}
    # Urgent alerts come first.
    assert alerts[0].level == "urgent"


def test_a_fall_from_baseline_is_not_a_rise():
    assert alerts_for(reading(systolic=100, diastolic=60), baseline=reading(systolic=160)) == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("spo2", 95, None),
        ("spo2", 94, None),
        ("spo2", 93, "warn"),
        ("spo2", 91, "warn"),
        ("spo2", 90, "warn"),
        ("spo2", 89, "urgent"),
        ("spo2", 50, "urgent"),
        ("resp_rate", 11, None),
        ("resp_rate", 10, None),
        ("resp_rate", 9, "warn"),
        ("resp_rate", 8, "warn"),
        ("resp_rate", 7, "urgent"),
        ("resp_rate", 0, "urgent"),
        ("heart_rate", 119, None),
        ("heart_rate", 120, None),
        ("heart_rate", 121, "warn"),
        ("heart_rate", 140, "warn"),
        ("heart_rate", 141, "urgent"),
        ("heart_rate", 51, None),
        ("heart_rate", 50, None),
        ("heart_rate", 49, "warn"),
        ("heart_rate", 40, "warn"),
        ("heart_rate", 39, "urgent"),
        ("moaas", 5, None),
        ("moaas", 4, None),
        ("moaas", 3, "warn"),
        ("moaas", 2, "warn"),
        ("moaas", 1, "urgent"),
        ("moaas", 0, "urgent"),
    ],
)
def test_single_value_thresholds(field, value, expected):
    assert levels(alerts_for(reading(**{field: value}))).get(field) == expected
    assert levels(alerts_for(reading(**{field: value}), pre_dose=True)).get(field) == expected


@pytest.mark.parametrize("symptom", sorted(SYMPTOMS))
def test_each_symptom_is_urgent(symptom):
    alerts = alerts_for({"symptoms": [symptom]})
    assert [(a.rule, a.level) for a in alerts] == [("symptom", "urgent")]
    assert "emergency care now" in alerts[0].message
    assert SYMPTOMS[symptom] in alerts[0].message


def test_several_symptoms_are_one_alert_naming_each():
    alerts = alerts_for({"symptoms": ["seizure", "chest_pain"]})
    assert len(alerts) == 1
    assert "chest pain" in alerts[0].message
    assert "seizure" in alerts[0].message


def test_every_rule_at_once_gives_one_alert_per_rule():
    bad = {
        "systolic": 200,
        "diastolic": 120,
        "heart_rate": 150,
        "spo2": 85,
        "resp_rate": 6,
        "moaas": 0,
        "symptoms": ["chest_pain"],
    }
    alerts = alerts_for(bad, baseline=CALM, pre_dose=True)
    assert levels(alerts) == {
        "bp": "urgent",
        "bp_rise": "warn",
        "spo2": "urgent",
        "resp_rate": "urgent",
        "heart_rate": "urgent",
        "moaas": "urgent",
        "symptom": "urgent",
    }
    assert len(alerts) == 7
    assert [a.level for a in alerts] == ["urgent"] * 6 + ["warn"]


def test_site_thresholds_change_each_limit():
    site = {
        "predose_bp_warn_systolic": 150,
        "bp_urgent_systolic": 170,
        "bp_rise_warn_systolic": 30,
        "spo2_warn_below": 96,
        "resp_rate_urgent_below": 9,
        "heart_rate_warn_above": 100,
        "moaas_warn_at_or_below": 4,
    }
    assert alerts_for(reading(systolic=145), pre_dose=True, thresholds=site) == []
    assert levels(alerts_for(reading(systolic=170), thresholds=site))["bp"] == "urgent"
    assert levels(alerts_for(reading(systolic=150), baseline=CALM, thresholds=site)) == {
        "bp_rise": "warn"
    }
    assert levels(alerts_for(reading(spo2=95), thresholds=site)) == {"spo2": "warn"}
    assert levels(alerts_for(reading(resp_rate=8), thresholds=site)) == {"resp_rate": "urgent"}
    assert levels(alerts_for(reading(heart_rate=101), thresholds=site)) == {"heart_rate": "warn"}
    assert levels(alerts_for(reading(moaas=4), thresholds=site)) == {"moaas": "warn"}
    # The same readings with the defaults.
    assert levels(alerts_for(reading(spo2=95, heart_rate=101, moaas=4, resp_rate=8))) == {
        "resp_rate": "warn"
    }


def test_unrelated_site_settings_and_none_values_are_ignored():
    site = {"min_observation_minutes": 150, "spo2_warn_below": None}
    assert alerts_for(CALM, thresholds=site) == []
    assert levels(alerts_for(reading(spo2=93), thresholds=site)) == {"spo2": "warn"}


def test_threshold_names_are_the_site_settings_fields():
    from kapclinic.clinics.models import SiteSettings

    defaults = SiteSettings()
    for name, value in DEFAULT_THRESHOLDS.items():
        assert getattr(defaults, name) == value, name


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("systolic", 49),
        ("systolic", 301),
        ("diastolic", 19),
        ("diastolic", 201),
        ("heart_rate", 19),
        ("heart_rate", 251),
        ("spo2", 49),
        ("spo2", 101),
        ("resp_rate", -1),
        ("resp_rate", 81),
        ("moaas", -1),
        ("moaas", 6),
        ("spo2", "97"),
        ("spo2", 97.5),
        ("moaas", True),
        ("symptoms", ["hiccups"]),
        ("symptoms", [["chest_pain"]]),
        ("symptoms", "chest_pain"),
        ("sp02", 97),
    ],
)
def test_impossible_values_raise_naming_the_field(field, value):
    with pytest.raises(FieldValueError) as raised:
        alerts_for({field: value})
    assert raised.value.field == field
    assert field in str(raised.value)


@pytest.mark.parametrize(("field", "value"), [("systolic", 50), ("systolic", 300), ("spo2", 100)])
def test_limits_of_the_possible_ranges_are_accepted(field, value):
    alerts_for({field: value})


def test_diastolic_not_below_systolic_is_impossible():
    with pytest.raises(ValueError, match="diastolic"):
        alerts_for({"systolic": 90, "diastolic": 90})
    alerts_for({"systolic": 90, "diastolic": 89})


def test_an_impossible_baseline_names_the_baseline_field():
    with pytest.raises(FieldValueError) as raised:
        alerts_for(CALM, baseline={"spo2": 120})
    assert raised.value.field == "baseline.spo2"


def test_a_nonsense_threshold_is_refused():
    with pytest.raises(ValueError, match="spo2_warn_below"):
        alerts_for(CALM, thresholds={"spo2_warn_below": "94"})


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"spo2": 89}, ["89%", "below 90%", "urgent"]),
        ({"spo2": 92}, ["92%", "below 94%", "recheck"]),
        ({"heart_rate": 45}, ["45/min", "below 50/min"]),
        ({"heart_rate": 145}, ["145/min", "above 140/min", "urgent"]),
        ({"resp_rate": 9}, ["9/min", "below 10/min"]),
        ({"moaas": 2}, ["MOAA/S 2"]),
    ],
)
def test_messages_give_the_value_and_the_limit_it_crossed(changes, words):
    (alert,) = alerts_for(reading(**changes))
    for word in words:
        assert word in alert.message
