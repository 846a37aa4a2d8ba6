"""Modified Aldrete and PADSS item by item: each item's scoring, totals at the discharge
minimum, missing items named, and the hints drawn from the readings."""

from __future__ import annotations

import pytest

from kapclinic.dosing.discharge import unmet_criteria
from kapclinic.dosing.recovery_scores import (
    ALDRETE,
    ITEMS,
    PADSS,
    circulation_score,
    hints,
    items_of,
    oxygen_score,
    total,
    vital_signs_score,
)
from kapclinic.lib.field_error import FieldValueError

ALDRETE_CODES = ["activity", "respiration", "circulation", "consciousness", "oxygen_saturation"]
PADSS_CODES = ["vital_signs", "ambulation", "nausea_vomiting", "pain", "bleeding"]
BASELINE = {"systolic": 125, "diastolic": 80, "heart_rate": 70, "spo2": 98}


def test_the_items_of_each_score_in_order():
    assert [item.code for item in ITEMS[ALDRETE]] == ALDRETE_CODES
    assert [item.code for item in ITEMS[PADSS]] == PADSS_CODES


@pytest.mark.parametrize("kind", [ALDRETE, PADSS])
def test_every_item_answers_2_1_0_in_words(kind):
    for item in items_of(kind):
        assert [score for score, _ in item.answers] == [2, 1, 0]
        assert all(len(words.split()) >= 2 for _, words in item.answers)


@pytest.mark.parametrize("kind", [ALDRETE, PADSS])
@pytest.mark.parametrize("position", range(5))
@pytest.mark.parametrize("answer", [0, 1, 2])
def test_each_item_adds_its_answer_to_the_total(kind, position, answer):
    codes = ALDRETE_CODES if kind == ALDRETE else PADSS_CODES
    answers = dict.fromkeys(codes, 2) | {codes[position]: answer}
    assert total(kind, answers) == 8 + answer


@pytest.mark.parametrize("kind", [ALDRETE, PADSS])
def test_totals_at_8_and_9_against_the_discharge_minimum(kind):
    codes = ALDRETE_CODES if kind == ALDRETE else PADSS_CODES
    eight = total(kind, dict.fromkeys(codes, 2) | {codes[0]: 1, codes[1]: 1})
    nine = total(kind, dict.fromkeys(codes, 2) | {codes[0]: 1})
    assert (eight, nine) == (8, 9)
    ready = {
        "minutes_since_first_dose": 130,
        "moaas": 5,
        "dissociation_resolved": True,
        "last_reading": BASELINE,
        "baseline": BASELINE,
        "escort_confirmed": True,
        "no_driving_advice_given": True,
    }
    assert unmet_criteria({**ready, "recovery_score": eight}) == ["recovery_score"]
    assert unmet_criteria({**ready, "recovery_score": nine}) == []


@pytest.mark.parametrize(
    ("kind", "missing", "name"),
    [
        (ALDRETE, "activity", "Activity"),
        (ALDRETE, "oxygen_saturation", "Oxygen saturation"),
        (PADSS, "vital_signs", "Vital signs"),
        (PADSS, "bleeding", "Bleeding"),
    ],
)
def test_a_missing_item_is_refused_by_name(kind, missing, name):
    codes = ALDRETE_CODES if kind == ALDRETE else PADSS_CODES
    answers = dict.fromkeys(codes, 2)
    del answers[missing]
    with pytest.raises(FieldValueError) as raised:
        total(kind, answers)
    assert raised.value.field == missing
    assert name in str(raised.value)


@pytest.mark.parametrize("value", [-1, 3, True, 1.5, "2"])
def test_an_impossible_answer_is_refused_by_name(value):
    answers = dict.fromkeys(PADSS_CODES, 2) | {"pain": value}
    with pytest.raises(FieldValueError) as raised:
        total(PADSS, answers)
    assert raised.value.field == "pain"


def test_answers_of_the_other_score_are_ignored():
    answers = dict.fromkeys(ALDRETE_CODES, 2) | {"pain": 0, "bleeding": 7}
    assert total(ALDRETE, answers) == 10


def test_an_unknown_score_is_refused():
    with pytest.raises(FieldValueError) as raised:
        total("apgar", {})
    assert raised.value.field == "score_kind"


@pytest.mark.parametrize(
    ("systolic", "score"),
    [(120, 2), (140, 2), (100, 2), (141, 1), (99, 1), (169, 1), (170, 0), (70, 0)],
)
def test_aldrete_circulation_against_baseline_120(systolic, score):
    assert circulation_score(systolic, 120) == score


@pytest.mark.parametrize(
    ("spo2", "on_oxygen", "score"),
    [(93, False, 2), (92, False, 1), (93, True, 1), (91, True, 1), (90, True, 0), (90, False, 0)],
)
def test_aldrete_oxygen(spo2, on_oxygen, score):
    assert oxygen_score(spo2, on_oxygen=on_oxygen) == score


def test_aldrete_helpers_refuse_impossible_values():
    with pytest.raises(FieldValueError, match="spo2"):
        oxygen_score(120, on_oxygen=False)
    with pytest.raises(FieldValueError, match="baseline_systolic"):
        circulation_score(120, 20)


@pytest.mark.parametrize(
    ("systolic", "pulse", "score"),
    [
        (100, 100, 2),  # both exactly at 20% of 100
        (121, 100, 1),  # blood pressure just past 20%
        (100, 79, 1),  # pulse just past 20% below
        (140, 100, 1),  # 40%
        (141, 100, 0),  # past 40%
        (100, 59, 0),
    ],
)
def test_padss_vital_signs_the_worse_of_pressure_and_pulse(systolic, pulse, score):
    assert (
        vital_signs_score(systolic, pulse, baseline_systolic=100, baseline_heart_rate=100) == score
    )


def test_hints_from_the_latest_reading_and_the_baseline():
    found = hints({"systolic": 150, "heart_rate": 72, "spo2": 95}, BASELINE)
    assert found["oxygen_saturation"] == ("Latest SpO2 95%: scores 2 if on room air.", 2)
    words, score = found["circulation"]
    assert "25 mmHg apart" in words and score == 1
    assert found["vital_signs"][1] == 2  # 150 is exactly 20% above 125
    assert set(found) == {"oxygen_saturation", "circulation", "vital_signs"}


def test_no_hint_without_the_reading_or_the_baseline():
    assert hints(None, None) == {}
    assert set(hints({"systolic": 130, "spo2": None}, None)) == set()
    assert set(hints({"spo2": 91}, None)) == {"oxygen_saturation"}
    assert hints({"spo2": 91}, None)["oxygen_saturation"][1] == 1
