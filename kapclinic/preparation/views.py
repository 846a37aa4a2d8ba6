"""Preparation pages: the patient's in the portal (saved as they type), and the care
team's view with its checklist and the therapist's "complete"."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role
from kapclinic.consent.status import plan_routes
from kapclinic.patients.access import get_own_patient, get_patient_for_staff
from kapclinic.patients.models import Patient
from kapclinic.patients.page_audit import render_patient_page
from kapclinic.preparation import actions
from kapclinic.preparation.access import may_read_intentions
from kapclinic.preparation.checklist import (
    PATIENT_ITEMS,
    STAFF_ITEMS,
    fasting_rule,
    missing_for_completion,
)
from kapclinic.preparation.forms import PatientPreparationForm, StaffChecklistForm
from kapclinic.preparation.models import Preparation
from kapclinic.preparation.status import current_preparation

# Emergency numbers by the site's country; elsewhere the European 112.
EMERGENCY_NUMBERS = {"US": "911", "CA": "911", "GB": "999", "AU": "000", "NZ": "111"}


def _common(patient: Patient, prep: Preparation | None) -> dict[str, Any]:
    route = plan_routes([patient.pk]).get(patient.pk)
    return {
        "patient": patient,
        "prep": prep,
        "fasting": fasting_rule(route),
        "emergency_number": EMERGENCY_NUMBERS.get(patient.site.country.upper(), "112"),
    }


@require_http_methods(["GET", "POST"])
def portal(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    prep = current_preparation(patient.pk)
    # Bound on every POST, an empty one too (it saves nothing and shows the form).
    form = PatientPreparationForm(
        request.POST if request.method == "POST" else None,
        initial=PatientPreparationForm.initial_from(prep),
    )
    if request.method == "POST" and not (prep and prep.is_complete):
        valid = form.is_valid()
        try:
            # Save what is valid even when one field is not: nothing typed is lost.
            actions.save_patient_part(
                patient, actor=current_user(request), values=form.valid_values()
            )
        except actions.PreparationError as error:
            form.add_error(None, str(error))
        else:
            if valid:
                messages.success(request, "Your preparation is saved.")
                return redirect("preparation:portal")
        prep = current_preparation(patient.pk)
    context = {**_common(patient, prep), "form": form}
    return render_patient_page(
        request, patient, "preparation/portal.html", context, page="portal_preparation"
    )


@require_POST
def portal_autosave(request: HttpRequest) -> HttpResponse:
    """Saves the portal form as the patient types (htmx); answers a short status line."""
    patient = get_own_patient(request)
    form = PatientPreparationForm(request.POST)
    form.is_valid()
    problem = ""
    try:
        actions.save_patient_part(patient, actor=current_user(request), values=form.valid_values())
    except actions.PreparationError as error:
        problem = str(error)
    labels = [str(form.fields[name].label) for name in form.errors if name in form.fields]
    context = {
        "saved_at": timezone.localtime(timezone.now(), ZoneInfo(patient.site.time_zone)),
        "unsaved": labels,
        "problem": problem,
    }
    return render(request, "preparation/_autosave_status.html", context)


def _staff_page(
    request: HttpRequest, patient: Patient, checklist_form: StaffChecklistForm | None = None
) -> HttpResponse:
    user = current_user(request)
    prep = current_preparation(patient.pk)
    if checklist_form is None:
        ticked = [code for code, on in (prep.staff_checklist if prep else {}).items() if on]
        checklist_form = StaffChecklistForm(initial={"ticked": ticked})
    context = {
        **_common(patient, prep),
        "checklist_form": checklist_form,
        "patient_items": [
            (label, bool(prep and prep.patient_checklist.get(code)))
            for code, label in PATIENT_ITEMS
        ],
        "staff_items": STAFF_ITEMS,
        "missing": missing_for_completion(prep.as_facts()) if prep else [],
        "may_read_intentions": may_read_intentions(user),
        "may_complete": user.role == Role.THERAPIST,
    }
    return render_patient_page(
        request, patient, "preparation/patient.html", context, page="preparation"
    )


@require_GET
def patient_preparation(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_page(request, get_patient_for_staff(request, pk, clinical=True))


@require_POST
def staff_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_staff(request, pk, clinical=True)
    form = StaffChecklistForm(request.POST)
    if not form.is_valid():
        return _staff_page(request, patient, form)
    try:
        actions.save_staff_checklist(
            patient, actor=current_user(request), ticked=form.cleaned_data["ticked"]
        )
    except actions.PreparationError as error:
        form.add_error(None, str(error))
        return _staff_page(request, patient, form)
    messages.success(request, "Checklist saved.")
    return redirect("preparation:patient", pk=patient.pk)


@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_staff(request, pk, clinical=True)
    try:
        actions.mark_complete(patient, actor=current_user(request))
    except actions.PreparationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Preparation marked complete.")
    return redirect("preparation:patient", pk=patient.pk)
