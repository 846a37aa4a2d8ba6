"""Property: adding a contraindication to any facts never makes the outcome more permissive."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kapclinic.screening.rules import (
    ABSOLUTE_FLAGS,
    CSSRS_LEVELS,
    HEPATIC_LEVELS,
    INDICATIONS,
    INTERACTING_CLASSES,
    RELATIVE_FLAGS,
    evaluate,
)

STRICTNESS = {"eligible": 0, "needs_review": 1, "ineligible": 2}
FLAGS = [*ABSOLUTE_FLAGS, *RELATIVE_FLAGS]
CLASSES = [*INTERACTING_CLASSES, "antidepressant", "other"]

trial = st.fixed_dictionaries(
    {
        "adequate_dose": st.booleans(),
        "weeks": st.integers(0, 20),
        "improvement_percent": st.integers(-50, 100),
    }
)


@st.composite
def screening_facts(draw):
    facts = {flag: draw(st.none() | st.booleans()) for flag in FLAGS}
    facts["indication"] = draw(st.none() | st.sampled_from([*INDICATIONS, "unknown"]))
    facts["antidepressant_trials"] = draw(st.none() | st.lists(trial, max_size=4))
    facts["cssrs_risk"] = draw(st.none() | st.sampled_from(CSSRS_LEVELS))
    facts["hepatic_impairment"] = draw(st.none() | st.sampled_from(HEPATIC_LEVELS))
    facts["medication_classes"] = draw(st.none() | st.lists(st.sampled_from(CLASSES)))
    systolic = draw(st.none() | st.integers(90, 250))
    facts["bp_systolic"] = systolic
    facts["bp_diastolic"] = draw(st.none() | st.integers(40, min(systolic or 200, 200) - 1))
    return facts


@st.composite
def worsened(draw, facts):
    """The same facts with one contraindication added or made worse."""
    worse = dict(facts)
    kind = draw(st.sampled_from(["flag", "cssrs", "hepatic", "medicine", "bp"]))
    if kind == "flag":
        worse[draw(st.sampled_from(FLAGS))] = True
    elif kind == "cssrs":
        # An unknown level only becomes worse by becoming a contraindication.
        current = facts["cssrs_risk"]
        choices = CSSRS_LEVELS[CSSRS_LEVELS.index(current) :] if current else ("moderate", "high")
        worse["cssrs_risk"] = draw(st.sampled_from(choices))
    elif kind == "hepatic":
        current = facts["hepatic_impairment"]
        choices = (
            HEPATIC_LEVELS[HEPATIC_LEVELS.index(current) :] if current else ("moderate", "severe")
        )
        worse["hepatic_impairment"] = draw(st.sampled_from(choices))
    elif kind == "medicine":
        worse["medication_classes"] = [
            *(facts["medication_classes"] or []),
            draw(st.sampled_from(list(INTERACTING_CLASSES))),
        ]
    elif facts["bp_systolic"] is None or facts["bp_diastolic"] is None:
        worse["bp_systolic"] = draw(st.integers(141, 300))
        worse["bp_diastolic"] = draw(st.integers(40, 139))
    else:
        worse["bp_systolic"] = draw(st.integers(facts["bp_systolic"], 300))
        worse["bp_diastolic"] = draw(
            st.integers(facts["bp_diastolic"], min(worse["bp_systolic"] - 1, 200))
        )
    return worse


@given(data=st.data(), facts=screening_facts())
def test_adding_a_contraindication_never_makes_the_outcome_more_permissive(data, facts):
    before = evaluate(facts)
    after = evaluate(data.draw(worsened(facts)))
    assert STRICTNESS[after.outcome] >= STRICTNESS[before.outcome]


@st.composite
def mostly_clean_facts(draw):
    """Facts where most keys are benign, so eligible outcomes are common too."""
    facts = {flag: draw(st.booleans()) if draw(st.integers(0, 9)) == 0 else False for flag in FLAGS}
    facts["indication"] = "mdd"
    facts["antidepressant_trials"] = []
    facts["cssrs_risk"] = draw(st.sampled_from(CSSRS_LEVELS))
    facts["hepatic_impairment"] = draw(st.sampled_from(HEPATIC_LEVELS))
    facts["medication_classes"] = draw(st.lists(st.sampled_from(CLASSES), max_size=2))
    facts["bp_systolic"] = draw(st.none() | st.integers(100, 200))
    facts["bp_diastolic"] = draw(st.integers(50, 99))
    return facts


@given(data=st.data(), facts=mostly_clean_facts())
def test_worsening_nearly_clean_facts_is_never_more_permissive(data, facts):
    before = evaluate(facts)
    after = evaluate(data.draw(worsened(facts)))
    assert STRICTNESS[after.outcome] >= STRICTNESS[before.outcome]


@given(facts=screening_facts())
def test_outcome_follows_the_strictest_reason(facts):
    decision = evaluate(facts)
    levels = {reason.level for reason in decision.reasons}
    if "absolute" in levels:
        assert decision.outcome == "ineligible"
    elif levels:
        assert decision.outcome == "needs_review"
    else:
        assert decision.outcome == "eligible"
