"""The part of the REMS monitoring form that staff answer (the rest comes from records)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from kapclinic.dosing.rems_models import RemsForm
from kapclinic.patients.forms import ClinicFormMixin
from kapclinic.widgets import DateInput

YES_NO = [("yes", "Yes"), ("no", "No")]
# A finding, and the question whether it resolved (asked only when it occurred).
FINDINGS = (
    ("sedation", "Sedation"),
    ("dissociation", "Dissociation"),
    ("respiratory_depression", "Respiratory depression"),
)


def _yes_no(label: str, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        required=required,
        empty_value=None,
    )


class RemsAnswersForm(ClinicFormMixin, forms.Form):
    field_groups = (
        ("Patient", ("first_treatment", "rems_enrolled_on")),
        ("Monitoring", ("ready_to_leave", "vitals_ok_before_dosing", "vitals_ok_at_completion")),
        (
            "During the session",
            (
                "sedation",
                "sedation_resolved",
                "dissociation",
                "dissociation_resolved",
                "respiratory_depression",
                "respiratory_depression_resolved",
                "adverse_events",
            ),
        ),
    )

    first_treatment = _yes_no("Was this the patient's first esketamine treatment?")
    rems_enrolled_on = forms.DateField(
        label="Date the patient was enrolled in the REMS", widget=DateInput()
    )
    ready_to_leave = forms.TimeField(
        label="Time the patient was ready to leave",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    vitals_ok_before_dosing = _yes_no("Vital signs acceptable before dosing?")
    vitals_ok_at_completion = _yes_no("Vital signs acceptable at the end of monitoring?")
    sedation = _yes_no("Sedation occurred?")
    sedation_resolved = _yes_no("Sedation resolved before the patient left?", required=False)
    dissociation = _yes_no("Dissociation occurred?")
    dissociation_resolved = _yes_no(
        "Dissociation resolved before the patient left?", required=False
    )
    respiratory_depression = _yes_no("Respiratory depression occurred?")
    respiratory_depression_resolved = _yes_no(
        "Respiratory depression resolved before the patient left?", required=False
    )
    adverse_events = forms.CharField(
        label="Adverse events (none: leave empty)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args: Any, treated_on: dt.date, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.treated_on = treated_on
        self.zone = zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, label in FINDINGS:
            resolved = f"{name}_resolved"
            if data.get(name) is True and data.get(resolved) is None:
                self.add_error(resolved, f"{label} occurred: say whether it resolved.")
            elif data.get(name) is False:
                data[resolved] = None
        enrolled = data.get("rems_enrolled_on")
        if enrolled is not None and enrolled > self.treated_on:
            self.add_error("rems_enrolled_on", "Enrolment must be on or before the treatment.")
        return data

    def values(self) -> dict[str, Any]:
        """The answers as `RemsForm` fields."""
        data = dict(self.cleaned_data)
        ready = data.pop("ready_to_leave")
        data["ready_to_leave_at"] = dt.datetime.combine(self.treated_on, ready, tzinfo=self.zone)
        data["adverse_events"] = data["adverse_events"].strip()
        return data

    @classmethod
    def initial_from(cls, form: RemsForm | None, zone: ZoneInfo) -> dict[str, Any]:
        if form is None:
            return {}
        initial: dict[str, Any] = {
            name: ("yes" if value else "no") if isinstance(value, bool) else value
            for name in (
                "first_treatment",
                "rems_enrolled_on",
                "vitals_ok_before_dosing",
                "vitals_ok_at_completion",
                "sedation",
                "sedation_resolved",
                "dissociation",
                "dissociation_resolved",
                "respiratory_depression",
                "respiratory_depression_resolved",
                "adverse_events",
            )
            if (value := getattr(form, name)) is not None
        }
        if form.ready_to_leave_at is not None:
            initial["ready_to_leave"] = form.ready_to_leave_at.astimezone(zone).time()
        return initial


class SubmittedForm(ClinicFormMixin, forms.Form):
    submitted_on = forms.DateField(label="Date submitted to the REMS", widget=DateInput())
