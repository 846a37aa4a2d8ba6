"""Form fields shared by every app."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.db.models import Model

from kapclinic.lib.limits import is_database_id

_M = TypeVar("_M", bound=Model)


class ModelMultipleIdChoiceField(forms.ModelMultipleChoiceField[_M]):
    """A choice of several records by id that refuses ids no row can have.

    Django's field looks the chosen ids up with one `id IN (...)` query, and SQLite's
    driver overflows on an integer past 64 bits there (a single-record choice is
    safe: Django recognises an out-of-range `id = ...` and finds nothing). Such an
    id is an invalid choice like any unknown one.
    """

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            for item in value:
                try:
                    number = int(item)
                except (TypeError, ValueError):
                    continue  # not a number at all: Django's own check reports it
                if not is_database_id(number):
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": item},
                    )
        return super().clean(value)
