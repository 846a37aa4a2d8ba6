"""Forms for the staff calendar and the patient portal's appointment pages.

Choices are built from what the user may see (their sites, the staff and chairs
there), so a forged id is a form error, never a look at someone else's schedule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet

from kapclinic.accounts.models import Role, User
from kapclinic.clinics.models import Chair, Site
from kapclinic.scheduling.models import AppointmentType
from kapclinic.scheduling.slots import Slot
from kapclinic.widgets import DateInput

CLINICIAN_ROLES = (Role.PRESCRIBER, Role.NURSE, Role.THERAPIST)


class StaffChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.get_short_name()


class ChairChoiceField(forms.ModelChoiceField[Chair]):
    def label_from_instance(self, obj: Chair) -> str:
        return f"{obj.room.name} · {obj.name}"


class CalendarFilterForm(forms.Form):
    """Which site, day and (optionally) clinician or chair the calendar shows."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, empty_label=None)
    date = forms.DateField(required=False, widget=DateInput())
    clinician = StaffChoiceField(
        queryset=User.objects.none(), required=False, empty_label="All clinicians"
    )
    chair = ChairChoiceField(
        queryset=Chair.objects.none(), required=False, empty_label="All chairs"
    )

    def __init__(self, *args: Any, sites: QuerySet[Site], site: Site | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        if site is not None:
            clinicians = User.objects.filter(
                sites=site, role__in=CLINICIAN_ROLES, is_active=True
            ).order_by("full_name")
            chairs = Chair.objects.filter(room__site=site).select_related("room")
            self.fields["clinician"].queryset = clinicians  # type: ignore[attr-defined]
            self.fields["chair"].queryset = chairs.order_by("room__name", "name")  # type: ignore[attr-defined]


class SlotSearchForm(forms.Form):
    """A kind of visit and a day to look for free slots on."""

    type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.none(), label="Kind of visit", empty_label=None
    )
    date = forms.DateField(label="Day", widget=DateInput())

    def __init__(self, *args: Any, types: QuerySet[AppointmentType], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = types  # type: ignore[attr-defined]


class SlotForm(forms.Form):
    """One slot, as offered on the page, sent back to book or move to it."""

    start = forms.DateTimeField(widget=forms.HiddenInput)
    clinician = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    room = forms.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, widget=forms.HiddenInput
    )
    chair = forms.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, widget=forms.HiddenInput
    )


class MoveForm(SlotForm):
    """A patient's move to a chosen slot, with the reason the clinic sees."""

    reason = forms.CharField(
        max_length=300,
        label="Why are you moving the visit?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give a reason for moving the visit."},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Reason",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Give a reason for cancelling."},
    )


def wall_clock(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """`moment` as the site's wall-clock time, without a zone, so templates show it
    as it is instead of converting it to the server's time zone."""
    return moment.astimezone(zone).replace(tzinfo=None)


def slot_choices(slots: list[Slot]) -> list[dict[str, Any]]:
    """Slots for the page: the values to post back, the local time and who gives it."""
    names = dict(
        User.objects.filter(pk__in={s.clinician for s in slots}).values_list("pk", "full_name")
    )
    return [
        {
            "start": slot.start.isoformat(),
            "clinician": slot.clinician,
            "room": slot.room,
            "chair": slot.chair,
            "label": slot.start.replace(tzinfo=None),
            "clinician_name": names.get(slot.clinician, ""),
        }
        for slot in slots
    ]


def pick_type(types: QuerySet[AppointmentType], text: str) -> AppointmentType | None:
    """The type with the id in `text` among `types`, or None for anything else."""
    if not text.isdigit() or len(text) > 9:
        return None
    return types.filter(pk=int(text)).first()
