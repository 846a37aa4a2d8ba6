"""The screening rules of CLINICAL.md 2a: every row, boundary, missing fact and mix."""

from __future__ import annotations

import pytest

from kapclinic.clinics.models import SiteSettings
from kapclinic.lib.field_error import FieldValueError
from kapclinic.patients.models import Medication
from kapclinic.screening.rules import (
    ABSOLUTE_FLAGS,
    DEFAULT_THRESHOLDS,
    FACT_KEYS,
    FUTURE_THRESHOLDS,
    INDICATIONS,
    INTERACTING_CLASSES,
    RELATIVE_FLAGS,
    count_qualifying_trials,
    evaluate,
    is_qualifying_trial,
)

FAILED = {"adequate_dose": True, "weeks": 6, "improvement_percent": 20}


def clean(**changes):
    """Facts of a patient with nothing against treatment; ``changes`` override."""
    facts = {
        "indication": "mdd",
        "antidepressant_trials": [],
        "cssrs_risk": "none",
        "bp_systolic": 120,
        "bp_diastolic": 80,
        "hepatic_impairment": "none",
        "medication_classes": [],
    }
    facts.update(dict.fromkeys(ABSOLUTE_FLAGS, False))
    facts.update(dict.fromkeys(RELATIVE_FLAGS, False))
    facts.update(changes)
    return facts


def test_clean_facts_are_eligible_with_no_reasons():
    decision = evaluate(clean())
    assert decision.outcome == "eligible"
    assert decision.reasons == ()


def test_clean_facts_cover_every_key():
    assert set(clean()) == set(FACT_KEYS)


@pytest.mark.parametrize("key", sorted(ABSOLUTE_FLAGS))
def test_each_absolute_flag_makes_ineligible_with_its_own_rule(key):
    decision = evaluate(clean(**{key: True}))
    assert decision.outcome == "ineligible"
    assert decision.rules() == (key,)
    assert decision.reasons[0].level == "absolute"
    assert decision.reasons[0].message


@pytest.mark.parametrize("key", sorted(RELATIVE_FLAGS))
def test_each_relative_flag_needs_review_with_its_own_rule(key):
    decision = evaluate(clean(**{key: True}))
    assert decision.outcome == "needs_review"
    assert decision.rules() == (key,)
    assert decision.reasons[0].level == "relative"


@pytest.mark.parametrize("key", FACT_KEYS)
@pytest.mark.parametrize("absent", ["none", "absent"])
def test_every_missing_fact_is_a_missing_reason_named_by_its_key(key, absent):
    facts = clean()
    if absent == "none":
        facts[key] = None
    else:
        del facts[key]
    decision = evaluate(facts)
    assert decision.outcome == "needs_review"
    assert [(r.rule, r.level) for r in decision.reasons] == [(key, "missing")]
    assert decision.reasons[0].message.startswith("Not yet recorded")


def test_empty_facts_list_every_key_as_missing():
    decision = evaluate({})
    assert decision.outcome == "needs_review"
    assert sorted(decision.rules()) == sorted(FACT_KEYS)


@pytest.mark.parametrize("indication", sorted(INDICATIONS))
def test_every_known_indication_is_accepted(indication):
    trials = [FAILED, FAILED] if indication == "trd" else []
    assert evaluate(clean(indication=indication, antidepressant_trials=trials)).outcome == (
        "eligible"
    )


@pytest.mark.parametrize("code", ["depression", "", "MDD", 3, ["mdd"]])
def test_unknown_indication_is_a_missing_reason(code):
    decision = evaluate(clean(indication=code))
    assert decision.outcome == "needs_review"
    assert [(r.rule, r.level) for r in decision.reasons] == [("indication", "missing")]


# Blood pressure: 180/100 is the absolute limit, 140/90 the relative one ("above").


@pytest.mark.parametrize(
    ("systolic", "diastolic", "rules"),
    [
        (140, 90, ()),
        (141, 90, ("bp_raised",)),
        (140, 91, ("bp_raised",)),
        (139, 89, ()),
        (180, 100, ("bp_raised",)),
        (181, 100, ("bp_uncontrolled",)),
        (180, 101, ("bp_uncontrolled",)),
        (150, 101, ("bp_uncontrolled",)),
        (200, 120, ("bp_uncontrolled",)),
        (179, 99, ("bp_raised",)),
    ],
)
def test_blood_pressure_limits(systolic, diastolic, rules):
    decision = evaluate(clean(bp_systolic=systolic, bp_diastolic=diastolic))
    assert decision.rules() == rules


def test_uncontrolled_blood_pressure_is_absolute_and_names_the_reading():
    decision = evaluate(clean(bp_systolic=185, bp_diastolic=95))
    assert decision.outcome == "ineligible"
    assert decision.reasons[0].level == "absolute"
    assert "185/95" in decision.reasons[0].message


def test_raised_blood_pressure_is_relative():
    decision = evaluate(clean(bp_systolic=150, bp_diastolic=85))
    assert decision.outcome == "needs_review"
    assert decision.reasons[0].level == "relative"


def test_one_known_half_of_blood_pressure_still_counts():
    decision = evaluate(clean(bp_systolic=190, bp_diastolic=None))
    assert decision.outcome == "ineligible"
    assert set(decision.rules()) == {"bp_uncontrolled", "bp_diastolic"}


def test_site_thresholds_replace_the_blood_pressure_limits():
    site = {
        "screening_bp_absolute_systolic": 160,
        "screening_bp_absolute_diastolic": 95,
        "predose_bp_warn_systolic": 130,
        "predose_bp_warn_diastolic": 85,
    }
    assert evaluate(clean(bp_systolic=161, bp_diastolic=80), site).rules() == ("bp_uncontrolled",)
    assert evaluate(clean(bp_systolic=160, bp_diastolic=80), site).rules() == ("bp_raised",)
    assert evaluate(clean(bp_systolic=131, bp_diastolic=80), site).rules() == ("bp_raised",)
    assert evaluate(clean(bp_systolic=130, bp_diastolic=85), site).rules() == ()
    # The same reading with the defaults.
    assert evaluate(clean(bp_systolic=161, bp_diastolic=80)).rules() == ("bp_raised",)


def test_threshold_defaults_match_the_site_settings_defaults():
    defaults = SiteSettings()
    for name, value in DEFAULT_THRESHOLDS.items():
        if name not in FUTURE_THRESHOLDS:
            assert getattr(defaults, name) == value, name


def test_unrelated_site_settings_and_none_values_are_ignored():
    site = {"spo2_warn_below": 94, "predose_bp_warn_systolic": None}
    assert evaluate(clean(bp_systolic=141), site).rules() == ("bp_raised",)


@pytest.mark.parametrize("value", ["140", 140.5, True, -1])
def test_a_threshold_that_is_not_a_whole_number_is_refused(value):
    with pytest.raises(ValueError, match="predose_bp_warn_systolic"):
        evaluate(clean(), {"predose_bp_warn_systolic": value})


# C-SSRS and hepatic impairment levels.


@pytest.mark.parametrize(
    ("risk", "outcome", "rules"),
    [
        ("none", "eligible", ()),
        ("low", "eligible", ()),
        ("moderate", "needs_review", ("cssrs_moderate",)),
        ("high", "ineligible", ("cssrs_high",)),
    ],
)
def test_cssrs_risk_levels(risk, outcome, rules):
    decision = evaluate(clean(cssrs_risk=risk))
    assert (decision.outcome, decision.rules()) == (outcome, rules)


@pytest.mark.parametrize(
    ("level", "rules"),
    [
        ("none", ()),
        ("mild", ()),
        ("moderate", ("hepatic_impairment",)),
        ("severe", ("hepatic_impairment",)),
    ],
)
def test_hepatic_impairment_levels(level, rules):
    decision = evaluate(clean(hepatic_impairment=level))
    assert decision.rules() == rules
    assert decision.outcome == ("needs_review" if rules else "eligible")


def test_severe_hepatic_impairment_says_not_recommended():
    assert "not recommended" in evaluate(clean(hepatic_impairment="severe")).reasons[0].message


# Medicines.


@pytest.mark.parametrize("drug_class", sorted(INTERACTING_CLASSES))
def test_each_interacting_class_needs_review(drug_class):
    decision = evaluate(clean(medication_classes=["antidepressant", drug_class]))
    assert decision.outcome == "needs_review"
    assert decision.rules() == (f"interaction:{drug_class}",)
    assert decision.reasons[0].level == "relative"


def test_every_interacting_class_lists_its_own_reason_once():
    classes = [*INTERACTING_CLASSES, "benzodiazepine"]
    decision = evaluate(clean(medication_classes=classes))
    assert decision.rules() == tuple(f"interaction:{c}" for c in INTERACTING_CLASSES)


@pytest.mark.parametrize("drug_class", ["antidepressant", "antipsychotic", "other", "vitamin"])
def test_other_medicines_do_not_interact(drug_class):
    assert evaluate(clean(medication_classes=[drug_class])).outcome == "eligible"


def test_interacting_classes_are_codes_the_medication_record_uses():
    assert set(INTERACTING_CLASSES) <= set(Medication.DrugClass.values)


# Treatment-resistant depression.


@pytest.mark.parametrize(
    ("trial", "qualifies"),
    [
        (FAILED, True),
        ({"adequate_dose": True, "weeks": 4, "improvement_percent": 49}, True),
        ({"adequate_dose": True, "weeks": 3, "improvement_percent": 0}, False),
        ({"adequate_dose": True, "weeks": 8, "improvement_percent": 50}, False),
        ({"adequate_dose": False, "weeks": 8, "improvement_percent": 0}, False),
        ({"adequate_dose": True, "weeks": 8, "improvement_percent": -20}, True),
        ({"adequate_dose": None, "weeks": 8, "improvement_percent": 0}, False),
        ({"adequate_dose": True, "weeks": None, "improvement_percent": 0}, False),
        ({"adequate_dose": True, "weeks": 8}, False),
    ],
)
def test_qualifying_trial(trial, qualifies):
    assert is_qualifying_trial(trial) is qualifies
    assert count_qualifying_trials([trial]) == int(qualifies)


def test_count_of_qualifying_trials():
    weak = {"adequate_dose": False, "weeks": 8, "improvement_percent": 0}
    assert count_qualifying_trials([]) == 0
    assert count_qualifying_trials([FAILED, weak, FAILED, FAILED]) == 3


@pytest.mark.parametrize(("count", "met"), [(0, False), (1, False), (2, True), (3, True)])
def test_trd_needs_two_qualifying_trials(count, met):
    decision = evaluate(clean(indication="trd", antidepressant_trials=[FAILED] * count))
    if met:
        assert decision.outcome == "eligible"
    else:
        assert decision.rules() == ("trd_not_met",)
        assert decision.reasons[0].level == "relative"
        assert f"{count} recorded" in decision.reasons[0].message


def test_trd_rule_applies_only_to_the_trd_indication():
    assert evaluate(clean(indication="mdd", antidepressant_trials=[])).outcome == "eligible"


def test_trd_with_unrecorded_trials_is_missing_not_unmet():
    decision = evaluate(clean(indication="trd", antidepressant_trials=None))
    assert decision.rules() == ("antidepressant_trials",)


def test_site_can_ask_for_six_week_trials_and_three_failures():
    five_weeks = {"adequate_dose": True, "weeks": 5, "improvement_percent": 10}
    facts = clean(indication="trd", antidepressant_trials=[five_weeks] * 3)
    assert evaluate(facts).outcome == "eligible"
    assert evaluate(facts, {"trd_min_trial_weeks": 6}).rules() == ("trd_not_met",)
    assert evaluate(facts, {"trd_min_failed_trials": 4}).rules() == ("trd_not_met",)
    assert evaluate(facts, {"trd_min_failed_trials": 3}).outcome == "eligible"


# Combinations.


def test_absolute_beats_relative_beats_eligible_and_every_reason_is_listed():
    facts = clean(
        pregnant=True,
        current_mania=True,
        bipolar_disorder=True,
        bp_systolic=150,
        medication_classes=["opioid"],
        breastfeeding=None,
    )
    decision = evaluate(facts)
    assert decision.outcome == "ineligible"
    assert set(decision.rules()) == {
        "pregnant",
        "current_mania",
        "bipolar_disorder",
        "bp_raised",
        "interaction:opioid",
        "breastfeeding",
    }
    # Absolute reasons come first, then relative, then missing.
    levels = [reason.level for reason in decision.reasons]
    assert levels == ["absolute", "absolute", "relative", "relative", "relative", "missing"]


def test_relative_and_missing_together_need_review():
    decision = evaluate(clean(cystitis=True, pregnant=None))
    assert decision.outcome == "needs_review"
    assert decision.rules() == ("cystitis", "pregnant")


def test_all_absolute_and_relative_flags_together():
    flags = dict.fromkeys([*ABSOLUTE_FLAGS, *RELATIVE_FLAGS], True)
    decision = evaluate(clean(**flags))
    assert decision.outcome == "ineligible"
    assert set(decision.rules()) == set(flags)


def test_extra_keys_are_ignored():
    assert evaluate(clean(notes="calm, well supported")).outcome == "eligible"


# Impossible values.


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("pregnant", "no"),
        ("pregnant", 0),
        ("current_psychosis", "yes"),
        ("cystitis", 1),
        ("cssrs_risk", "severe"),
        ("hepatic_impairment", "bad"),
        ("bp_systolic", 500),
        ("bp_systolic", 49),
        ("bp_diastolic", 19),
        ("bp_diastolic", 201),
        ("bp_systolic", "120"),
        ("bp_systolic", 120.5),
        ("bp_systolic", True),
        ("medication_classes", "opioid"),
        ("medication_classes", [3]),
        ("antidepressant_trials", "two"),
        ("antidepressant_trials", ["sertraline"]),
    ],
)
def test_impossible_values_raise_naming_the_key(key, value):
    with pytest.raises(FieldValueError, match=key) as raised:
        evaluate(clean(**{key: value}))
    assert raised.value.field.startswith(key)


def test_diastolic_at_or_above_systolic_is_impossible():
    with pytest.raises(FieldValueError, match="bp_diastolic"):
        evaluate(clean(bp_systolic=100, bp_diastolic=100))


@pytest.mark.parametrize(
    ("trial", "field"),
    [
        ({"adequate_dose": "yes", "weeks": 6, "improvement_percent": 0}, "adequate_dose"),
        ({"adequate_dose": True, "weeks": -1, "improvement_percent": 0}, "weeks"),
        ({"adequate_dose": True, "weeks": 6.5, "improvement_percent": 0}, "weeks"),
        ({"adequate_dose": True, "weeks": 6, "improvement_percent": 101}, "improvement_percent"),
    ],
)
def test_impossible_trial_values_name_the_trial_and_part(trial, field):
    with pytest.raises(FieldValueError) as raised:
        evaluate(clean(antidepressant_trials=[FAILED, trial]))
    assert raised.value.field == f"antidepressant_trials[1].{field}"


def test_facts_must_be_a_mapping():
    with pytest.raises(FieldValueError, match="facts"):
        evaluate(["pregnant"])  # type: ignore[arg-type]
