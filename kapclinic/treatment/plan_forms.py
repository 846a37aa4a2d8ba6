"""Forms for protocols, treatment plans and course booking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

from kapclinic.treatment.models import PlanPhase, Protocol
from kapclinic.treatment.protocols import PROTOCOL_FIELDS, ProtocolError, check_protocol
from kapclinic.widgets import COMMON_LABELS, DateInput


class ProtocolForm(forms.ModelForm[Protocol]):
    class Meta:
        model = Protocol
        fields = list(PROTOCOL_FIELDS)
        labels = {
            **COMMON_LABELS,
            "usual_dose": "Usual dose (mg/kg, or mg for a fixed dose)",
            "max_dose_mg": "Maximum dose (mg)",
            "infusion_minutes": "Infusion time (minutes, IV only)",
            "sessions_in_course": "Sessions in the course",
            "min_days_between_doses": "Minimum days between doses",
            "max_doses_per_week": "Maximum doses a week",
            "integration_after_each_dose": "An integration session after each dose",
            "review_after_sessions": "Review after this many sessions",
            "is_active": "Offered for new plans",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("sessions_in_course", "max_doses_per_week", "review_after_sessions"):
            if data.get(name) == 0:
                self.add_error(name, "This must be at least 1.")
        for name in ("usual_dose", "max_dose_mg"):
            value = data.get(name)
            if value is not None and value <= 0:
                self.add_error(name, "This must be more than zero.")
        try:
            check_protocol(data, self.instance.route)
        except ProtocolError as error:
            self.add_error(None, str(error))
        return data


class PlanForm(forms.Form):
    protocol = forms.ModelChoiceField(queryset=Protocol.objects.none(), empty_label=None)
    amount = forms.DecimalField(
        label="Dose (mg/kg for a weight-based protocol, mg for a fixed dose)",
        required=False,
        min_value=Decimal("0.001"),
        max_value=Decimal(1000),
        decimal_places=3,
        max_digits=7,
        help_text="Leave empty for the protocol's usual dose.",
    )
    phase = forms.ChoiceField(choices=PlanPhase.choices)
    frequency = forms.CharField(
        max_length=200,
        required=False,
        help_text="E.g. twice a week for 3 weeks, then review.",
    )
    sessions_planned = forms.IntegerField(
        label="Sessions planned",
        required=False,
        min_value=1,
        max_value=52,
        help_text="Leave empty for the protocol's course.",
    )
    reevaluate_on = forms.DateField(label="Re-evaluate on", widget=DateInput)
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, site_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["protocol"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Protocol.objects.filter(site_id=site_id, is_active=True).order_by(
            "route", "name"
        )

    def plan_data(self) -> dict[str, Any]:
        """The form's values for `plan_actions.save_draft`, protocol defaults filled in."""
        data = self.cleaned_data
        protocol: Protocol = data["protocol"]
        return {
            "amount": data["amount"] if data["amount"] is not None else protocol.usual_dose,
            "phase": data["phase"],
            "frequency": data["frequency"],
            "sessions_planned": data["sessions_planned"] or protocol.sessions_in_course,
            "reevaluate_on": data["reevaluate_on"],
            "notes": data["notes"],
        }


class SignPlanForm(forms.Form):
    acknowledge_stale_weight = forms.BooleanField(
        required=False,
        label="I have checked the weight this dose uses, although it is older than the "
        "clinic's limit.",
    )


class CourseForm(forms.Form):
    start_on = forms.DateField(label="First dosing session on or after", widget=DateInput)

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_start_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["start_on"]
        if value < self.today:
            raise forms.ValidationError("Choose today or a later date.")
        if value > self.today + dt.timedelta(days=180):
            raise forms.ValidationError("Start the course within six months.")
        return value
