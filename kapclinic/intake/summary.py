"""An intake as people read it: each section's questions with the answers given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms

from kapclinic.intake.models import Intake
from kapclinic.intake.sections import SECTIONS, IntakeSection


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str


@dataclass
class SectionSummary:
    code: str
    title: str
    answers: list[Answer] = field(default_factory=list)
    row_label: str = ""
    rows: list[list[Answer]] = field(default_factory=list)


def _display(form_field: forms.Field, value: Any) -> str:
    if value in (None, "", []):
        return ""
    if isinstance(form_field, forms.BooleanField):
        return "Yes" if value else ""
    choices = dict(getattr(form_field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    if choices:
        return str(choices.get(value, value))
    return str(value)


def summarise_section(section: type[IntakeSection], values: dict[str, Any]) -> SectionSummary:
    form = section()
    row_names = {
        f"{section.row_prefix}_{n}_{name}"
        for n in range(1, section.row_count + 1)
        for name in section.row_fields
    }
    summary = SectionSummary(section.code, section.title, row_label=section.row_label)
    skipped = row_names | section.not_asked(values)
    for name, form_field in form.fields.items():
        if name in skipped:
            continue
        shown = _display(form_field, values.get(name))
        if shown:
            summary.answers.append(Answer(str(form_field.label), shown))
    for row in section.rows_of(values):
        summary.rows.append(
            [
                Answer(str(form.fields[f"{section.row_prefix}_1_{name}"].label), shown)
                for name in section.row_fields
                if (shown := _display(form.fields[f"{section.row_prefix}_1_{name}"], row.get(name)))
            ]
        )
    return summary


def summarise(intake: Intake) -> list[SectionSummary]:
    return [
        summarise_section(section, intake.section_answers(section.code)) for section in SECTIONS
    ]
