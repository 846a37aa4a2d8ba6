"""Forms of a dosing session, made for a nurse's tablet: number inputs that open the
number pad, big targets, times as the clinic's local time of day.

The forms only check the shape of what was typed; the rules (impossible vital signs,
doses above the plan, fasting) live in `readings` and `actions`, whose refusals come
back onto the form's fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.dosing import recovery_scores
from kapclinic.dosing.models import (
    AdverseEvent,
    DischargeAssessment,
    DosingSession,
    PregnancyTest,
)
from kapclinic.dosing.monitoring import SYMPTOMS

NUMBER = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


def local_time_to_datetime(value: dt.time, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """A time of day typed at the site: today, or yesterday if that is still ahead
    (a last meal at 22:00 entered in the morning)."""
    today = timezone.localtime(now, zone).date()
    moment = dt.datetime.combine(today, value, tzinfo=zone)
    if moment > now + dt.timedelta(minutes=2):
        moment -= dt.timedelta(days=1)
    return moment


def _time(label: str, required: bool = False) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


def _count(label: str) -> forms.IntegerField:
    # No min/max here: an impossible value is refused by the alert rules, naming
    # the field, so the nurse sees one message for it wherever it was typed.
    return forms.IntegerField(label=label, required=False, widget=forms.NumberInput(attrs=NUMBER))


class PrescriberChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class OpenSessionForm(forms.Form):
    prescriber = PrescriberChoice(
        queryset=User.objects.none(), label="Prescriber on site", required=True
    )

    def __init__(self, *args: Any, site_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["prescriber"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            role=Role.PRESCRIBER, is_active=True, sites__id=site_id
        ).order_by("full_name")


class ChecklistForm(forms.Form):
    identity_confirmed = forms.BooleanField(
        required=False, label="Identity confirmed (name and date of birth)"
    )
    last_food_time = _time("Last food at (time today)")
    last_liquid_time = _time("Last liquids at (time today)")
    no_interacting_substances = forms.BooleanField(
        required=False, label="No alcohol, cannabis or other interacting substances today"
    )
    transport_name = forms.CharField(
        required=False, max_length=120, label="Who is taking the patient home"
    )
    transport_phone = forms.CharField(
        required=False,
        max_length=40,
        label="Their phone",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    pregnancy_test = forms.ChoiceField(choices=PregnancyTest.choices, label="Pregnancy test")

    def values(self, zone: ZoneInfo, now: dt.datetime) -> dict[str, Any]:
        data = self.cleaned_data
        food, liquid = data.get("last_food_time"), data.get("last_liquid_time")
        return {
            "identity_confirmed": data["identity_confirmed"],
            "last_food_at": local_time_to_datetime(food, zone, now) if food else None,
            "last_liquid_at": local_time_to_datetime(liquid, zone, now) if liquid else None,
            "no_interacting_substances": data["no_interacting_substances"],
            "transport_name": data["transport_name"].strip(),
            "transport_phone": data["transport_phone"].strip(),
            "pregnancy_test": data["pregnancy_test"],
        }


class VitalsForm(forms.Form):
    systolic = _count("Systolic (mmHg)")
    diastolic = _count("Diastolic (mmHg)")
    heart_rate = _count("Heart rate (/min)")
    spo2 = _count("SpO2 (%)")
    resp_rate = _count("Breaths (/min)")
    moaas = forms.TypedChoiceField(
        label="MOAA/S",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "Not rated"),
            (5, "5 alert"),
            (4, "4 lethargic"),
            (3, "3 responds to loud voice"),
            (2, "2 responds to prodding"),
            (1, "1 responds to trapezius squeeze"),
            (0, "0 no response"),
        ],
    )
    symptoms = forms.MultipleChoiceField(
        label="Warning symptoms",
        required=False,
        choices=[(code, label.capitalize()) for code, label in SYMPTOMS.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    def reading(self) -> dict[str, Any]:
        data = self.cleaned_data
        reading = {k: data.get(k) for k in ("systolic", "diastolic", "heart_rate", "spo2")}
        reading.update(resp_rate=data.get("resp_rate"), moaas=data.get("moaas"))
        reading["symptoms"] = list(data.get("symptoms") or [])
        return reading


class DoseForm(forms.Form):
    dose_mg = forms.DecimalField(
        label="Dose given (mg)",
        max_digits=7,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={**DECIMAL, "step": "0.01"}),
    )
    lot_number = forms.CharField(max_length=40, label="Lot number")
    started = _time("Started at", required=True)
    ended = _time("Ended at")
    rate_mg_per_hour = forms.DecimalField(
        label="Rate (mg per hour, infusions)",
        required=False,
        max_digits=7,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={**DECIMAL, "step": "0.01"}),
    )


class DissociationForm(forms.Form):
    """CADSS-6: six clinician-rated items 0-4 (the clinic's licensed wording aside)."""

    resolved = forms.BooleanField(required=False, label="Dissociation has resolved")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scale = [(n, f"{n}") for n in range(5)]
        for index, number in enumerate((1, 2, 6, 7, 15, 22), start=1):
            self.fields[f"item{index}"] = forms.TypedChoiceField(
                label=f"CADSS item {number}",
                choices=scale,
                coerce=int,
                initial=0,
                widget=forms.RadioSelect,
            )
        self.order_fields([f"item{i}" for i in range(1, 7)] + ["resolved"])

    def items(self) -> list[int]:
        return [int(self.cleaned_data[f"item{i}"]) for i in range(1, 7)]


class AdverseEventForm(forms.Form):
    kind = forms.ChoiceField(choices=AdverseEvent.Kind.choices, label="Event")
    description = forms.CharField(
        required=False, max_length=300, label="Description (needed for “Other”)"
    )
    severity = forms.ChoiceField(choices=AdverseEvent.Severity.choices, label="Severity")
    action_taken = forms.CharField(
        label="Action taken", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Therapist's note", max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AssessmentForm(forms.Form):
    """Readiness to leave: the recovery score answered item by item (its total is
    computed, never typed), escort and no-driving advice.

    Only the chosen score's items are required; the page hides the other score's
    items. ``show_hints`` adds what the readings already say under the items.
    """

    score_kind = forms.ChoiceField(
        choices=DischargeAssessment.Score.choices,
        label="Recovery score",
        initial=recovery_scores.ALDRETE,
        widget=forms.RadioSelect,
    )
    escort_confirmed = forms.BooleanField(
        required=False, label="Escort or safe transport home confirmed"
    )
    no_driving_advice_given = forms.BooleanField(
        required=False, label="Told not to drive until the next day after restful sleep"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, items in recovery_scores.ITEMS.items():
            for item in items:
                self.fields[f"{kind}_{item.code}"] = forms.TypedChoiceField(
                    label=item.label,
                    choices=[(score, f"{words} ({score})") for score, words in item.answers],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    # No procedure at a ketamine session: bleeding scores 2 (PADSS).
                    initial=2 if item.code == "bleeding" else None,
                    widget=forms.RadioSelect,
                )
        self.order_fields(
            ["score_kind", *self.fields_of_kind("aldrete"), *self.fields_of_kind("padss")]
        )

    def show_hints(self, hints: dict[str, str]) -> None:
        """Show under each item what the record says about it (item code -> words)."""
        for kind in recovery_scores.ITEMS:
            for code, words in hints.items():
                if f"{kind}_{code}" in self.fields:
                    self.fields[f"{kind}_{code}"].help_text = f"From the record: {words}"

    @staticmethod
    def fields_of_kind(kind: str) -> list[str]:
        return [f"{kind}_{item.code}" for item in recovery_scores.ITEMS[kind]]

    def items_fields(self, kind: str) -> list[forms.BoundField]:
        return [self[name] for name in self.fields_of_kind(kind)]

    def aldrete_fields(self) -> list[forms.BoundField]:
        return self.items_fields(recovery_scores.ALDRETE)

    def padss_fields(self) -> list[forms.BoundField]:
        return self.items_fields(recovery_scores.PADSS)

    def other_fields(self) -> list[forms.BoundField]:
        return [self["escort_confirmed"], self["no_driving_advice_given"]]

    def items(self) -> dict[str, int | None]:
        """The answers of the chosen score, by item code."""
        kind = self.cleaned_data["score_kind"]
        return {
            item.code: self.cleaned_data.get(f"{kind}_{item.code}")
            for item in recovery_scores.ITEMS[kind]
        }

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        kind = self.cleaned_data.get("score_kind")
        if kind in recovery_scores.ITEMS:
            for item in recovery_scores.ITEMS[kind]:
                if self.cleaned_data.get(f"{kind}_{item.code}") is None:
                    self.add_error(f"{kind}_{item.code}", f"{item.label}: choose an answer.")
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000)


class ScheduleForm(forms.Form):
    minutes = forms.CharField(
        label="Vital signs due at (minutes after the first dose)",
        max_length=200,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def schedule_initial(session: DosingSession, minutes: list[int]) -> dict[str, str]:
    return {"minutes": ", ".join(str(m) for m in minutes)}
