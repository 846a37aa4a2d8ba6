"""The screening page: facts gathered on one page, the rules' outcome with every
reason, the prescriber's signed decision, and amendments of a signed screening."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role
from kapclinic.patients.access import deny, get_patient_for_staff
from kapclinic.patients.models import BodyMeasurement, Patient
from kapclinic.patients.page_audit import render_patient_page
from kapclinic.screening import actions
from kapclinic.screening.access import latest_screening, screenings_of
from kapclinic.screening.forms import ScreeningFactsForm, SignScreeningForm
from kapclinic.screening.intake_facts import (
    intake_medicines,
    intake_trials,
    prefill,
    submitted_intake,
)
from kapclinic.screening.record_facts import facts_from_record


def _page(
    request: HttpRequest,
    patient: Patient,
    *,
    facts_form: ScreeningFactsForm | None = None,
    sign_form: SignScreeningForm | None = None,
) -> HttpResponse:
    user = current_user(request)
    current = latest_screening(patient)
    may_edit = user.role == Role.PRESCRIBER
    draft = current if current is not None and not current.is_signed else None
    intake = submitted_intake(patient)
    listed = intake_medicines(intake) if intake is not None else []
    if facts_form is None and may_edit and (current is None or draft is not None):
        # What the prescriber saved comes first, then what the record tells, and the
        # patient's intake fills only what both left open.
        known = facts_from_record(patient)
        if not known["medication_classes"]:
            # No current medicine on the record is not an answer (nobody may have
            # asked yet), and medicines the patient listed need their classes: the
            # prescriber answers, or the intake's "I take no medicines" does.
            known["medication_classes"] = None
        if draft is not None:
            known = {**known, **{k: v for k, v in draft.facts.items() if v is not None}}
        facts, from_intake = prefill(known, intake)
        facts_form = ScreeningFactsForm(initial=ScreeningFactsForm.initial_from(facts))
        facts_form.mark_from_intake(from_intake)
    outcome = actions.evaluate(current, patient) if current is not None else None
    weight = (
        BodyMeasurement.objects.filter(patient=patient, weight_kg__isnull=False)
        .only("weight_kg", "measured_at")
        .first()
    )
    context: dict[str, Any] = {
        "patient": patient,
        "current": current,
        "draft": draft,
        "outcome": outcome,
        "facts_form": facts_form,
        "sign_form": sign_form or SignScreeningForm(),
        "may_edit": may_edit,
        "history": [s for s in screenings_of(patient) if s.is_signed],
        "weight": weight,
        "intake": intake,
        "intake_medicines": listed,
        "intake_trials": intake_trials(intake) if intake is not None else [],
    }
    return render_patient_page(
        request, patient, "screening/screening.html", context, page="screening"
    )


@require_GET
def screening(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's current screening: care-team clinicians read, prescribers edit."""
    patient = get_patient_for_staff(request, pk, clinical=True)
    return _page(request, patient)


def _prescriber_patient(request: HttpRequest, pk: int) -> Patient:
    patient = get_patient_for_staff(request, pk, clinical=True)
    user = current_user(request)
    if user.role != Role.PRESCRIBER:
        deny(user, pk)
    return patient


@require_POST
def save(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _prescriber_patient(request, pk)
    user = current_user(request)
    form = ScreeningFactsForm(request.POST)
    if not form.is_valid():
        return _page(request, patient, facts_form=form)
    current = latest_screening(patient)
    try:
        if current is None or current.is_signed:
            if current is not None:
                form.add_error(None, "This screening is signed; amend it to correct it.")
                return _page(request, patient, facts_form=form)
            actions.start_screening(patient, actor=user, facts=form.facts())
        else:
            actions.save_facts(current, form.facts(), actor=user)
    except actions.ScreeningError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error))
        return _page(request, patient, facts_form=form)
    messages.success(request, "Screening saved and checked against the rules.")
    return redirect("screening:screening", pk=patient.pk)


@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _prescriber_patient(request, pk)
    user = current_user(request)
    form = SignScreeningForm(request.POST)
    current = latest_screening(patient)
    if current is None or current.is_signed:
        form.add_error(None, "There is no draft screening to sign.")
        return _page(request, patient, sign_form=form)
    if not form.is_valid():
        return _page(request, patient, sign_form=form)
    try:
        actions.sign_screening(
            current,
            actor=user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except actions.ScreeningError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error))
        return _page(request, patient, sign_form=form)
    messages.success(request, "Screening decision signed.")
    return redirect("screening:screening", pk=patient.pk)


@require_POST
def amend(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _prescriber_patient(request, pk)
    current = latest_screening(patient)
    if current is None or not current.is_signed:
        messages.error(request, "There is no signed screening to amend.")
        return redirect("screening:screening", pk=patient.pk)
    try:
        actions.amend_screening(current, actor=current_user(request))
    except actions.ScreeningError as error:
        messages.error(request, str(error))
    return redirect("screening:screening", pk=patient.pk)
