"""The intake pages: the patient's own in the portal (overview, one page per section,
the baseline questionnaires, submit) and the care team's reading of a submitted
intake on the patient's record.

Portal views start with `get_own_patient` (404 for anyone but a patient with a
record), staff views with `get_patient_for_staff(..., clinical=True)`; every page
that shows answers renders through `render_patient_page`, which audits the read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kapclinic.accounts.access import current_user
from kapclinic.intake import actions
from kapclinic.intake.access import (
    SectionState,
    current_course,
    current_intake,
    intake_open,
    progress,
    submitted_intakes,
)
from kapclinic.intake.baseline import QuestionnaireStep, questionnaire_steps
from kapclinic.intake.sections import BY_CODE, SECTIONS, IntakeSection
from kapclinic.intake.summary import summarise
from kapclinic.patients.access import get_own_patient, get_patient_for_staff
from kapclinic.patients.models import Patient
from kapclinic.patients.page_audit import render_patient_page


def _step_counts(
    states: list[SectionState], questionnaires: list[QuestionnaireStep]
) -> dict[str, Any]:
    """Progress over every step: the sections, then the baseline questionnaires. Only
    the sections are needed to send the intake (see `actions.submit_intake`)."""
    sections_done = sum(1 for state in states if state.done)
    answered = sum(1 for step in questionnaires if step.done)
    return {
        "done": sections_done + answered,
        "total": len(states) + len(questionnaires),
        "sections_done": sections_done == len(states),
        "outstanding": [step for step in questionnaires if not step.done],
    }


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The patient's intake: progress by step, then submit; read-only once sent, with
    any baseline questionnaire still to answer."""
    patient = get_own_patient(request)
    intake = current_intake(patient)
    states = progress(intake)
    questionnaires = questionnaire_steps(patient, intake)
    context: dict[str, Any] = {
        "patient": patient,
        "intake": intake,
        "open": intake_open(patient),
        "states": states,
        "questionnaires": questionnaires,
        "at_risk": any(step.at_risk for step in questionnaires),
        **_step_counts(states, questionnaires),
        "summary": summarise(intake) if intake is not None and intake.is_submitted else None,
    }
    return render_patient_page(request, patient, "intake/overview.html", context, page="intake")


def _section_page(
    request: HttpRequest, patient: Patient, section: type[IntakeSection], form: IntakeSection
) -> HttpResponse:
    index = SECTIONS.index(section)
    context = {
        "patient": patient,
        "section": section,
        "form": form,
        "number": index + 1,
        "total": len(SECTIONS),
        "next": SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None,
    }
    return render_patient_page(
        request, patient, "intake/section.html", context, page=f"intake_{section.code}"
    )


@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, code: str) -> HttpResponse:
    """One section: saved on every change (htmx) and by its Save button (no scripts).
    Answers that pass their checks are saved even when another needs correcting; the
    one to correct comes back as typed, with its message."""
    patient = get_own_patient(request)
    section_class = BY_CODE.get(code)
    if section_class is None:
        raise Http404("No such part of the intake")
    intake = current_intake(patient)
    if (intake is not None and intake.is_submitted) or not intake_open(patient):
        return redirect("intake:overview")
    if request.method == "GET":
        values = intake.section_answers(code) if intake is not None else {}
        return _section_page(request, patient, section_class, section_class(initial=values))
    form = section_class(request.POST)
    valid = form.is_valid()
    user = current_user(request)
    try:
        intake = actions.start_intake(patient, actor=user)
        actions.save_section(intake, code, form.valid_values(), actor=user)
    except actions.IntakeError as error:
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "intake/_autosave.html", {"problem": str(error)})
        messages.error(request, str(error))
        return redirect("intake:overview")
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "intake/_autosave.html", {"form": form, "saved_at": intake.updated_at}
        )
    if not valid:
        return _section_page(request, patient, section_class, form)
    messages.success(request, f"{section_class.title}: saved.")
    if request.POST.get("go") == "next":
        index = SECTIONS.index(section_class)
        if index + 1 < len(SECTIONS):
            return redirect("intake:section", code=SECTIONS[index + 1].code)
        return redirect("intake:overview")
    return redirect("intake:section", code=code)


@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    intake = current_intake(patient)
    if intake is None:
        messages.error(request, "Please answer the questions first.")
        return redirect("intake:overview")
    try:
        actions.submit_intake(intake, actor=current_user(request))
    except actions.IntakeError as error:
        messages.error(request, str(error))
        return redirect("intake:overview")
    messages.success(request, "Thank you: your intake has been sent to your care team.")
    return redirect("intake:overview")


@require_POST
def questionnaire(request: HttpRequest, code: str) -> HttpResponse:
    """Open one baseline questionnaire of the intake (asked on first use), answered on
    the same questionnaire page as any other, with its scoring and risk alert."""
    patient = get_own_patient(request)
    try:
        assignment = actions.ask_baseline(patient, code, actor=current_user(request))
    except actions.IntakeError as error:
        messages.error(request, str(error))
        return redirect("intake:overview")
    if assignment.completed_at is not None:
        messages.info(request, f"You have already answered the {assignment.instrument_name}.")
        return redirect("intake:overview")
    return redirect("outcomes:answer", pk=assignment.pk)


@require_GET
def staff_intake(request: HttpRequest, pk: int) -> HttpResponse:
    """The care team reads the patient's submitted intake (audited read)."""
    patient = get_patient_for_staff(request, pk, clinical=True)
    intakes = submitted_intakes(patient)
    course = current_course(patient)
    current = current_intake(patient, course)
    # Baseline scores of this course's intake, sent or not (they are scored answers
    # the care team needs at once); else of the last course's.
    shown = current if current is not None else (intakes[0] if intakes else None)
    questionnaires = questionnaire_steps(patient, shown)
    context: dict[str, Any] = {
        "patient": patient,
        "intake": intakes[0] if intakes else None,
        "from_earlier_course": bool(intakes) and intakes[0].course != course,
        "summary": summarise(intakes[0]) if intakes else None,
        "earlier": intakes[1:],
        "in_progress": current if current is not None and not current.is_submitted else None,
        "questionnaires": questionnaires,
        **_step_counts(progress(current), questionnaires),
    }
    return render_patient_page(request, patient, "intake/staff.html", context, page="intake_staff")
