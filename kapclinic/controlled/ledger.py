"""Balances of the controlled-substance log, computed in the database.

For each drug and lot at a site: received + corrections - waste - doses given, where
doses given are the site's `dosing.Administration` rows with that lot (never entered
twice). One query for the balances whatever the number of lots and doses, and one for
lots given at the site that the log never received (a flag in itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from kapclinic.controlled.models import FlagReview, StockEntry
from kapclinic.dosing.models import Administration

MG: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MG)


def _given(site_id: int) -> Subquery:
    doses = (
        Administration.objects.filter(
            session__site_id=site_id, drug=OuterRef("drug"), lot_number=OuterRef("lot_number")
        )
        .order_by()
        .values("lot_number")
        .annotate(total=Sum("dose_mg"))
        .values("total")
    )
    return Subquery(doses, output_field=MG)


def _last_dose_id(site_id: int) -> Subquery:
    doses = (
        Administration.objects.filter(
            session__site_id=site_id, drug=OuterRef("drug"), lot_number=OuterRef("lot_number")
        )
        .order_by()
        .values("lot_number")
        .annotate(last=Max("id"))
        .values("last")
    )
    return Subquery(doses)


def _last_count(site_id: int, column: str) -> Subquery:
    counts = StockEntry.objects.filter(
        site_id=site_id,
        kind=StockEntry.Kind.COUNT,
        drug=OuterRef("drug"),
        lot_number=OuterRef("lot_number"),
    ).order_by("-occurred_at", "-id")
    if column == "difference":
        counts = counts.annotate(
            difference=ExpressionWrapper(F("quantity_mg") - F("expected_mg"), output_field=MG)
        )
    return Subquery(counts.values(column)[:1])


def balances(site_id: int) -> QuerySet[StockEntry, dict[str, Any]]:
    """One row per drug and lot: received, corrected, wasted, given, balance, the
    latest count's time, id and difference from the log (None: never counted), and
    the lot's latest log entry and dose (what names a negative-balance flag)."""
    kinds = StockEntry.Kind

    def total(kind: str) -> Any:
        return Coalesce(Sum("quantity_mg", filter=Q(kind=kind)), ZERO, output_field=MG)

    return (
        StockEntry.objects.filter(site_id=site_id)
        .values("drug", "lot_number")
        .annotate(
            received=total(kinds.RECEIPT),
            corrected=total(kinds.CORRECTION),
            wasted=total(kinds.WASTE),
            given=Coalesce(_given(site_id), ZERO, output_field=MG),
            last_entry_id=Max("id"),
        )
        .annotate(
            balance=ExpressionWrapper(
                F("received") + F("corrected") - F("wasted") - F("given"), output_field=MG
            ),
            counted_at=_last_count(site_id, "occurred_at"),
            count_difference=_last_count(site_id, "difference"),
            last_count_id=_last_count(site_id, "id"),
            last_dose_id=_last_dose_id(site_id),
        )
        .order_by("drug", "lot_number")
    )


def balance_of(site_id: int, drug: str, lot_number: str) -> Decimal:
    row = balances(site_id).filter(drug=drug, lot_number=lot_number).first()
    return Decimal("0.00") if row is None else Decimal(row["balance"])


def unlogged_lots(site_id: int) -> QuerySet[Administration, dict[str, Any]]:
    """Lots given at the site that the log never received: stock from nowhere."""
    logged = StockEntry.objects.filter(
        site_id=site_id,
        kind=StockEntry.Kind.RECEIPT,
        drug=OuterRef("drug"),
        lot_number=OuterRef("lot_number"),
    )
    return (
        Administration.objects.filter(session__site_id=site_id)
        .filter(~Exists(logged))
        .values("drug", "lot_number")
        .annotate(given=Sum("dose_mg"), last_dose_id=Max("id"))
        .order_by("drug", "lot_number")
    )


def _mg(value: Any) -> Decimal:
    # SQLite hands back sums without their scale; show two places on every database.
    return Decimal(value).quantize(Decimal("0.01"))


COUNT_DIFFERS = FlagReview.Kind.COUNT_DIFFERS.value
NEGATIVE_BALANCE = FlagReview.Kind.NEGATIVE_BALANCE.value
NEVER_RECEIVED = FlagReview.Kind.NEVER_RECEIVED.value


@dataclass(frozen=True)
class Flag:
    """Something in the log a clinic admin must look at.

    `key` names the flag within its lot: its kind and the log entry or dose it arose
    from (the count itself; for a negative balance the lot's latest entry and dose;
    for a lot never received its latest dose). Anything new on the lot that keeps the
    problem alive gives a new key, so a review never hides a later discrepancy.
    """

    drug: str
    lot_number: str
    message: str
    kind: str
    key: str


def flags(rows: list[dict[str, Any]], unlogged: list[dict[str, Any]]) -> list[Flag]:
    """What a clinic admin must look at: counts that disagree, negative balances,
    doses from lots never received."""
    found = []
    for row in rows:
        drug, lot = row["drug"], row["lot_number"]
        difference = row["count_difference"]
        if difference is not None and difference != 0:
            found.append(
                Flag(
                    drug,
                    lot,
                    f"The last count differed from the log by {_mg(difference):+} mg.",
                    COUNT_DIFFERS,
                    f"count:{row['last_count_id']}",
                )
            )
        if row["balance"] < 0:
            found.append(
                Flag(
                    drug,
                    lot,
                    "More was given or wasted than received.",
                    NEGATIVE_BALANCE,
                    f"negative:{row['last_entry_id']}:{row['last_dose_id'] or 0}",
                )
            )
    for row in unlogged:
        found.append(
            Flag(
                row["drug"],
                row["lot_number"],
                f"{_mg(row['given'])} mg given from a lot the log never received.",
                NEVER_RECEIVED,
                f"unlogged:{row['last_dose_id']}",
            )
        )
    return found


def site_flags(site_id: int) -> list[Flag]:
    """Every flag of the site's log as it stands now, reviewed or not."""
    return flags(list(balances(site_id)), list(unlogged_lots(site_id)))


def unreviewed(site_id: int, found: list[Flag]) -> list[Flag]:
    """The flags in `found` no clinic admin has reviewed yet (one query, none if empty)."""
    if not found:
        return []
    reviewed = set(
        FlagReview.objects.filter(site_id=site_id, flag_key__in=[f.key for f in found])
        .values_list("drug", "lot_number", "flag_key")
        .order_by()
    )
    return [f for f in found if (f.drug, f.lot_number, f.key) not in reviewed]
