"""The intake's sections: what the patient is asked, and when a section is done.

Each section is a form. Saving checks only the shape of each answer (a number of
weeks is a whole number), so a half-filled section saves as the patient goes; a
section is *done* when its questions are answered (`IntakeSection.missing`). The
questions follow CLINICAL.md sections 1-2: the answers that screening needs are
asked in the patient's words, and the prescriber decides what they mean (a
medicine's drug class, whether a trial's dose was adequate).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from kapclinic.patients.forms import ClinicFormMixin

YES_NO_UNSURE = [("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")]
YES_NO = [("yes", "Yes"), ("no", "No")]

FREQUENCIES = [
    ("never", "Never"),
    ("past", "In the past, not now"),
    ("monthly", "Monthly or less"),
    ("weekly", "Weekly"),
    ("most_days", "Most days"),
]

RESPONSES = [
    ("none", "It did not help"),
    ("partial", "It helped a little"),
    ("good", "It helped a lot"),
    ("side_effects", "Side effects made me stop"),
]

HELP_WITH = [
    ("depression", "Depression"),
    ("anxiety", "Anxiety or panic"),
    ("trauma", "Trauma or PTSD"),
    ("ocd", "Obsessions or compulsions (OCD)"),
    ("substance_use", "Alcohol or drug use"),
    ("chronic_pain", "Living with chronic pain"),
    ("suicidal_thoughts", "Thoughts of suicide"),
    ("existential", "Facing serious illness or the end of life"),
    ("other", "Something else"),
]


def _question(label: str, choices: list[tuple[str, str]] = YES_NO_UNSURE) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, required=False)


def _text(label: str, *, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _short(label: str, max_length: int = 120, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text)


def _answered(value: Any) -> bool:
    return value not in (None, "", [], False)


class IntakeSection(ClinicFormMixin, forms.Form):
    """One section of the intake: its questions, and which of them must be answered."""

    code: ClassVar[str]
    title: ClassVar[str]
    intro: ClassVar[str] = ""
    # Questions that need an answer before the section counts as done.
    required: ClassVar[tuple[str, ...]] = ()
    # Repeated rows (medicines, antidepressant trials): prefix, fields of a row, and
    # the field that says a row is in use. Rows are stored flat (`med_1_name`).
    row_prefix: ClassVar[str] = ""
    row_fields: ClassVar[tuple[str, ...]] = ()
    row_count: ClassVar[int] = 0
    row_label: ClassVar[str] = ""
    # "question=answer": the section's follow-up groups are shown only after that
    # answer (static/js/intake.js; without scripts they show with their legend).
    asked_when: ClassVar[str] = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, self.row_count + 1):
            for name, field in self.row_field_defs(n).items():
                self.fields[f"{self.row_prefix}_{n}_{name}"] = field
        self.rows_shown = self._rows_shown()

    def row_field_defs(self, n: int) -> dict[str, forms.Field]:
        return {}

    # Rows ------------------------------------------------------------------
    def _value(self, name: str) -> Any:
        if self.is_bound:
            return self.data.get(self.add_prefix(name), "")
        return self.initial.get(name)

    def _rows_shown(self) -> int:
        """Every row in use plus two empty ones, so a patient without scripts gets more
        rows each time they save."""
        if not self.row_count:
            return 0
        used = [
            n
            for n in range(1, self.row_count + 1)
            if any(_answered(self._value(f"{self.row_prefix}_{n}_{f}")) for f in self.row_fields)
        ]
        return min(self.row_count, max([0, *used]) + 2)

    @classmethod
    def rows_of(cls, values: dict[str, Any]) -> list[dict[str, Any]]:
        """The rows in use among saved answers, each as {field: value}."""
        rows = []
        for n in range(1, cls.row_count + 1):
            row = {f: values.get(f"{cls.row_prefix}_{n}_{f}") for f in cls.row_fields}
            if any(_answered(v) for v in row.values()):
                rows.append(row)
        return rows

    def grouped_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        row_names = {
            f"{self.row_prefix}_{n}_{f}"
            for n in range(1, self.row_count + 1)
            for f in self.row_fields
        }
        plain = [field for field in self.visible_fields() if field.name not in row_names]
        groups: list[tuple[str, list[forms.BoundField]]] = [("", plain)] if plain else []
        for n in range(1, self.rows_shown + 1):
            fields = [self[f"{self.row_prefix}_{n}_{f}"] for f in self.row_fields]
            groups.append((f"{self.row_label} {n}", fields))
        return groups

    @classmethod
    def question_labels(cls) -> dict[str, str]:
        """Every question by field name, as the audit log names it ("Medicine 2, Dose")."""
        form = cls()
        labels = {}
        for name, form_field in form.fields.items():
            label = str(form_field.label)
            parts = name.split("_", 2)
            if cls.row_count and parts[0] == cls.row_prefix and len(parts) == 3:
                label = f"{cls.row_label} {parts[1]}, {label}"
            labels[name] = f"{cls.title}: {label}"
        return labels

    # Saving and completeness ----------------------------------------------------
    def valid_values(self) -> dict[str, Any]:
        """The answers that passed their checks (after `is_valid`), to be saved even
        when another answer of the section needs correcting."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}

    @classmethod
    def not_asked(cls, values: dict[str, Any]) -> set[str]:
        """Follow-up questions that do not apply after the patient's answer to
        `asked_when` (answers saved before that answer changed are ignored)."""
        if not cls.asked_when:
            return set()
        question, answer = cls.asked_when.split("=")
        if values.get(question) == answer:
            return set()
        return {name for legend, names in cls.field_groups if legend for name in names}

    @classmethod
    def missing(cls, values: dict[str, Any]) -> list[str]:
        """The questions still to answer, as the patient reads them."""
        form_fields = cls.base_fields
        return [
            str(form_fields[name].label) for name in cls.required if not _answered(values.get(name))
        ]

    @classmethod
    def is_done(cls, values: dict[str, Any]) -> bool:
        return not cls.missing(values)


class MedicalHistory(IntakeSection):
    code = "medical"
    title = "Medical history"
    intro = "Have you ever had any of these? If you are not sure, choose “Not sure”."
    heart_disease = _question("Heart disease, such as angina or a heart attack")
    irregular_heartbeat = _question("An irregular heartbeat (arrhythmia)")
    heart_failure = _question("Heart failure")
    high_blood_pressure = _question("High blood pressure")
    blood_pressure_controlled = _question(
        "If you have high blood pressure: is it well controlled by treatment?"
    )
    recent_stroke = _question("A stroke or mini-stroke (TIA) in the past year")
    aneurysm = _question(
        "An aneurysm (a bulging blood vessel) or a malformation of blood vessels (AVM)"
    )
    brain_bleed = _question("Bleeding in the brain")
    head_pressure = _question("Raised pressure inside the head, or a growth in the brain")
    liver_disease = _question("Liver disease, such as hepatitis or cirrhosis")
    eye_pressure = _question("Glaucoma, raised eye pressure or a serious eye injury")
    cystitis = _question("Interstitial cystitis (painful bladder syndrome)")
    bladder_symptoms = _question(
        "Bladder problems now: pain, blood in your urine, or needing to go often or urgently"
    )
    seizures = _question("Seizures or epilepsy")
    ketamine_allergy = _question("An allergic reaction to ketamine or esketamine (Spravato)")
    other_conditions = _text(
        "Any other health conditions, operations or hospital stays",
        help_text="Leave empty if there are none.",
    )
    required = (
        "heart_disease",
        "irregular_heartbeat",
        "heart_failure",
        "high_blood_pressure",
        "recent_stroke",
        "aneurysm",
        "brain_bleed",
        "head_pressure",
        "liver_disease",
        "eye_pressure",
        "cystitis",
        "bladder_symptoms",
        "seizures",
        "ketamine_allergy",
    )


class MentalHealthHistory(IntakeSection):
    code = "mental"
    title = "Mental health history"
    intro = (
        "These questions help your prescriber decide whether this treatment is safe for "
        "you. Your answers are seen only by your care team."
    )
    psychosis_ever = _question(
        "Have you ever had psychosis: hearing or seeing things others did not, or firm "
        "beliefs that others found untrue?"
    )
    psychosis_now = _question("Is this happening to you now?")
    psychotic_disorder = _question(
        "Have you been diagnosed with schizophrenia or another psychotic disorder?"
    )
    bipolar = _question("Have you been diagnosed with bipolar disorder?")
    mania_now = _question(
        "Are you in a high or manic period now (very high energy, little need for sleep, "
        "racing thoughts)?"
    )
    personality_disorder = _question("Have you been diagnosed with a personality disorder?")
    family_psychosis = _question(
        "Has a parent, brother, sister or child of yours had schizophrenia or psychosis?"
    )
    suicide_attempt = _question("Have you ever tried to end your life?")
    suicide_attempt_recent = _question("If so, was it in the past year?")
    hospital_stays = _question("Have you ever stayed in hospital for your mental health?")
    hospital_details = _text(
        "If so, when and why, as far as you want to say", help_text="Optional."
    )
    mental_other = _text("Anything else about your mental health we should know")
    required = (
        "psychosis_ever",
        "psychosis_now",
        "psychotic_disorder",
        "bipolar",
        "mania_now",
        "personality_disorder",
        "family_psychosis",
        "suicide_attempt",
        "hospital_stays",
    )


class CurrentMedicines(IntakeSection):
    code = "medicines"
    title = "Current medicines"
    intro = (
        "List every medicine you take now, including ones for sleep, pain or anxiety, and "
        "any you buy without a prescription. Your prescriber goes through them with you."
    )
    no_medicines = forms.BooleanField(label="I take no medicines", required=False)
    # Set so the shared form template asks `grouped_fields`, which shows the rows in use.
    field_groups = (("", ("no_medicines",)),)
    row_prefix = "med"
    row_fields = ("name", "dose", "frequency")
    row_count = 12
    row_label = "Medicine"

    def row_field_defs(self, n: int) -> dict[str, forms.Field]:
        return {
            "name": _short("Name of the medicine", 150),
            "dose": _short("Dose", 80, "For example 50 mg."),
            "frequency": _short("How often", 80, "For example once a day."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rows_used = False
        for n in range(1, self.row_count + 1):
            name = data.get(f"med_{n}_name", "")
            other = [data.get(f"med_{n}_dose"), data.get(f"med_{n}_frequency")]
            if name:
                rows_used = True
            elif any(other):
                self.add_error(f"med_{n}_name", "Add the medicine's name, or clear this row.")
        if rows_used and data.get("no_medicines"):
            self.add_error("no_medicines", "You listed medicines: untick this, or clear them.")
        return data

    @classmethod
    def missing(cls, values: dict[str, Any]) -> list[str]:
        if values.get("no_medicines") or cls.rows_of(values):
            return []
        return ["Your medicines, or tick “I take no medicines”"]


class AntidepressantTrials(IntakeSection):
    code = "antidepressants"
    title = "Antidepressants you have tried"
    intro = (
        "Every antidepressant you have taken before, now or in the past, as far as you "
        "remember. An estimate is fine."
    )
    no_trials = forms.BooleanField(label="I have never taken an antidepressant", required=False)
    field_groups = (("", ("no_trials",)),)
    row_prefix = "trial"
    row_fields = ("drug", "dose", "weeks", "response")
    row_count = 8
    row_label = "Antidepressant"

    def row_field_defs(self, n: int) -> dict[str, forms.Field]:
        return {
            "drug": _short("Name of the antidepressant", 150),
            "dose": _short("Highest dose you took", 80, "For example 100 mg."),
            "weeks": forms.IntegerField(
                label="For how many weeks", required=False, min_value=0, max_value=520
            ),
            "response": _question("How did it work for you?", RESPONSES),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rows_used = False
        for n in range(1, self.row_count + 1):
            drug = data.get(f"trial_{n}_drug", "")
            other = [data.get(f"trial_{n}_{f}") for f in ("dose", "weeks", "response")]
            if drug:
                rows_used = True
            elif any(value not in (None, "") for value in other):
                self.add_error(
                    f"trial_{n}_drug", "Add the antidepressant's name, or clear this row."
                )
        if rows_used and data.get("no_trials"):
            self.add_error("no_trials", "You listed antidepressants: untick this, or clear them.")
        return data

    @classmethod
    def missing(cls, values: dict[str, Any]) -> list[str]:
        if values.get("no_trials") or cls.rows_of(values):
            return []
        return ["The antidepressants you have tried, or tick “I have never taken one”"]


class SubstanceUse(IntakeSection):
    code = "substances"
    title = "Alcohol and drugs"
    intro = (
        "Honest answers keep you safe: some substances change how ketamine affects you. "
        "They are seen only by your care team."
    )
    alcohol = _question("Alcohol", FREQUENCIES)
    cannabis = _question("Cannabis", FREQUENCIES)
    stimulants = _question(
        "Stimulants, such as cocaine, amphetamines or ADHD medicine not prescribed to you",
        FREQUENCIES,
    )
    opioids = _question(
        "Opioids not prescribed to you, or painkillers taken more than prescribed", FREQUENCIES
    )
    dissociatives = _question(
        "Ketamine, PCP or other dissociatives, outside medical care", FREQUENCIES
    )
    substance_treatment = _question(
        "Have you had treatment for, or been told you have, a problem with alcohol or drugs?"
    )
    substance_details = _text("Anything you want to add", help_text="Optional.")
    required = (
        "alcohol",
        "cannabis",
        "stimulants",
        "opioids",
        "dissociatives",
        "substance_treatment",
    )


class Pregnancy(IntakeSection):
    code = "pregnancy"
    title = "Pregnancy and breastfeeding"
    intro = (
        "We ask everyone, whatever their sex or gender: ketamine is not given during "
        "pregnancy, and breastfeeding needs a conversation with your prescriber."
    )
    applies = _question(
        "Could pregnancy or breastfeeding apply to you now or in the coming months?",
        [("no", "No, neither applies to me"), ("yes", "Yes, or it might")],
    )
    pregnant = _question("Are you pregnant now?")
    breastfeeding = _question("Are you breastfeeding (or chestfeeding)?", YES_NO)
    planning = _question("Are you planning a pregnancy in the next few months?")
    field_groups = (
        ("", ("applies",)),
        ("Only if it might apply to you", ("pregnant", "breastfeeding", "planning")),
    )
    required = ("applies",)
    asked_when = "applies=yes"

    def grouped_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        return ClinicFormMixin.grouped_fields(self)

    @classmethod
    def missing(cls, values: dict[str, Any]) -> list[str]:
        missing = super().missing(values)
        if values.get("applies") == "yes":
            for name in ("pregnant", "breastfeeding"):
                if not _answered(values.get(name)):
                    missing.append(str(cls.base_fields[name].label))
        return missing


class Goals(IntakeSection):
    code = "goals"
    title = "Your goals"
    help_with = forms.MultipleChoiceField(
        label="What would you like help with?",
        choices=HELP_WITH,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    goals = _text("What do you hope treatment will change for you?", rows=5)
    worries = _text("Is there anything you are worried about?", help_text="Optional.")
    required = ("help_with", "goals")


SECTIONS: tuple[type[IntakeSection], ...] = (
    MedicalHistory,
    MentalHealthHistory,
    CurrentMedicines,
    AntidepressantTrials,
    SubstanceUse,
    Pregnancy,
    Goals,
)
BY_CODE: dict[str, type[IntakeSection]] = {section.code: section for section in SECTIONS}
