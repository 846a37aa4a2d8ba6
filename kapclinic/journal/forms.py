"""Forms of the journal and notes. Sessions are offered from the patient's own past
dosing sessions only; the actions check again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from kapclinic.journal.models import MAX_BODY
from kapclinic.patients.forms import ClinicFormMixin
from kapclinic.scheduling.models import Appointment


class SessionField(forms.ModelChoiceField[Appointment]):
    """A dosing session, named by its date (never by the kind of treatment)."""

    def label_from_instance(self, obj: Appointment) -> str:
        return f"Session on {obj.start:%-d %B %Y}"


class SessionChoiceMixin:
    fields: dict[str, forms.Field]

    def set_sessions(self, sessions: QuerySet[Appointment], label: str) -> None:
        self.fields["session"] = SessionField(
            queryset=sessions, required=False, label=label, empty_label="Not about one session"
        )


class EntryForm(SessionChoiceMixin, ClinicFormMixin, forms.Form):
    body = forms.CharField(
        label="Your entry",
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="What you noticed, felt or understood; what you want to carry into daily life.",
    )
    shared = forms.BooleanField(
        label="Let my care team read this entry",
        required=False,
        help_text="Off: only you can read it. You can change this at any time.",
    )

    def __init__(self, *args: Any, sessions: QuerySet[Appointment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_sessions(sessions, "About the session")


class NoteForm(SessionChoiceMixin, ClinicFormMixin, forms.Form):
    body = forms.CharField(
        label="Note",
        min_length=5,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(
        self, *args: Any, sessions: QuerySet[Appointment] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if sessions is not None:
            self.set_sessions(sessions, "About the dosing session")
