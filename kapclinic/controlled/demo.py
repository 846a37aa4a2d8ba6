"""Demo data for the controlled-substance log: at the first site, two receipts, the
doses already given there (they come from the dosing records), one witnessed waste
and a count that matches. Safe to repeat: made once per site."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from kapclinic.accounts.models import Role, User
from kapclinic.clinics.models import Site
from kapclinic.controlled.ledger import balance_of
from kapclinic.controlled.models import StockEntry
from kapclinic.dosing.demo import KETAMINE_DEMO_LOT as KETAMINE_LOT
from kapclinic.dosing.rems_demo import DEMO_LOT


@transaction.atomic
def build_demo_stock(site: Site) -> int:
    """Return how many log entries were made (0 when the site already has a log)."""
    if StockEntry.objects.filter(site=site).exists():
        return 0
    staff = list(
        User.objects.filter(
            sites=site, is_active=True, role__in=[Role.NURSE, Role.PRESCRIBER]
        ).order_by("role", "pk")[:2]
    )
    if len(staff) < 2:
        return 0
    nurse, witness = staff
    # Made directly, like all demo rows (seeding writes no audit trail); the actions'
    # rules still hold: a second person witnesses the waste, the count matches.
    rows = [
        StockEntry(
            kind=StockEntry.Kind.RECEIPT,
            drug="ketamine",
            strength="50 mg/mL, 10 mL vial",
            lot_number=KETAMINE_LOT,
            quantity_mg=Decimal("2500"),
            supplier="Demo Pharmacy Wholesale",
        ),
        StockEntry(
            kind=StockEntry.Kind.RECEIPT,
            drug="esketamine",
            strength="28 mg nasal spray device",
            lot_number=DEMO_LOT,
            quantity_mg=Decimal("840"),
            supplier="Demo Specialty Distributor",
        ),
        StockEntry(
            kind=StockEntry.Kind.WASTE,
            drug="ketamine",
            lot_number=KETAMINE_LOT,
            quantity_mg=Decimal("15"),
            witness=witness,
            reason="Drawn up for an infusion that was stopped; discarded.",
        ),
    ]
    for row in rows:
        row.site = site
        row.recorded_by = nurse
        row.save()
    expected = balance_of(site.pk, "esketamine", DEMO_LOT)
    StockEntry.objects.create(
        site=site,
        kind=StockEntry.Kind.COUNT,
        drug="esketamine",
        lot_number=DEMO_LOT,
        quantity_mg=expected,
        expected_mg=expected,
        recorded_by=witness,
    )
    return len(rows) + 1
