"""Phone numbers: read as people type them, stored in E.164, shown in the clinic's format.

Numbers typed without a country code are read as the clinic's own country (its first
active site's), so front desk staff type "(312) 555-0199" and the record keeps
"+13125550199", which SMS and calling services take as is.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms

from kapclinic.clinics.models import Site

FALLBACK_REGION = "US"


def clinic_region() -> str:
    """The clinic's country (ISO 3166), for numbers typed without a country code."""
    country = (
        Site.objects.filter(is_active=True).order_by("pk").values_list("country", flat=True)
    ).first()
    return (country or FALLBACK_REGION).upper()


def to_e164(text: str, region: str) -> str:
    """`text` as an E.164 number; ValueError with a message for people if it is not one."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValueError("Enter a phone number, e.g. (312) 555-0199 or +44 20 7946 0958.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(
            "This is not a complete phone number. Check the digits; for a number in "
            "another country start with + and its country code."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(value: str, region: str) -> str:
    """A stored number as people read it: national format at home, else international.

    Anything that does not parse (numbers saved before validation) is shown as stored.
    """
    if not value:
        return value
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    home = phonenumbers.region_code_for_number(number) == region
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


class TelInput(forms.TextInput):
    """Phones show their dial pad for it."""

    input_type = "tel"


class PhoneField(forms.CharField):
    """A form field that accepts a phone number as typed and cleans it to E.164."""

    widget = TelInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        try:
            return to_e164(text, clinic_region())
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid_phone") from None
