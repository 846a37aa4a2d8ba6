"""Property: a patient who is less recovered never has fewer unmet discharge criteria."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kapclinic.dosing.discharge import unmet_criteria
from kapclinic.dosing.tests.test_monitoring_properties import readings, worse

YES_NO = ("dissociation_resolved", "escort_confirmed", "no_driving_advice_given")


@st.composite
def states(draw):
    return {
        "minutes_since_first_dose": draw(st.none() | st.integers(0, 400)),
        "moaas": draw(st.none() | st.integers(0, 5)),
        **{key: draw(st.none() | st.booleans()) for key in YES_NO},
        "last_reading": draw(st.none() | readings()),
        "baseline": draw(st.none() | readings()),
        "recovery_score": draw(st.none() | st.integers(0, 10)),
    }


@st.composite
def less_recovered(draw, state):
    after = dict(state)
    key = draw(st.sampled_from([*YES_NO, "minutes", "moaas", "score", "reading"]))
    if key in YES_NO:
        after[key] = draw(st.sampled_from([None, False]))
    elif key == "minutes":
        after["minutes_since_first_dose"] = draw(
            st.none() | st.integers(0, state["minutes_since_first_dose"] or 0)
        )
    elif key == "moaas":
        after["moaas"] = draw(st.none() | st.integers(0, state["moaas"] or 0))
    elif key == "score":
        after["recovery_score"] = draw(st.none() | st.integers(0, state["recovery_score"] or 0))
    elif state["last_reading"] is not None:
        after["last_reading"] = draw(worse(state["last_reading"]))
    return after


@given(data=st.data(), state=states())
def test_less_recovered_never_has_fewer_unmet_criteria(data, state):
    before = set(unmet_criteria(state))
    after = set(unmet_criteria(data.draw(less_recovered(state))))
    assert before <= after
