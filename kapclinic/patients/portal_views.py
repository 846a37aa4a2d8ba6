"""The patient's own pages: their record as they may see it, and their contact details.

Every view starts with `get_own_patient`, which is 404 for anyone but a patient with
a record, and renders through `render_patient_page`, which audits the read (the
edit forms too, on GET and when sent back with errors). The portal shows
demographics, contacts, current medications, allergies and the care team; nothing
clinical beyond that.
"""

from __future__ import annotations

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from kapclinic.accounts import two_factor
from kapclinic.accounts.access import current_user
from kapclinic.patients import actions
from kapclinic.patients.access import get_own_patient
from kapclinic.patients.chart_data import load_portal
from kapclinic.patients.forms import EmergencyContactForm, OwnContactDetailsForm
from kapclinic.patients.page_audit import render_patient_page


@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    load_portal(patient)
    user = current_user(request)
    context = {
        "patient": patient,
        # The next steps list only what the patient can do here today.
        "emergency_contact": any(c.is_emergency for c in patient.contacts.all()),
        "two_factor_on": two_factor.confirmed_totp(user) is not None,
    }
    return render_patient_page(request, patient, "patients/portal.html", context, page="portal")


@require_http_methods(["GET", "POST"])
def edit_own_details(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    initial = model_to_dict(patient, fields=actions.OWN_CONTACT_FIELDS)
    form = OwnContactDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.update_own_contact_details(
            actor=current_user(request), patient=patient, data=form.cleaned_data
        )
        messages.success(request, "Your contact details are saved.")
        return redirect("patients:portal")
    context = {"form": form, "title": "Your phone, e-mail and address", "portal": True}
    return render_patient_page(
        request, patient, "patients/form.html", context, page="portal_details"
    )


@require_http_methods(["GET", "POST"])
def edit_own_emergency_contact(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    current = patient.contacts.filter(is_emergency=True).order_by("id").first()
    initial = model_to_dict(current, fields=actions.EMERGENCY_CONTACT_FIELDS) if current else {}
    form = EmergencyContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.save_own_emergency_contact(
            actor=current_user(request), patient=patient, data=form.cleaned_data
        )
        messages.success(request, "Your emergency contact is saved.")
        return redirect("patients:portal")
    context = {"form": form, "title": "Your emergency contact", "portal": True}
    return render_patient_page(
        request, patient, "patients/form.html", context, page="portal_emergency_contact"
    )
