"""The controlled-substance log: each site's stock of ketamine and esketamine by lot.

Only what the dosing records cannot say is entered here: stock received, waste
(with a second member of staff as witness) and physical counts, plus corrections.
Doses given are not entered again: they are the `dosing.Administration` rows at the
site, by lot (`controlled.ledger`). Every row is append-only: a mistake is put right
by a correction row with a reason, and the original stays (DESIGN.md; US DEA records
are kept at least 2 years).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from kapclinic.treatment.models import Drug


class StockEntry(models.Model):
    """One line of a site's controlled-substance log."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Stock received"
        WASTE = "waste", "Waste"
        COUNT = "count", "Physical count"
        CORRECTION = "correction", "Correction"

    site = models.ForeignKey("clinics.Site", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    drug = models.CharField(max_length=12, choices=Drug.choices)
    strength = models.CharField(max_length=60, blank=True)
    lot_number = models.CharField(max_length=40)
    # Receipt and waste: the amount (positive); count: the amount counted; correction:
    # the change to the balance (negative takes stock away).
    quantity_mg = models.DecimalField(max_digits=10, decimal_places=2)
    supplier = models.CharField(max_length=150, blank=True)
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    # Count: what the log said at that moment, so a disagreement stays visible.
    expected_mg = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "stock entries"
        indexes = [models.Index(fields=["site", "drug", "lot_number"])]
        constraints = [
            # Waste needs a second person, never the one who recorded it.
            models.CheckConstraint(
                condition=~models.Q(kind="waste")
                | (models.Q(witness__isnull=False) & ~models.Q(witness=models.F("recorded_by"))),
                name="controlled_waste_has_another_witness",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="correction") | models.Q(quantity_mg__gte=0),
                name="controlled_quantity_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.quantity_mg} mg, lot {self.lot_number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("The controlled-substance log is never changed; add a correction.")
        super().save(*args, **kwargs)

    @property
    def discrepancy_mg(self) -> Any:
        if self.kind != self.Kind.COUNT or self.expected_mg is None:
            return None
        return self.quantity_mg - self.expected_mg


class FlagReview(models.Model):
    """A clinic admin's review of one flag raised by a site's controlled-substance log
    (a count that disagreed, a negative balance, doses from a lot never received),
    with their note of what they found.

    A flag is named by the site, the drug and lot, and `flag_key`: its kind and the
    log entry or dose it arose from (`controlled.ledger.Flag.key`), so a new
    discrepancy on the same lot is a new flag that needs its own review. Append-only,
    and a flag is reviewed once.
    """

    class Kind(models.TextChoices):
        COUNT_DIFFERS = "count_differs", "Count differed from the log"
        NEGATIVE_BALANCE = "negative_balance", "Negative balance"
        NEVER_RECEIVED = "never_received", "Given from a lot never received"

    site = models.ForeignKey("clinics.Site", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    drug = models.CharField(max_length=12, choices=Drug.choices)
    lot_number = models.CharField(max_length=40)
    flag_key = models.CharField(max_length=80)
    # What the flag said when it was reviewed: the log moves on, the review stays legible.
    flag_message = models.CharField(max_length=300)
    note = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "drug", "lot_number", "flag_key"],
                name="controlled_flag_reviewed_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(note=""), name="controlled_flag_review_has_note"
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.get_kind_display().lower()}, lot {self.lot_number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A flag review is never changed.")
        super().save(*args, **kwargs)
