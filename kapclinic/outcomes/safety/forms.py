from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from kapclinic.outcomes.safety.models import MisuseSignal


def _not_future(value: dt.date) -> dt.date:
    if value > timezone.localdate():
        raise forms.ValidationError("The date cannot be in the future.")
    return value


class BladderCheckForm(forms.Form):
    checked_on = forms.DateField(
        label="Date of the check", widget=forms.DateInput(attrs={"type": "date"})
    )
    urgency = forms.BooleanField(label="Urgency: a sudden need to pass urine", required=False)
    frequency = forms.BooleanField(label="Passing urine more often than usual", required=False)
    pain = forms.BooleanField(label="Pain in the bladder or on passing urine", required=False)
    blood = forms.BooleanField(label="Blood in the urine", required=False)
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )

    def clean_checked_on(self) -> dt.date:
        return _not_future(self.cleaned_data["checked_on"])


class MisuseSignalForm(forms.Form):
    kind = forms.ChoiceField(label="What happened", choices=MisuseSignal.Kind.choices)
    noted_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )

    def clean_noted_on(self) -> dt.date:
        return _not_future(self.cleaned_data["noted_on"])
