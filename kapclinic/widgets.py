"""Form widgets shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms

# Labels people use for fields whose names read badly when Django derives them
# ("Address line1", "Is active", "On call prescriber"). Model forms use them as
# `Meta.labels`; Django ignores entries for fields a form does not have.
COMMON_LABELS = {
    "address_line1": "Address line 1",
    "address_line2": "Address line 2",
    "is_active": "Active",
    "on_call_prescriber": "On-call prescriber",
    "postal_code": "Postal or ZIP code",
    "region": "State, province or region",
}


class DateInput(forms.DateInput):
    """The browser's date picker. Its value must be ISO (YYYY-MM-DD) whatever the
    locale, or a saved date would show as empty when the form is edited."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
