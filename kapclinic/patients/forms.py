"""Forms for the patient record. They validate input; the writes are in actions.py.

Model forms here are built without an instance (the current values go in as
`initial`), so validating a form never touches the record the action will diff.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.audit.breakglass import MIN_REASON_LENGTH
from kapclinic.clinics.models import Site
from kapclinic.clinics.phones import PhoneField, clinic_region
from kapclinic.lib.local_dates import local_date_pattern, read_local_date
from kapclinic.patients import actions
from kapclinic.patients.models import (
    Allergy,
    BodyMeasurement,
    Condition,
    Contact,
    Medication,
    PathwayStage,
    Patient,
)
from kapclinic.patients.search import is_impossible_date
from kapclinic.widgets import COMMON_LABELS, DateInput

FieldGroups = tuple[tuple[str, tuple[str, ...]], ...]


class ClinicFormMixin:
    error_css_class = "field-error"
    required_css_class = "required"
    # (legend, field names): components/form_fields.html shows each group as a
    # fieldset, so a long form reads in parts; fields in no group follow them.
    field_groups: FieldGroups = ()

    def grouped_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        form: Any = self
        groups = [
            (legend, [form[name] for name in names if name in form.fields])
            for legend, names in self.field_groups
        ]
        placed = {name for _, names in self.field_groups for name in names}
        rest = [field for field in form.visible_fields() if field.name not in placed]
        if rest:
            groups.append(("", rest))
        return [(legend, fields) for legend, fields in groups if fields]


_ADDRESS = ("address_line1", "address_line2", "city", "region", "postal_code", "country")


class PatientSearchForm(ClinicFormMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Name, MRN, or birth date.",
    )
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False)
    stage = forms.ChoiceField(
        choices=[("", "Any stage"), *PathwayStage.choices], required=False, label="Pathway stage"
    )
    mine = forms.BooleanField(required=False, label="My care team only")

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sites
        field.empty_label = "All my sites"
        self.country = clinic_region()
        pattern = local_date_pattern(self.country)
        self.fields["q"].help_text = f"Name, MRN, or birth date as {pattern} or YYYY-MM-DD."

    def clean_q(self) -> str:
        text: str = self.cleaned_data["q"].strip()
        if is_impossible_date(text):
            raise forms.ValidationError("Enter a real date as YYYY-MM-DD, e.g. 1985-06-15.")
        local = read_local_date(text, self.country)
        if isinstance(local, str):
            raise forms.ValidationError(local)
        # The search reads birth dates as ISO; the box keeps what was typed.
        return local.isoformat() if local is not None else text


def _not_future(value: date | None, what: str) -> date | None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(f"The {what} cannot be in the future.")
    return value


class DemographicsForm(ClinicFormMixin, forms.ModelForm[Patient]):
    field_groups: FieldGroups = (
        ("Name", ("given_name", "family_name", "preferred_name", "pronouns")),
        ("About the patient", ("birth_date", "sex_at_birth", "gender_identity")),
        ("Phone and e-mail", ("phone", "email")),
        ("Address", _ADDRESS),
    )

    class Meta:
        model = Patient
        fields = list(actions.DEMOGRAPHIC_FIELDS)
        widgets = {"birth_date": DateInput()}
        field_classes = {"phone": PhoneField}
        labels = COMMON_LABELS

    def clean_birth_date(self) -> date | None:
        return _not_future(self.cleaned_data.get("birth_date"), "birth date")


class RegisterPatientForm(DemographicsForm):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), empty_label=None)
    field_groups: FieldGroups = (
        ("Where they are seen", ("site",)),
        *DemographicsForm.field_groups,
    )

    class Meta(DemographicsForm.Meta):
        fields = ["site", *actions.DEMOGRAPHIC_FIELDS]

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sites


class OwnContactDetailsForm(ClinicFormMixin, forms.ModelForm[Patient]):
    field_groups: FieldGroups = (("Phone and e-mail", ("phone", "email")), ("Address", _ADDRESS))

    class Meta:
        model = Patient
        fields = list(actions.OWN_CONTACT_FIELDS)
        field_classes = {"phone": PhoneField}
        labels = COMMON_LABELS


class ContactForm(ClinicFormMixin, forms.ModelForm[Contact]):
    class Meta:
        model = Contact
        fields = list(actions.CONTACT_FIELDS)
        field_classes = {"phone": PhoneField}


class EmergencyContactForm(ClinicFormMixin, forms.ModelForm[Contact]):
    class Meta:
        model = Contact
        fields = list(actions.EMERGENCY_CONTACT_FIELDS)
        field_classes = {"phone": PhoneField}


class MeasurementForm(ClinicFormMixin, forms.ModelForm[BodyMeasurement]):
    class Meta:
        model = BodyMeasurement
        fields = ["height_cm", "weight_kg"]
        labels = {"height_cm": "Height (cm)", "weight_kg": "Weight (kg)"}

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if (
            not self.errors
            and self.cleaned_data.get("height_cm") is None
            and self.cleaned_data.get("weight_kg") is None
        ):
            raise forms.ValidationError("Enter a height, a weight, or both.")
        return cleaned

    def _post_clean(self) -> None:
        # clean() already said "height or weight" in words a clinician can read;
        # the model's check constraint would repeat it in database terms.
        if not getattr(self, "_errors", None):
            super()._post_clean()  # type: ignore[misc]


class ConditionForm(ClinicFormMixin, forms.ModelForm[Condition]):
    class Meta:
        model = Condition
        fields = list(actions.CONDITION_FIELDS)


class MedicationForm(ClinicFormMixin, forms.ModelForm[Medication]):
    class Meta:
        model = Medication
        fields = list(actions.MEDICATION_FIELDS)
        widgets = {"started_on": DateInput()}

    def clean_started_on(self) -> date | None:
        return _not_future(self.cleaned_data.get("started_on"), "start date")


class StopMedicationForm(ClinicFormMixin, forms.Form):
    stopped_on = forms.DateField(label="Stopped on", widget=DateInput())

    def __init__(self, *args: Any, medication: Medication, **kwargs: Any) -> None:
        self.medication = medication
        super().__init__(*args, **kwargs)

    def clean_stopped_on(self) -> date:
        value: date = self.cleaned_data["stopped_on"]
        _not_future(value, "stop date")
        started = self.medication.started_on
        if started is not None and value < started:
            raise forms.ValidationError(f"The stop date cannot be before the start ({started}).")
        return value


class AllergyForm(ClinicFormMixin, forms.ModelForm[Allergy]):
    """One allergy, or the answer "no known drug allergies" (which is not "not asked")."""

    no_known_allergies = forms.BooleanField(
        required=False,
        label="No known drug allergies: the patient was asked and knows of none",
    )

    class Meta:
        model = Allergy
        fields = list(actions.ALLERGY_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["substance"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        substance = (data.get("substance") or "").strip()
        if data.get("no_known_allergies") and substance:
            self.add_error(
                "no_known_allergies",
                "Either record an allergy or tick 'no known drug allergies', not both.",
            )
        elif not data.get("no_known_allergies") and not substance:
            self.add_error(
                "substance",
                "Enter what the patient is allergic to, or tick 'no known drug allergies'.",
            )
        return data


class ClinicianChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.get_role_display()})"


class CareTeamForm(ClinicFormMixin, forms.Form):
    member = ClinicianChoiceField(
        queryset=User.objects.none(),
        label="Clinician",
        help_text="Clinicians at the patient's site who are not on the team yet.",
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates


class BreakGlassForm(ClinicFormMixin, forms.Form):
    mrn = forms.CharField(label="Medical record number", max_length=20)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=MIN_REASON_LENGTH,
        max_length=2000,
        help_text=(
            f"Why you need this record now (at least {MIN_REASON_LENGTH} characters). "
            "Clinic admins review every break-glass access."
        ),
    )

    def __init__(self, *args: Any, refusal: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set when lookups are refused for now (break_glass_lookup): the MRN is then
        # not looked up at all, so the answer says nothing about whether it exists.
        self.refusal = refusal
        self.looked_up = False
        self.found: Patient | None = None

    def clean_mrn(self) -> Patient:
        if self.refusal is not None:
            raise forms.ValidationError(self.refusal)
        mrn = self.cleaned_data["mrn"].strip()
        self.found = Patient.objects.filter(mrn__iexact=mrn).first()
        self.looked_up = True
        if self.found is None:
            raise forms.ValidationError("No patient has this medical record number.")
        return self.found
