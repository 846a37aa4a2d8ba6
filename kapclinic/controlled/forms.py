"""Forms for the controlled-substance log (one per kind of entry)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kapclinic.accounts.models import User
from kapclinic.clinics.models import Site
from kapclinic.controlled.access import site_staff
from kapclinic.controlled.ledger import Flag
from kapclinic.patients.forms import ClinicFormMixin
from kapclinic.treatment.models import Drug

MAX_MG = Decimal("100000")


def _mg(label: str, *, allow_negative: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=10,
        decimal_places=2,
        min_value=-MAX_MG if allow_negative else Decimal("0"),
        max_value=MAX_MG,
    )


class _Lot(ClinicFormMixin, forms.Form):
    drug = forms.ChoiceField(choices=Drug.choices)
    lot_number = forms.CharField(max_length=40)

    def __init__(self, *args: Any, site: Site, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = site
        self.actor = actor


class ReceiptForm(_Lot):
    strength = forms.CharField(
        max_length=60, help_text="As on the label, e.g. 50 mg/mL or 28 mg device."
    )
    quantity_mg = _mg("Quantity received (mg)")
    supplier = forms.CharField(max_length=150)

    def clean_quantity_mg(self) -> Decimal:
        value: Decimal = self.cleaned_data["quantity_mg"]
        if value <= 0:
            raise forms.ValidationError("Enter the amount received, above 0 mg.")
        return value


class WasteForm(_Lot):
    quantity_mg = _mg("Quantity wasted (mg)")
    witness = forms.ModelChoiceField(
        queryset=User.objects.none(), help_text="A second member of staff who saw it wasted."
    )
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        witness: Any = self.fields["witness"]
        witness.queryset = site_staff(self.site).exclude(pk=self.actor.pk)
        witness.label_from_instance = lambda user: user.full_name

    def clean_quantity_mg(self) -> Decimal:
        value: Decimal = self.cleaned_data["quantity_mg"]
        if value <= 0:
            raise forms.ValidationError("Enter the amount wasted, above 0 mg.")
        return value


class CountForm(_Lot):
    counted_mg = _mg("Amount counted (mg)")


class CorrectionForm(_Lot):
    change_mg = _mg("Change to the balance (mg; negative removes)", allow_negative=True)
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class FlagReviewForm(ClinicFormMixin, forms.Form):
    """A clinic admin marks one open flag reviewed, saying what they found."""

    flag = forms.ChoiceField(
        label="Flag",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the flag you reviewed.",
            "invalid_choice": "That flag is no longer open; choose one from the list.",
        },
    )
    note = forms.CharField(
        label="What you found",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "For example the miscount you found, the entry that was missing, or who you spoke to."
        ),
        error_messages={"required": "Write what you found when you looked into this flag."},
    )

    def __init__(self, *args: Any, open_flags: list[Flag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["flag"]
        field.choices = [
            (flag.key, f"{flag.drug.capitalize()}, lot {flag.lot_number}: {flag.message}")
            for flag in open_flags
        ]
