"""Property: a reading that gets worse never has fewer or milder alerts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kapclinic.dosing.monitoring import SYMPTOMS, alerts_for

RANK = {None: 0, "warn": 1, "urgent": 2}


@st.composite
def readings(draw):
    systolic = draw(st.integers(60, 300))
    return {
        "systolic": systolic,
        "diastolic": draw(st.integers(20, min(systolic - 1, 200))),
        "heart_rate": draw(st.integers(20, 250)),
        "spo2": draw(st.integers(50, 100)),
        "resp_rate": draw(st.integers(0, 80)),
        "moaas": draw(st.integers(0, 5)),
        "symptoms": draw(st.lists(st.sampled_from(sorted(SYMPTOMS)), max_size=2, unique=True)),
    }


@st.composite
def worse(draw, reading):
    """The reading with one sign moved further from normal."""
    after = dict(reading)
    sign = draw(st.sampled_from(["bp", "heart_rate", "spo2", "resp_rate", "moaas", "symptoms"]))
    if sign == "bp":
        after["systolic"] = draw(st.integers(reading["systolic"], 300))
        after["diastolic"] = draw(
            st.integers(reading["diastolic"], min(after["systolic"] - 1, 200))
        )
    elif sign == "heart_rate":
        # Away from the middle of the normal range, in whichever direction it lies.
        rate = reading["heart_rate"]
        after["heart_rate"] = draw(st.integers(rate, 250) if rate >= 85 else st.integers(20, rate))
    elif sign in ("spo2", "resp_rate", "moaas"):
        after[sign] = draw(
            st.integers({"spo2": 50, "resp_rate": 0, "moaas": 0}[sign], reading[sign])
        )
    else:
        extra = draw(st.sampled_from(sorted(SYMPTOMS)))
        after["symptoms"] = sorted({*reading["symptoms"], extra})
    return after


def by_rule(alerts):
    return {alert.rule: RANK[alert.level] for alert in alerts}


@given(data=st.data(), reading=readings(), baseline=st.none() | readings(), pre=st.booleans())
def test_alerts_never_decrease_when_a_reading_gets_worse(data, reading, baseline, pre):
    before = by_rule(alerts_for(reading, baseline=baseline, pre_dose=pre))
    after = by_rule(alerts_for(data.draw(worse(reading)), baseline=baseline, pre_dose=pre))
    for rule, rank in before.items():
        assert after.get(rule, 0) >= rank, rule


@given(reading=readings(), baseline=st.none() | readings(), pre=st.booleans())
def test_at_most_one_alert_per_rule(reading, baseline, pre):
    rules = [alert.rule for alert in alerts_for(reading, baseline=baseline, pre_dose=pre)]
    assert len(rules) == len(set(rules))
