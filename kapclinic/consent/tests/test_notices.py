"""Which notices a form carries: off-label by drug and indication, REMS for esketamine."""

from __future__ import annotations

import pytest

from kapclinic.consent import notices
from kapclinic.screening.rules import INDICATIONS


@pytest.mark.parametrize("route", ["iv", "im", "oral"])
@pytest.mark.parametrize("indication", [*INDICATIONS, None])
def test_racemic_ketamine_is_always_off_label(route: str, indication: str | None) -> None:
    assert notices.is_off_label(route, indication)
    assert not notices.needs_rems(route)


@pytest.mark.parametrize("indication", ["trd", "suicidal_ideation"])
def test_esketamine_is_licensed_for_trd_and_suicidal_ideation(indication: str) -> None:
    assert not notices.is_off_label("intranasal", indication)


@pytest.mark.parametrize(
    "indication", [code for code in INDICATIONS if code not in ("trd", "suicidal_ideation")]
)
def test_esketamine_is_off_label_for_everything_else(indication: str) -> None:
    assert notices.is_off_label("intranasal", indication)


def test_unrecorded_indication_gets_the_notice() -> None:
    assert notices.is_off_label("intranasal", None)


def test_esketamine_needs_the_rems_enrolment() -> None:
    assert notices.needs_rems("intranasal")


def test_unknown_route_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown route"):
        notices.drug_for_route("inhaled")
