"""Stock movements for the controlled-substance tests: a receipt, a count and a dose
of ketamine at the cast's site, and a site log with one open flag (a count that
disagrees) for page and browser tests."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from kapclinic.controlled import actions
from kapclinic.controlled.models import StockEntry
from kapclinic.dosing.models import Administration
from kapclinic.dosing.tests.factories import make_session
from kapclinic.test import Cast

LOT = "KET-2026-01"


def receive_stock(cast: Cast, mg: str = "500", lot: str = LOT) -> StockEntry:
    """The cast's nurse records a receipt of `mg` of ketamine lot `lot` at the cast's site."""
    return actions.record_receipt(
        actor=cast.nurse,
        site=cast.site,
        drug="ketamine",
        strength="50 mg/mL",
        lot_number=lot,
        quantity_mg=Decimal(mg),
        supplier="Example Pharma Supply",
    )


def count_stock(cast: Cast, mg: str, lot: str = LOT) -> StockEntry:
    """The cast's nurse records a count of `mg` on hand of ketamine lot `lot`."""
    return actions.record_count(
        actor=cast.nurse, site=cast.site, drug="ketamine", lot_number=lot, counted_mg=Decimal(mg)
    )


def give_dose(cast: Cast, mg: str, lot: str = LOT) -> Administration:
    """A dose from lot `lot` given in a new dosing session: the log reads doses from
    the dosing records, so this is a row there, not a log entry."""
    return Administration.objects.create(
        session=make_session(cast),
        drug="ketamine",
        route="iv",
        dose_mg=Decimal(mg),
        lot_number=lot,
        started_at=timezone.now(),
        given_by=cast.nurse,
    )


def make_flagged_count(cast: Cast, *, lot: str = "KET-FLAG-01") -> StockEntry:
    """Receive 500 mg of a ketamine lot at the cast's site and count 490 mg of it."""
    receive_stock(cast, "500", lot=lot)
    return count_stock(cast, "490", lot=lot)
