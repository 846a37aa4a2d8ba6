"""The long-term safety panel and its two forms, for the patient's prescribers.

A nurse or therapist on the care team sees the chart but not this panel: it holds
the prescribing picture (doses, frequency, misuse signals) the prescriber acts on.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes.safety import actions
from kapclinic.outcomes.safety.forms import BladderCheckForm, MisuseSignalForm
from kapclinic.outcomes.safety.queries import build_panel
from kapclinic.patients.access import can_see_clinical, get_patient_for_user
from kapclinic.patients.models import Patient
from kapclinic.patients.page_audit import render_patient_page


def _prescriber_patient(request: HttpRequest, pk: int) -> Patient:
    patient = get_patient_for_user(request, pk, clinical=True)
    user = current_user(request)
    if user.role != Role.PRESCRIBER or not can_see_clinical(user, patient):
        raise Http404("No such page")
    return patient


@require_GET
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _prescriber_patient(request, pk)
    context = {"patient": patient, "panel": build_panel(patient)}
    return render_patient_page(request, patient, "outcomes/safety.html", context, page="safety")


@require_http_methods(["GET", "POST"])
def bladder_check(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _prescriber_patient(request, pk)
    form = BladderCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_bladder_check(
                actor=current_user(request), patient=patient, **form.cleaned_data
            )
        except FieldValueError as error:
            form.add_error(None, f"{error.field}: {error.problem}.")
        except PermissionDenied as error:
            raise Http404("No such page") from error
        else:
            messages.success(request, "Bladder check saved.")
            return redirect("outcomes:safety", pk=patient.pk)
    context = {
        "patient": patient,
        "form": form,
        "heading": "Monthly bladder check",
        "intro": "Ask about the past month. Any symptom is flagged for review (ketamine cystitis).",
    }
    return render_patient_page(
        request, patient, "outcomes/safety_form.html", context, page="bladder_check"
    )


@require_http_methods(["GET", "POST"])
def misuse_signal(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _prescriber_patient(request, pk)
    form = MisuseSignalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_misuse_signal(
                actor=current_user(request), patient=patient, **form.cleaned_data
            )
        except FieldValueError as error:
            form.add_error(None, f"{error.field}: {error.problem}.")
        except PermissionDenied as error:
            raise Http404("No such page") from error
        else:
            messages.success(request, "Signal recorded.")
            return redirect("outcomes:safety", pk=patient.pk)
    context = {
        "patient": patient,
        "form": form,
        "heading": "Record a misuse signal",
        "intro": "A request for an early or extra dose, or a positive substance test.",
    }
    return render_patient_page(
        request, patient, "outcomes/safety_form.html", context, page="misuse_signal"
    )
