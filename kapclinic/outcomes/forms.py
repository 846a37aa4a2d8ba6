"""The questionnaire form, built from the instrument's items, and the acknowledgement form.

One radio group per item (rendered as a fieldset with the item as its legend). The
form does no scoring rules of its own: it turns the choices into the answer list and
lets `instruments.score` judge it, attaching each FieldValueError to the item it
names, so the patient sees which question still needs an answer.
"""

from __future__ import annotations

from typing import Any

from django import forms

from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes.instruments import INSTRUMENTS, Instrument, score
from kapclinic.patients.forms import ClinicFormMixin

YES, NO = "yes", "no"


def field_name(number: int) -> str:
    return f"item_{number}"


class QuestionnaireForm(ClinicFormMixin, forms.Form):
    def __init__(self, *args: Any, instrument: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument: Instrument = INSTRUMENTS[instrument]
        inst = self.instrument
        for item in inst.items:
            if inst.yes_no:
                choices = [(YES, "Yes"), (NO, "No")]
            else:
                choices = [
                    (str(inst.answer_min + i), f"{label} ({inst.answer_min + i})")
                    for i, label in enumerate(inst.answer_labels)
                ]
            # Required-ness is the scoring library's call (skip logic, skippable
            # items), so every field is optional here and score() names what is missing.
            self.fields[field_name(item.number)] = forms.ChoiceField(
                label=f"{item.number}. {item.label}",
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
            )
        self.answers: list[Any] = []

    def answer_list(self) -> list[Any]:
        """Answers in item order, trailing unanswered items dropped (None inside)."""
        values: list[Any] = []
        for item in self.instrument.items:
            raw = self.cleaned_data.get(field_name(item.number)) or ""
            if self.instrument.yes_no:
                values.append({YES: True, NO: False}.get(raw))
            else:
                values.append(int(raw) if raw != "" else None)
        while values and values[-1] is None:
            values.pop()
        return values

    def partial_answers(self) -> dict[str, Any]:
        """What the patient has answered so far (item number -> answer), for the draft."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            name.removeprefix("item_"): value
            for name, value in data.items()
            if name.startswith("item_") and value not in ("", None)
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        self.answers = self.answer_list()
        try:
            score(self.instrument.code, self.answers)
        except FieldValueError as error:
            name = error.field.replace("item ", "item_")
            if error.problem.startswith("has no answer"):
                message = "Please choose an answer."
            else:
                message = error.problem[:1].upper() + error.problem[1:] + "."
            if name in self.fields:
                self.add_error(name, message)
            else:
                self.add_error(None, f"{error.field}: {error.problem}.")
        return cleaned


class AssignForm(ClinicFormMixin, forms.Form):
    """Send the patient a questionnaire they answer in the portal."""

    instrument = forms.ChoiceField(label="Questionnaire")
    days_to_answer = forms.IntegerField(
        label="Days to answer",
        min_value=1,
        max_value=60,
        initial=7,
        help_text="The link stops working after this many days.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = patient_rated_choices()


class AcknowledgeForm(ClinicFormMixin, forms.Form):
    note = forms.CharField(
        label="What you did or will do",
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: called the patient, safety plan reviewed.",
    )


def patient_rated_choices() -> list[tuple[str, str]]:
    return [
        (code, f"{inst.name} ({inst.measures})")
        for code, inst in sorted(INSTRUMENTS.items(), key=lambda pair: pair[1].name)
        if inst.rater == "patient"
    ]


class ScheduleRuleForm(ClinicFormMixin, forms.Form):
    """Add a questionnaire to a schedule (a site's, or one patient's)."""

    trigger = forms.ChoiceField(label="When")
    instrument = forms.ChoiceField(label="Questionnaire")
    weeks_after_course = forms.IntegerField(
        label="Weeks after the course",
        min_value=1,
        max_value=52,
        initial=8,
        help_text="For weekly questionnaires: how many weeks after the last dose to go on.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from kapclinic.outcomes.models import ScheduleRule

        super().__init__(*args, **kwargs)
        trigger = self.fields["trigger"]
        instrument = self.fields["instrument"]
        assert isinstance(trigger, forms.ChoiceField) and isinstance(instrument, forms.ChoiceField)
        trigger.choices = ScheduleRule.Trigger.choices
        instrument.choices = patient_rated_choices()


class PauseForm(ClinicFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why pause",
        min_length=5,
        max_length=200,
        help_text="For example: in hospital; the care team will ask in person.",
    )
