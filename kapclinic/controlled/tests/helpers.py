"""A site log with one open flag (a count that disagrees), for page and browser tests."""

from __future__ import annotations

from decimal import Decimal

from kapclinic.controlled import actions
from kapclinic.controlled.models import StockEntry
from kapclinic.test import Cast


def make_flagged_count(cast: Cast, *, lot: str = "KET-FLAG-01") -> StockEntry:
    """Receive 500 mg of a ketamine lot at the cast's site and count 490 mg of it."""
    actions.record_receipt(
        actor=cast.nurse,
        site=cast.site,
        drug="ketamine",
        strength="50 mg/mL",
        lot_number=lot,
        quantity_mg=Decimal("500"),
        supplier="Example Pharma Supply",
    )
    return actions.record_count(
        actor=cast.nurse, site=cast.site, drug="ketamine", lot_number=lot, counted_mg=Decimal("490")
    )
