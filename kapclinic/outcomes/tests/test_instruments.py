"""Scoring of every instrument of CLINICAL.md 5: limits, bands, special rules, bad input."""

from __future__ import annotations

import pytest

from kapclinic.clinics.models import SiteSettings
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes.instruments import (
    DEFAULT_THRESHOLDS,
    FUTURE_THRESHOLDS,
    INSTRUMENTS,
    score,
)

NUMERIC = [code for code, instrument in INSTRUMENTS.items() if not instrument.yes_no]


def answers(code, value):
    """Every scored item answered ``value``."""
    return [value] * sum(1 for item in INSTRUMENTS[code].items if item.scored)


# One item from each of the nine QIDS-SR16 domains (6 stands for appetite and weight).
QIDS_DOMAINS = [1, 5, 6, 10, 11, 12, 13, 14, 15]


def with_total(code, total):
    """Answers whose total is ``total``, filling items from the first."""
    instrument = INSTRUMENTS[code]
    low, high = instrument.answer_min, instrument.answer_max
    if code == "qids_sr16":
        values: list[int | None] = [0] * 16
        values[6] = values[8] = None  # items 7 and 9 skipped, as a patient would
        free = QIDS_DOMAINS
    else:
        values = answers(code, low)
        free = list(range(1, len(values) + 1))
    remaining = total - (instrument.total_min or 0)
    for number in free:
        step = min(high - low, remaining)
        values[number - 1] = (values[number - 1] or 0) + step
        remaining -= step
    assert remaining == 0
    return values


def test_the_catalogue_holds_the_ten_instruments():
    assert set(INSTRUMENTS) == {
        "phq9",
        "gad7",
        "pcl5",
        "qids_sr16",
        "cssrs_screen",
        "madrs",
        "ybocs",
        "cadss6",
        "moaas",
        "bprs_pos",
    }


@pytest.mark.parametrize(
    ("code", "items", "low", "high", "total_min", "total_max"),
    [
        ("phq9", 9, 0, 3, 0, 27),
        ("gad7", 7, 0, 3, 0, 21),
        ("pcl5", 20, 0, 4, 0, 80),
        ("qids_sr16", 16, 0, 3, 0, 27),
        ("madrs", 10, 0, 6, 0, 60),
        ("ybocs", 10, 0, 4, 0, 40),
        ("cadss6", 6, 0, 4, 0, 24),
        ("moaas", 1, 0, 5, 0, 5),
        ("bprs_pos", 4, 1, 7, 4, 28),
    ],
)
def test_minimum_and_maximum_totals(code, items, low, high, total_min, total_max):
    assert len(answers(code, low)) == items
    assert score(code, answers(code, low)).total == total_min
    assert score(code, answers(code, high)).total == total_max
    instrument = INSTRUMENTS[code]
    assert (instrument.total_min, instrument.total_max) == (total_min, total_max)
    assert (instrument.answer_min, instrument.answer_max) == (low, high)


def test_every_item_has_a_short_label_and_every_answer_a_label():
    for instrument in INSTRUMENTS.values():
        numbers = [item.number for item in instrument.items]
        assert numbers == list(range(1, len(numbers) + 1)), instrument.code
        for item in instrument.items:
            assert 0 < len(item.label) <= 70, (instrument.code, item.number)
        if not instrument.yes_no:
            assert (
                len(instrument.answer_labels) == instrument.answer_max - instrument.answer_min + 1
            )


BANDS: dict[str, list[tuple[int, str | None]]] = {
    "phq9": [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
    "gad7": [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
    "qids_sr16": [
        (0, "none"),
        (5, "none"),
        (6, "mild"),
        (10, "mild"),
        (11, "moderate"),
        (15, "moderate"),
        (16, "severe"),
        (20, "severe"),
        (21, "very severe"),
        (27, "very severe"),
    ],
    "madrs": [
        (0, "normal"),
        (6, "normal"),
        (7, "mild"),
        (19, "mild"),
        (20, "moderate"),
        (34, "moderate"),
        (35, "severe"),
        (60, "severe"),
    ],
    "ybocs": [
        (0, "subclinical"),
        (7, "subclinical"),
        (8, "mild"),
        (15, "mild"),
        (16, "moderate"),
        (23, "moderate"),
        (24, "severe"),
        (31, "severe"),
        (32, "extreme"),
        (40, "extreme"),
    ],
    "pcl5": [
        (0, "below threshold"),
        (32, "below threshold"),
        (33, "probable PTSD"),
        (80, "probable PTSD"),
    ],
    "cadss6": [(0, None), (24, None)],
    "bprs_pos": [(4, None), (28, None)],
}


@pytest.mark.parametrize(
    ("code", "total", "severity"),
    [(code, total, severity) for code, rows in BANDS.items() for total, severity in rows],
)
def test_every_band_boundary(code, total, severity):
    result = score(code, with_total(code, total))
    assert result.total == total
    assert result.severity == severity


@pytest.mark.parametrize(
    ("rating", "label"),
    [
        (5, "alert"),
        (4, "lethargic"),
        (3, "responds to loud voice"),
        (2, "responds to prodding"),
        (1, "responds to trapezius squeeze"),
        (0, "no response"),
    ],
)
def test_moaas_labels(rating, label):
    assert score("moaas", [rating]).severity == label


# PHQ-9.


def test_phq9_difficulty_item_is_optional_and_unscored():
    assert score("phq9", [1] * 9 + [3]).total == 9
    assert score("phq9", [1] * 9 + [None]).total == 9
    assert score("phq9", [1] * 9).total == 9


def test_phq9_difficulty_item_is_checked():
    with pytest.raises(FieldValueError) as raised:
        score("phq9", [1] * 9 + [4])
    assert raised.value.field == "item 10"


@pytest.mark.parametrize(("item9", "flagged"), [(0, False), (1, True), (3, True)])
def test_phq9_item_9_above_zero_is_critical(item9, flagged):
    result = score("phq9", [0] * 8 + [item9])
    assert ("suicide_risk" in result.flags) is flagged
    assert result.critical_items == ((9,) if flagged else ())


def test_phq9_other_items_are_not_critical():
    assert score("phq9", [3] * 8 + [0]).flags == ()


# QIDS-SR16.


def test_qids_takes_the_highest_item_of_each_domain():
    values = [1, 3, 0, 2, 2, 1, None, None, 3, 1, 0, 0, 2, 1, 1, 2]
    # max(1,3,0,2)=3 + 2 + max(1,3)=3 + 1+0+0+2+1 + max(1,2)=2
    assert score("qids_sr16", values).total == 14


def test_qids_maximum_counts_each_domain_once():
    assert score("qids_sr16", [3] * 16).total == 27


@pytest.mark.parametrize(
    ("six_to_nine", "total"),
    [
        ([2, None, None, 1], 2),
        ([None, 3, 0, None], 3),
        ([None, None, 1, None], 1),
        ([1, 1, 1, 1], 1),
    ],
)
def test_qids_appetite_and_weight_items_may_be_skipped(six_to_nine, total):
    values = [0] * 5 + six_to_nine + [0] * 7
    assert score("qids_sr16", values).total == total


def test_qids_needs_one_appetite_or_weight_answer():
    with pytest.raises(FieldValueError, match="item 6"):
        score("qids_sr16", [0] * 5 + [None] * 4 + [0] * 7)


@pytest.mark.parametrize("number", [1, 4, 5, 10, 16])
def test_qids_other_items_may_not_be_skipped(number):
    values: list[int | None] = [0] * 16
    values[number - 1] = None
    with pytest.raises(FieldValueError) as raised:
        score("qids_sr16", values)
    assert raised.value.field == f"item {number}"


@pytest.mark.parametrize(("item12", "flagged"), [(0, False), (1, False), (2, True), (3, True)])
def test_qids_item_12_at_two_is_critical(item12, flagged):
    values = [0] * 16
    values[11] = item12
    assert ("suicide_risk" in score("qids_sr16", values).flags) is flagged


# MADRS.


@pytest.mark.parametrize(("item10", "flagged"), [(3, False), (4, True), (6, True)])
def test_madrs_item_10_at_four_is_critical(item10, flagged):
    assert ("suicide_risk" in score("madrs", [0] * 9 + [item10]).flags) is flagged


def test_site_may_set_the_unconfirmed_critical_levels():
    site = {"madrs_suicide_item_at_or_above": 3, "qids_sr16_suicide_item_at_or_above": 1}
    assert score("madrs", [0] * 9 + [3], thresholds=site).flags == ("suicide_risk",)
    values = [0] * 16
    values[11] = 1
    assert score("qids_sr16", values, thresholds=site).flags == ("suicide_risk",)


# PCL-5.


def test_pcl5_cut_point_is_a_site_setting():
    assert score("pcl5", with_total("pcl5", 31)).flags == ()
    site = {"pcl5_probable_ptsd_cutoff": 31}
    result = score("pcl5", with_total("pcl5", 31), thresholds=site)
    assert result.severity == "probable PTSD"
    assert "probable_ptsd" in result.flags
    assert score("pcl5", with_total("pcl5", 30), thresholds=site).severity == "below threshold"


def test_pcl5_clusters():
    values = [1] * 5 + [2] * 2 + [3] * 7 + [4] * 6
    assert score("pcl5", values).subscales == {
        "cluster_b": 5,
        "cluster_c": 4,
        "cluster_d": 21,
        "cluster_e": 24,
    }


def pcl5_endorsing(b, c, d, e, level=2):
    """PCL-5 answers endorsing (at ``level``) the first b, c, d, e items of each cluster."""
    values = [0] * 20
    for start, count in ((1, b), (6, c), (8, d), (15, e)):
        for number in range(start, start + count):
            values[number - 1] = level
    return values


def test_pcl5_dsm5_rule_met_at_its_minimum():
    result = score("pcl5", pcl5_endorsing(1, 1, 2, 2))
    assert "provisional_ptsd_dsm5" in result.flags
    # Twelve points: a DSM-5 pattern need not reach the probable-PTSD total.
    assert result.total == 12
    assert "probable_ptsd" not in result.flags


@pytest.mark.parametrize("short", [(0, 1, 2, 2), (1, 0, 2, 2), (1, 1, 1, 2), (1, 1, 2, 1)])
def test_pcl5_dsm5_rule_needs_every_cluster(short):
    assert "provisional_ptsd_dsm5" not in score("pcl5", pcl5_endorsing(*short)).flags


def test_pcl5_items_rated_one_are_not_endorsed():
    result = score("pcl5", pcl5_endorsing(5, 2, 7, 6, level=1))
    assert result.total == 20
    assert "provisional_ptsd_dsm5" not in result.flags


def test_pcl5_has_no_critical_items():
    assert "suicide_risk" not in score("pcl5", answers("pcl5", 4)).flags


# Y-BOCS.


def test_ybocs_subscales():
    result = score("ybocs", [4, 3, 2, 1, 0, 0, 1, 1, 1, 1])
    assert result.subscales == {"obsessions": 10, "compulsions": 4}
    assert result.total == 14


# C-SSRS screener.


YES, NO = True, False


@pytest.mark.parametrize(
    ("values", "risk", "critical"),
    [
        ([NO, NO, None, None, None, NO], "none", ()),
        ([NO, NO, None, None, None, NO, None], "none", ()),
        ([NO, NO, NO, NO, NO, NO, NO], "none", ()),
        ([YES, NO, None, None, None, NO], "low", ()),
        ([YES, YES, NO, NO, NO, NO], "low", ()),
        ([NO, YES, NO, NO, NO, NO], "low", ()),
        ([YES, YES, YES, NO, NO, NO], "moderate", (3,)),
        ([NO, NO, None, None, None, YES, NO], "moderate", (6,)),
        ([YES, YES, YES, YES, NO, NO], "high", (4,)),
        ([YES, YES, NO, NO, YES, NO], "high", (5,)),
        ([NO, NO, None, None, None, YES, YES], "high", (7,)),
        ([YES, YES, YES, YES, YES, YES, YES], "high", (4, 5, 7)),
    ],
)
def test_cssrs_triage(values, risk, critical):
    result = score("cssrs_screen", values)
    assert result.total is None
    assert result.severity == risk
    assert ("suicide_risk" in result.flags) is (risk in ("moderate", "high"))
    assert result.critical_items == critical


@pytest.mark.parametrize(
    ("values", "field"),
    [
        # Items 3-5 are asked only after a yes to item 2.
        ([YES, NO, YES, None, None, NO], "item 3"),
        ([YES, NO, None, None, YES, NO], "item 5"),
        # After a yes to item 2, items 3-5 need answers.
        ([YES, YES, None, NO, NO, NO], "item 3"),
        # Item 6 is always asked.
        ([NO, NO, None, None, None, None], "item 6"),
        # The 3-month follow-up needs an answer after a yes to 6 and none after a no.
        ([NO, NO, None, None, None, YES], "item 7"),
        ([NO, NO, None, None, None, YES, None], "item 7"),
        ([NO, NO, None, None, None, NO, YES], "item 7"),
        ([None, NO, None, None, None, NO], "item 1"),
        ([1, NO, None, None, None, NO], "item 1"),
        ([NO, "no", None, None, None, NO], "item 2"),
        ([NO, NO, None, None, None], "item 6"),
        ([NO, NO, None, None, None, NO, NO, NO], "item 8"),
    ],
)
def test_cssrs_skip_logic_and_bad_answers(values, field):
    with pytest.raises(FieldValueError) as raised:
        score("cssrs_screen", values)
    assert raised.value.field == field


# Invalid input.


@pytest.mark.parametrize("code", NUMERIC)
def test_too_few_answers_name_the_first_missing_item(code):
    values = answers(code, INSTRUMENTS[code].answer_min)[:-1]
    with pytest.raises(FieldValueError) as raised:
        score(code, values)
    assert raised.value.field == f"item {len(values) + 1}"


@pytest.mark.parametrize("code", NUMERIC)
def test_too_many_answers_name_the_extra_item(code):
    instrument = INSTRUMENTS[code]
    values = [instrument.answer_min] * (len(instrument.items) + 1)
    with pytest.raises(FieldValueError) as raised:
        score(code, values)
    assert raised.value.field == f"item {len(instrument.items) + 1}"


@pytest.mark.parametrize("code", NUMERIC)
@pytest.mark.parametrize("where", ["below", "above", "bool", "text", "fraction", "none"])
def test_an_answer_out_of_range_names_its_item(code, where):
    instrument = INSTRUMENTS[code]
    values = answers(code, instrument.answer_min)
    number = len(values)  # the last scored item, never skippable
    values[number - 1] = {
        "below": instrument.answer_min - 1,
        "above": instrument.answer_max + 1,
        "bool": True,
        "text": "2",
        "fraction": 1.5,
        "none": None,
    }[where]
    with pytest.raises(FieldValueError, match=f"item {number}") as raised:
        score(code, values)
    assert raised.value.field == f"item {number}"


@pytest.mark.parametrize("code", ["phq8", "", None, "PHQ9"])
def test_an_unknown_instrument_is_refused(code):
    with pytest.raises(FieldValueError) as raised:
        score(code, [0] * 9)
    assert raised.value.field == "code"


@pytest.mark.parametrize("value", ["000000000", None, 3])
def test_answers_must_be_a_list(value):
    with pytest.raises(FieldValueError, match="answers"):
        score("phq9", value)


def test_a_nonsense_threshold_is_refused():
    with pytest.raises(FieldValueError, match="pcl5_probable_ptsd_cutoff"):
        score("pcl5", [0] * 20, thresholds={"pcl5_probable_ptsd_cutoff": "33"})


def test_threshold_defaults_match_the_site_settings():
    defaults = SiteSettings()
    for name, value in DEFAULT_THRESHOLDS.items():
        if name not in FUTURE_THRESHOLDS:
            assert getattr(defaults, name) == value


def test_tuples_are_accepted_as_answers():
    assert score("gad7", (1, 1, 1, 1, 1, 1, 1)).total == 7
