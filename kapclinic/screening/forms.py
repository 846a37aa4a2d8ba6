"""The screening page's forms: the facts of CLINICAL.md 2a, and the signed decision.

Every yes/no fact has a third answer, "not recorded yet", which the rules read as a
missing fact (so at least "needs review"): an unanswered question is never a "no".
"""

from __future__ import annotations

from typing import Any

from django import forms

from kapclinic.patients.models import Medication
from kapclinic.screening import rules
from kapclinic.screening.models import ScreeningRecord

TRIAL_ROWS = 3
_TRI = [("", "Not recorded yet"), ("yes", "Yes"), ("no", "No")]
_TRI_VALUE = {"": None, "yes": True, "no": False}
_ASKED = [("", "Not asked yet"), ("asked", "Asked (none, if nothing is listed)")]


def _flag_label(message: str) -> str:
    return message.split(":")[0]


FLAG_LABELS = {
    key: _flag_label(message)
    for key, message in (*rules.ABSOLUTE_FLAGS.items(), *rules.RELATIVE_FLAGS.items())
}


INTAKE_NOTE = "From the patient's intake: confirm it with the patient."


def _tri(value: Any) -> str:
    return "" if value is None else ("yes" if value else "no")


class ScreeningFactsForm(forms.Form):
    # The rules keep the names in running-text case ("treatment-resistant depression");
    # a list of choices starts each with a capital, as every other list does.
    indication = forms.ChoiceField(
        choices=[
            ("", "Not recorded yet"),
            *((code, name[:1].upper() + name[1:]) for code, name in rules.INDICATIONS.items()),
        ],
        required=False,
    )
    trials_asked = forms.ChoiceField(
        label="Previous antidepressant trials", choices=_ASKED, required=False
    )
    cssrs_risk = forms.ChoiceField(
        label="C-SSRS suicide risk",
        choices=[("", "Not recorded yet"), *((v, v.capitalize()) for v in rules.CSSRS_LEVELS)],
        required=False,
    )
    bp_systolic = forms.IntegerField(
        label="Resting blood pressure, systolic (mmHg)", required=False, min_value=50, max_value=300
    )
    bp_diastolic = forms.IntegerField(
        label="Resting blood pressure, diastolic (mmHg)",
        required=False,
        min_value=20,
        max_value=200,
    )
    hepatic_impairment = forms.ChoiceField(
        label="Hepatic impairment",
        choices=[("", "Not recorded yet"), *((v, v.capitalize()) for v in rules.HEPATIC_LEVELS)],
        required=False,
    )
    medicines_asked = forms.ChoiceField(label="Current medicines", choices=_ASKED, required=False)
    medication_classes = forms.MultipleChoiceField(
        label="Current medicines by class",
        choices=Medication.DrugClass.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in FLAG_LABELS.items():
            self.fields[key] = forms.ChoiceField(label=label, choices=_TRI, required=False)
        for n in range(1, TRIAL_ROWS + 1):
            self.fields[f"trial_{n}_adequate"] = forms.ChoiceField(
                label=f"Trial {n}: adequate dose", choices=_TRI, required=False
            )
            self.fields[f"trial_{n}_weeks"] = forms.IntegerField(
                label=f"Trial {n}: weeks", required=False, min_value=0, max_value=520
            )
            self.fields[f"trial_{n}_improvement"] = forms.IntegerField(
                label=f"Trial {n}: improvement (%)",
                required=False,
                min_value=-1000,
                max_value=100,
            )

    @staticmethod
    def initial_from(facts: dict[str, Any]) -> dict[str, Any]:
        """Form values for stored facts (or facts from the record)."""
        initial: dict[str, Any] = {key: _tri(facts.get(key)) for key in FLAG_LABELS}
        for key in ("indication", "cssrs_risk", "hepatic_impairment"):
            initial[key] = facts.get(key) or ""
        initial["bp_systolic"] = facts.get("bp_systolic")
        initial["bp_diastolic"] = facts.get("bp_diastolic")
        classes = facts.get("medication_classes")
        initial["medicines_asked"] = "" if classes is None else "asked"
        initial["medication_classes"] = classes or []
        trials = facts.get("antidepressant_trials")
        initial["trials_asked"] = "" if trials is None else "asked"
        for n, trial in enumerate((trials or [])[:TRIAL_ROWS], start=1):
            initial[f"trial_{n}_adequate"] = _tri(trial.get("adequate_dose"))
            initial[f"trial_{n}_weeks"] = trial.get("weeks")
            initial[f"trial_{n}_improvement"] = trial.get("improvement_percent")
        return initial

    def mark_from_intake(self, keys: frozenset[str]) -> None:
        """Say on each field prefilled from the patient's intake where its answer came
        from, so the prescriber confirms it with the patient before relying on it."""
        for key in keys:
            name = {
                "antidepressant_trials": "trials_asked",
                "medication_classes": "medicines_asked",
            }.get(key, key)
            if name in self.fields:
                self.fields[name].help_text = INTAKE_NOTE

    def facts(self) -> dict[str, Any]:
        """The cleaned answers as the rules' facts."""
        data = self.cleaned_data
        facts: dict[str, Any] = {key: _TRI_VALUE[data[key]] for key in FLAG_LABELS}
        for key in ("indication", "cssrs_risk", "hepatic_impairment"):
            facts[key] = data[key] or None
        facts["bp_systolic"] = data["bp_systolic"]
        facts["bp_diastolic"] = data["bp_diastolic"]
        classes = sorted(data["medication_classes"])
        facts["medication_classes"] = classes if data["medicines_asked"] or classes else None
        trials = []
        for n in range(1, TRIAL_ROWS + 1):
            row = {
                "adequate_dose": _TRI_VALUE[data[f"trial_{n}_adequate"]],
                "weeks": data[f"trial_{n}_weeks"],
                "improvement_percent": data[f"trial_{n}_improvement"],
            }
            if any(value is not None for value in row.values()):
                trials.append(row)
        facts["antidepressant_trials"] = trials if data["trials_asked"] or trials else None
        return facts


class SignScreeningForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision", choices=ScreeningRecord.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when your decision differs from the rules' outcome.",
    )
