import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapclinic.treatment.dose import (
    FIXED,
    PER_KG,
    DoseRefused,
    DoseResult,
    compute_dose,
    round_down,
)

TODAY = dt.date(2026, 3, 10)


def per_kg(route: str = "iv", amount: str = "0.5", cap: str = "100", **kw: object) -> DoseResult:
    args: dict[str, object] = {
        "route": route,
        "basis": PER_KG,
        "amount": D(amount),
        "max_dose_mg": D(cap),
        "weight_kg": D("70.0"),
        "weight_measured_on": TODAY,
        "today": TODAY,
        "max_weight_age_days": 30,
    }
    args.update(kw)
    return compute_dose(**args)  # type: ignore[arg-type]


def fixed(route: str, amount: str, cap: str) -> DoseResult:
    return compute_dose(
        route=route,
        basis=FIXED,
        amount=D(amount),
        max_dose_mg=D(cap),
        today=TODAY,
        max_weight_age_days=30,
    )


def test_iv_dose_is_mg_per_kg_times_weight() -> None:
    result = per_kg(weight_kg=D("70.0"))
    assert result.dose_mg == D("35.00")
    assert result.dose_per_kg == D("0.5")
    assert not result.capped


def test_iv_and_im_round_down_to_a_tenth_of_a_milligram() -> None:
    # 0.5 mg/kg x 71.3 kg = 35.65 mg: rounded down, never up.
    assert per_kg(weight_kg=D("71.3")).dose_mg == D("35.60")
    assert per_kg("im", weight_kg=D("71.3")).dose_mg == D("35.60")


def test_oral_rounds_down_to_the_whole_milligram() -> None:
    result = per_kg("oral", amount="3", cap="400", weight_kg=D("66.9"))
    assert result.dose_mg == D("200.00")  # 200.7 -> 200


def test_weight_based_dose_above_the_maximum_is_capped_and_says_so() -> None:
    # IM 0.5 mg/kg at 150 kg is 75 mg; one protocol caps IM at 60 mg.
    result = per_kg("im", cap="60", weight_kg=D("150.0"))
    assert result.dose_mg == D("60.00")
    assert result.capped
    assert "capped at 60.00 mg" in result.warnings[0]


def test_dose_exactly_at_the_maximum_is_not_marked_capped() -> None:
    result = per_kg("im", cap="60", weight_kg=D("120.0"))
    assert result.dose_mg == D("60.00") and not result.capped


def test_fixed_order_above_the_maximum_is_refused_with_the_reason() -> None:
    with pytest.raises(DoseRefused, match="above this protocol's maximum of 400 mg"):
        fixed("oral", "450", "400")


def test_fixed_order_at_the_maximum_is_allowed() -> None:
    assert fixed("oral", "400", "400").dose_mg == D("400.00")


@pytest.mark.parametrize("amount", ["56", "84"])
def test_esketamine_is_56_or_84_mg(amount: str) -> None:
    assert fixed("intranasal", amount, "84").dose_mg == D(amount)


@pytest.mark.parametrize("amount", ["28", "60", "70", "112"])
def test_other_esketamine_amounts_are_refused(amount: str) -> None:
    with pytest.raises(DoseRefused):
        fixed("intranasal", amount, "112")


def test_esketamine_cannot_be_dosed_per_kg() -> None:
    with pytest.raises(DoseRefused, match="fixed dose"):
        per_kg("intranasal", cap="84")


def test_missing_weight_is_refused_for_mg_per_kg() -> None:
    with pytest.raises(DoseRefused, match="no weight is recorded"):
        per_kg(weight_kg=None, weight_measured_on=None)


def test_missing_weight_is_fine_for_a_fixed_dose() -> None:
    assert fixed("oral", "200", "400").weight_kg is None


def test_weight_older_than_the_site_limit_is_flagged() -> None:
    old = TODAY - dt.timedelta(days=31)
    result = per_kg(weight_measured_on=old)
    assert result.weight_stale and result.weight_age_days == 31
    assert "31 days old" in result.warnings[-1]


def test_weight_exactly_at_the_site_limit_is_not_stale() -> None:
    result = per_kg(weight_measured_on=TODAY - dt.timedelta(days=30))
    assert not result.weight_stale


def test_stale_limit_follows_the_site_setting() -> None:
    result = per_kg(weight_measured_on=TODAY - dt.timedelta(days=10), max_weight_age_days=7)
    assert result.weight_stale


@pytest.mark.parametrize("weight", ["0", "19.9", "350.1", "-70"])
def test_impossible_weight_is_refused(weight: str) -> None:
    with pytest.raises(DoseRefused):
        per_kg(weight_kg=D(weight))


@pytest.mark.parametrize("amount", ["0", "-0.5", "NaN"])
def test_zero_negative_or_unreadable_dose_is_refused(amount: str) -> None:
    with pytest.raises(DoseRefused, match="more than zero"):
        per_kg(amount=amount)


def test_fixed_dose_in_finer_steps_than_the_route_allows_is_refused() -> None:
    with pytest.raises(DoseRefused, match="steps of 1 mg"):
        fixed("oral", "200.5", "400")


def test_unknown_route_is_refused() -> None:
    with pytest.raises(DoseRefused):
        fixed("rectal", "10", "100")


def test_round_down_never_adds() -> None:
    assert round_down(D("35.69"), D("0.1")) == D("35.60")


weights = st.decimals(min_value=20, max_value=350, places=1)
mg_per_kg = st.decimals(min_value="0.1", max_value="1.0", places=2)
caps = st.decimals(min_value=10, max_value=500, places=0)
routes = st.sampled_from(["iv", "im", "oral"])


@given(route=routes, amount=mg_per_kg, cap=caps, weight=weights)
def test_dose_is_never_above_the_cap(route: str, amount: D, cap: D, weight: D) -> None:
    try:
        result = per_kg(route, amount=str(amount), cap=str(cap), weight_kg=weight)
    except DoseRefused:
        return  # a dose that rounds to zero is refused, never given
    assert result.dose_mg <= cap


@given(route=routes, amount=mg_per_kg, cap=caps, a=weights, b=weights)
def test_dose_never_falls_as_weight_rises(route: str, amount: D, cap: D, a: D, b: D) -> None:
    light, heavy = sorted((a, b))
    try:
        low = per_kg(route, amount=str(amount), cap=str(cap), weight_kg=light)
    except DoseRefused:
        return
    high = per_kg(route, amount=str(amount), cap=str(cap), weight_kg=heavy)
    assert low.dose_mg <= high.dose_mg
    if not high.capped:
        # Below the cap the dose follows the weight to within one rounding step.
        exact = amount * heavy
        assert exact - high.dose_mg < D(1)


@given(amount=st.decimals(min_value=1, max_value=1000, places=0), cap=caps)
def test_fixed_dose_is_given_exactly_or_refused(amount: D, cap: D) -> None:
    try:
        result = fixed("oral", str(amount), str(cap))
    except DoseRefused:
        assert amount > cap
        return
    assert result.dose_mg == amount <= cap
