"""Forms of the audit app that write: the break-glass review."""

from __future__ import annotations

from django import forms


class GrantReviewForm(forms.Form):
    note = forms.CharField(
        label="Review note",
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you checked and concluded, e.g. 'Confirmed with the on-call "
        "prescriber: emergency cover for the patient's crisis call.'",
    )
