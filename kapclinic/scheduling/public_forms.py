"""Forms of the public "Book an appointment" page and of the e-mailed manage link."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.clinics.phones import PhoneField
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import AppointmentType
from kapclinic.scheduling.slots import Slot
from kapclinic.scheduling.stage import booking_allowed

# How far ahead the page searches from the chosen date, and how far ahead one may look.
SEARCH_DAYS = 7
MAX_DAYS_AHEAD = 366

# Questions a clinic asks before a first KAP consultation. The answers are stored for
# the screening to read; the page decides nothing from them.
PRESCREEN_QUESTIONS = {
    "pregnant": "Are you pregnant, or could you be, or are you breastfeeding?",
    "psychosis": "Have you ever had psychosis, schizophrenia, or an episode of mania?",
    "blood_pressure": "Do you have high blood pressure that is not under control?",
    "heart": "Do you have a heart condition, or have you had a stroke?",
    "substance": "Have you had a problem with ketamine, alcohol or other drugs?",
}
YES_NO = [("yes", "Yes"), ("no", "No")]


def bookable_types(patient: Patient | None) -> QuerySet[AppointmentType]:
    """The kinds of visit the page offers: self-bookable ones that the pathway stage
    allows (a new visitor: the initial consultation only)."""
    found = AppointmentType.objects.filter(
        is_active=True, patient_bookable=True, site__is_active=True
    ).select_related("site")
    probe = patient or Patient()  # a new visitor is at the start of the pathway
    allowed = [t.pk for t in found if booking_allowed(probe, t, by_staff=False)]
    return found.filter(pk__in=allowed).order_by("site__name", "name")


class TypeChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}, {obj.site.name}"


def _check_day(day: dt.date | None) -> dt.date | None:
    today = timezone.localdate()
    if day is None:
        return None
    if day < today - dt.timedelta(days=1):
        raise forms.ValidationError("Choose today or a later day.")
    if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise forms.ValidationError("Choose a day within the next year.")
    return day


class DateForm(forms.Form):
    """The day from which the reschedule page shows free times."""

    date = forms.DateField(required=False)

    def clean_date(self) -> dt.date | None:
        return _check_day(self.cleaned_data.get("date"))


class SearchForm(forms.Form):
    """Which visit, with whom, from which day: the slots to show."""

    service = TypeChoice(queryset=AppointmentType.objects.none(), label="Kind of visit")
    clinician = forms.TypedChoiceField(
        label="Clinician", required=False, coerce=int, empty_value=None
    )
    date = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def __init__(self, *args: Any, patient: Patient | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = bookable_types(patient)
        self.fields["service"].queryset = types  # type: ignore[attr-defined]
        site_ids = {t.site_id for t in types}
        roles = {str(r) for t in types for r in t.provider_roles}
        people = (
            User.objects.filter(is_active=True, role__in=roles, sites__in=site_ids)
            .distinct()
            .order_by("full_name")
        )
        self.fields["clinician"].choices = [  # type: ignore[attr-defined]
            ("", "Anyone"),
            *((u.pk, str(u)) for u in people),
        ]

    def clean_date(self) -> dt.date | None:
        return _check_day(self.cleaned_data.get("date"))

    def first_day(self) -> dt.date:
        kind: AppointmentType = self.cleaned_data["service"]
        local_today = timezone.now().astimezone(ZoneInfo(kind.site.time_zone)).date()
        day = self.cleaned_data.get("date") or local_today
        return max(day, local_today)


def slot_value(slot: Slot) -> str:
    """A slot as a form value: start (epoch seconds), clinician, room, chair."""
    room = "" if slot.room is None else str(slot.room)
    chair = "" if slot.chair is None else str(slot.chair)
    return f"{int(slot.start.timestamp())}-{slot.clinician}-{room}-{chair}"


def parse_slot(value: str) -> tuple[dt.datetime, int, int | None, int | None]:
    parts = value.split("-")
    if len(parts) != 4 or not all(p.isdigit() or p == "" for p in parts) or not parts[0]:
        raise forms.ValidationError("Choose one of the times shown.")
    try:
        start = dt.datetime.fromtimestamp(int(parts[0]), tz=dt.UTC)
        ids = [int(p) if p else None for p in parts[1:]]
    except (OverflowError, ValueError, OSError):
        raise forms.ValidationError("Choose one of the times shown.") from None
    if ids[0] is None or any(i is not None and i > 2**31 for i in ids):
        raise forms.ValidationError("Choose one of the times shown.")
    return start, ids[0], ids[1], ids[2]


class SlotForm(forms.Form):
    slot = forms.CharField(
        label="Time", max_length=60, error_messages={"required": "Choose a time."}
    )

    def clean_slot(self) -> tuple[dt.datetime, int, int | None, int | None]:
        return parse_slot(self.cleaned_data["slot"])


class RescheduleForm(SlotForm):
    """Another time, and why: the clinic sees the reason on the visit's history."""

    reason = forms.CharField(
        label="Why are you moving the visit?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give a reason for moving the visit."},
    )


class DetailsForm(SlotForm):
    """The visitor's details, the reason and the pre-screen, with a honeypot field."""

    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    birth_date = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
    email = forms.EmailField(
        label="E-mail", help_text="We send the confirmation and your link to manage the visit here."
    )
    phone = PhoneField(label="Phone")
    reason = forms.CharField(
        label="What would you like help with?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A sentence or two is enough.",
    )
    # Hidden from people (CSS and aria-hidden); bots that fill every field fill it.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, question in PRESCREEN_QUESTIONS.items():
            self.fields[f"q_{key}"] = forms.ChoiceField(
                label=question,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": "Please answer yes or no."},
            )

    def clean_birth_date(self) -> dt.date:
        born: dt.date = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if born.year < today.year - 120:
            raise forms.ValidationError("Check the year of birth.")
        if (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) < 18:
            raise forms.ValidationError("This clinic treats adults (18 and over) only.")
        return born

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "given_name": data["given_name"].strip(),
            "family_name": data["family_name"].strip(),
            "birth_date": data["birth_date"],
            "email": data["email"].strip().lower(),
            "phone": data["phone"],
        }

    def prescreen(self) -> dict[str, bool]:
        return {k: self.cleaned_data[f"q_{k}"] == "yes" for k in PRESCREEN_QUESTIONS}

    def prescreen_fields(self) -> list[forms.BoundField]:
        return [self[f"q_{k}"] for k in PRESCREEN_QUESTIONS]

    def detail_fields(self) -> list[forms.BoundField]:
        names = ("given_name", "family_name", "birth_date", "email", "phone", "reason")
        return [self[n] for n in names]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="It helps the clinic, e.g. 'feeling unwell' or 'found another time'.",
    )
