"""The dose a treatment plan orders: computed, rounded, capped and checked.

Plain Python, no Django: the plan form, the plan actions and the tests share it.
CLINICAL.md section 3: for mg/kg routes the dose comes from the latest weight and is
capped by the protocol's maximum; the prescriber signs the order.

Rules:
- mg/kg protocols need a weight; without one the order is refused (never guessed).
- Rounding is always *down*, so rounding never adds drug: IV and IM to 0.1 mg (what a
  syringe pump or a 1 ml syringe of 50 mg/ml can be set to), sublingual/oral to the
  whole milligram (lozenges are made up in whole milligrams).
- A dose computed from the weight that comes out above the protocol's maximum is
  cut to the maximum and marked `capped`, so the prescriber sees it was cut.
- A dose the prescriber orders in milligrams (a fixed-dose protocol) above the
  maximum is refused with the reason: the cap is a limit the site set, not a
  suggestion.
- Intranasal esketamine comes in 28 mg devices and the label's doses are 56 mg (two
  devices) or 84 mg (three); any other amount is refused.
- A weight older than the site's limit is flagged (`weight_stale`), not refused:
  the prescriber decides whether to re-weigh, and must acknowledge it to sign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

PER_KG = "per_kg"
FIXED = "fixed"
ESKETAMINE_DEVICE_MG = Decimal(28)
# Spravato label: 56 mg (2 devices) or 84 mg (3 devices) per session.
ESKETAMINE_DOSES_MG = (Decimal(56), Decimal(84))
# Rounding step per route: the smallest amount that route can give.
ROUNDING_STEP: dict[str, Decimal] = {
    "iv": Decimal("0.1"),
    "im": Decimal("0.1"),
    "oral": Decimal(1),
    "intranasal": ESKETAMINE_DEVICE_MG,
}
# Outside these the weight is a typing error, not a patient (the record's own limits).
MIN_WEIGHT_KG = Decimal(20)
MAX_WEIGHT_KG = Decimal(350)


class DoseRefused(ValueError):
    """An order the rules refuse; the message says why, in the prescriber's words."""


@dataclass(frozen=True)
class DoseResult:
    dose_mg: Decimal
    dose_per_kg: Decimal | None  # the mg/kg ordered, for mg/kg protocols
    weight_kg: Decimal | None
    capped: bool  # the weight-based dose was cut to the protocol's maximum
    weight_stale: bool
    weight_age_days: int | None

    @property
    def warnings(self) -> tuple[str, ...]:
        out: list[str] = []
        if self.capped:
            out.append(
                f"The dose from the weight is above the protocol's maximum, so it is "
                f"capped at {self.dose_mg} mg."
            )
        if self.weight_stale:
            out.append(
                f"The latest weight is {self.weight_age_days} days old; consider weighing "
                "the patient again before signing."
            )
        return tuple(out)


def round_down(amount: Decimal, step: Decimal) -> Decimal:
    """`amount` rounded down to a whole number of `step`s."""
    whole = (amount / step).to_integral_value(rounding=ROUND_DOWN)
    return (whole * step).quantize(Decimal("0.01"))


def _positive(value: Decimal, what: str) -> Decimal:
    value = Decimal(value)
    if not value.is_finite() or value <= 0:
        raise DoseRefused(f"The {what} must be more than zero.")
    return value


def weight_age_days(measured_on: dt.date, today: dt.date) -> int:
    return max(0, (today - measured_on).days)


def compute_dose(
    *,
    route: str,
    basis: str,
    amount: Decimal,
    max_dose_mg: Decimal,
    weight_kg: Decimal | None = None,
    weight_measured_on: dt.date | None = None,
    today: dt.date,
    max_weight_age_days: int,
) -> DoseResult:
    """The dose for one session.

    `amount` is mg/kg for `basis` PER_KG and mg for FIXED. Raises DoseRefused with
    the reason for an order the rules do not allow.
    """
    if route not in ROUNDING_STEP:
        raise DoseRefused("Choose how the dose is given.")
    if basis not in (PER_KG, FIXED):
        raise DoseRefused("Choose whether the dose is per kilogram or fixed.")
    cap = _positive(max_dose_mg, "protocol's maximum dose")
    amount = _positive(amount, "dose")
    step = ROUNDING_STEP[route]
    stale = False
    age: int | None = None
    if weight_kg is not None:
        weight_kg = Decimal(weight_kg)
        if not (MIN_WEIGHT_KG <= weight_kg <= MAX_WEIGHT_KG):
            raise DoseRefused(
                f"A weight of {weight_kg} kg is outside {MIN_WEIGHT_KG}-{MAX_WEIGHT_KG} kg; "
                "please check the recorded weight."
            )
        if weight_measured_on is not None:
            age = weight_age_days(weight_measured_on, today)
            stale = age > max_weight_age_days
    if basis == PER_KG:
        if route == "intranasal":
            raise DoseRefused("Intranasal esketamine is a fixed dose (56 or 84 mg), not per kg.")
        if weight_kg is None:
            raise DoseRefused(
                "This protocol doses by weight and no weight is recorded; "
                "record the patient's weight first."
            )
        raw = round_down(amount * weight_kg, step)
        capped = raw > cap
        dose = min(raw, round_down(cap, step))
        if dose <= 0:
            raise DoseRefused("The dose comes out at zero; check the mg/kg and the weight.")
        return DoseResult(dose, amount, weight_kg, capped, stale, age)
    # A fixed dose is what the prescriber ordered: above the cap it is refused.
    if amount > cap:
        raise DoseRefused(
            f"{amount} mg is above this protocol's maximum of {cap} mg; "
            "the order is refused. Lower the dose, or change the protocol's maximum first."
        )
    if route == "intranasal" and amount not in ESKETAMINE_DOSES_MG:
        raise DoseRefused(
            "Intranasal esketamine is given in 28 mg devices: the dose is 56 mg (2 devices) "
            "or 84 mg (3 devices)."
        )
    dose = round_down(amount, step)
    if dose != amount.quantize(Decimal("0.01")) and route != "intranasal":
        raise DoseRefused(f"Give the dose in steps of {step} mg for this route.")
    return DoseResult(dose, None, weight_kg, False, stale, age)
