"""The preparation forms: the patient's (portal) and the care team's checklist."""

from __future__ import annotations

from typing import Any

from django import forms

from kapclinic.clinics.phones import PhoneField
from kapclinic.patients.forms import ClinicFormMixin, FieldGroups
from kapclinic.preparation.checklist import PATIENT_ITEMS, STAFF_ITEMS
from kapclinic.preparation.models import Preparation


def _text(label: str, help_text: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=10_000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PatientPreparationForm(ClinicFormMixin, forms.Form):
    """Everything the patient prepares. Nothing is required to save: they may come
    back to it; the therapist checks it is complete."""

    field_groups: FieldGroups = (
        ("Your intentions", ("intentions",)),
        ("Set and setting", ("checklist",)),
        (
            "Your safety plan",
            (
                "warning_signs",
                "coping_steps",
                "contact1_name",
                "contact1_phone",
                "contact2_name",
                "contact2_phone",
            ),
        ),
        ("Getting home", ("escort_name", "escort_phone", "transport_notes")),
    )

    intentions = _text(
        "What do you hope for from this treatment?",
        "Your intentions, in your own words. Your therapist reads them with you.",
        rows=6,
    )
    checklist = forms.MultipleChoiceField(
        label="Tick what is ready",
        choices=PATIENT_ITEMS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    warning_signs = _text(
        "Warning signs", "Thoughts, feelings or situations that tell you things are getting hard."
    )
    coping_steps = _text("What helps", "Things you can do on your own to feel a little safer.")
    contact1_name = forms.CharField(label="Person to call", max_length=150, required=False)
    contact1_phone = PhoneField(label="Their phone", required=False)
    contact2_name = forms.CharField(label="Another person to call", max_length=150, required=False)
    contact2_phone = PhoneField(label="Their phone", required=False)
    escort_name = forms.CharField(
        label="Who takes you home after each session?",
        max_length=150,
        required=False,
        help_text="You must not drive yourself until the next day.",
    )
    escort_phone = PhoneField(label="Their phone", required=False)
    transport_notes = _text("How you will get home", "For example: by car with my partner.", 2)

    @staticmethod
    def initial_from(prep: Preparation | None) -> dict[str, Any]:
        if prep is None:
            return {}
        initial: dict[str, Any] = {
            name: getattr(prep, name)
            for name in PatientPreparationForm.base_fields
            if name != "checklist"
        }
        initial["checklist"] = [code for code, on in prep.patient_checklist.items() if on]
        return initial

    def valid_values(self) -> dict[str, Any]:
        """The fields that passed validation (after `is_valid`), for saving what can be
        saved when another field has a problem."""
        cleaned: dict[str, Any] = getattr(self, "cleaned_data", {})
        return {name: value for name, value in cleaned.items() if name not in self.errors}


class StaffChecklistForm(forms.Form):
    ticked = forms.MultipleChoiceField(
        label="The care team's checklist",
        choices=STAFF_ITEMS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
