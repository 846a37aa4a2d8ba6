"""Doses as a prescriber writes them: 35.6 mg, 0.5 mg/kg, 56 mg (no trailing zeros)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def plain_number(value: object) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format(number.normalize(), "f")
