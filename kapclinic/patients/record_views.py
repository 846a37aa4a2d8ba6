"""Staff forms that change the patient record, one page per change.

Each view fetches the patient through the access layer first (404 outside scope or
without the right to make this change), validates with a Django form and hands the
cleaned data to the named action, which audits the write. Opening a form on an
existing record is a read, so a GET writes one VIEW row, and so does a POST sent
back with errors (it shows the same record): both render through
`page_audit.render_patient_page`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditOutcome
from kapclinic.patients import actions
from kapclinic.patients.access import (
    break_glass_detail,
    can_list_patients,
    get_patient_for_care_team,
    get_patient_to_change,
    visible_patients,
)
from kapclinic.patients.forms import (
    AllergyForm,
    CareTeamForm,
    ConditionForm,
    ContactForm,
    DemographicsForm,
    MeasurementForm,
    MedicationForm,
    RegisterPatientForm,
    StopMedicationForm,
)
from kapclinic.patients.models import Patient
from kapclinic.patients.page_audit import render_patient_page
from kapclinic.patients.search import check_duplicates

GET_POST = ["GET", "POST"]


def _form_page(
    request: HttpRequest,
    *,
    patient: Patient,
    form: forms.BaseForm,
    title: str,
    page: str,
    save: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Show `form`; on a valid POST run `save` and go back to the chart."""
    if request.method == "POST" and form.is_valid():
        save(form.cleaned_data)
        messages.success(request, done)
        return redirect("patients:chart", pk=patient.pk)
    context = {"patient": patient, "form": form, "title": title}
    return render_patient_page(request, patient, "patients/form.html", context, page=page)


class _AddAction(Protocol):
    def __call__(self, *, actor: User, patient: Patient, data: Mapping[str, Any]) -> object: ...


def _add_page(
    request: HttpRequest,
    patient: Patient,
    *,
    form_class: type[forms.BaseForm],
    add: _AddAction,
    title: str,
    page: str,
    done: str,
) -> HttpResponse:
    """A `_form_page` that adds one item to the record with `add`."""
    return _form_page(
        request,
        patient=patient,
        form=form_class(request.POST or None),
        title=title,
        page=page,
        save=lambda data: add(actor=current_user(request), patient=patient, data=data),
        done=done,
    )


@require_http_methods(GET_POST)
def register(request: HttpRequest) -> HttpResponse:
    """Register a new patient at one of the user's sites."""
    user = current_user(request)
    if not can_list_patients(user):
        raise Http404("No such page")
    sites = user.sites.filter(is_active=True).order_by("name")
    form = RegisterPatientForm(request.POST or None, sites=sites)
    context: dict[str, Any] = {"form": form, "title": "Register a patient"}
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "site"}
        if request.POST.get("not_a_duplicate") != "yes":
            check = check_duplicates(
                visible_patients(user),
                birth_date=data["birth_date"],
                given_name=data["given_name"],
                family_name=data["family_name"],
            )
            # The search reaches past the user's scope, so it is audited every time
            # it runs: how many matches, and how many were outside scope, no names.
            record(
                actor=user,
                action=AuditAction.LIST,
                object_type="patients.patient",
                detail={
                    "page": "register",
                    "possible_duplicates": check.found,
                    "outside_your_scope": check.elsewhere,
                },
            )
            if check.found:
                context["duplicates"] = check
                return render(request, "patients/form.html", context)
        patient = actions.register_patient(actor=user, site=form.cleaned_data["site"], data=data)
        messages.success(request, f"Patient registered with MRN {patient.mrn}.")
        return redirect("patients:chart", pk=patient.pk)
    return render(request, "patients/form.html", context)


@require_http_methods(GET_POST)
def edit_demographics(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_to_change(request, pk)
    initial = model_to_dict(patient, fields=actions.DEMOGRAPHIC_FIELDS)
    return _form_page(
        request,
        patient=patient,
        form=DemographicsForm(request.POST or None, initial=initial),
        title="Edit demographics",
        page="edit_demographics",
        save=lambda data: actions.update_demographics(
            actor=current_user(request), patient=patient, data=data
        ),
        done="Demographics saved.",
    )


@require_http_methods(GET_POST)
def add_contact(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_to_change(request, pk)
    return _add_page(
        request,
        patient,
        form_class=ContactForm,
        add=actions.add_contact,
        title="Add a contact",
        page="add_contact",
        done="Contact added.",
    )


@require_http_methods(GET_POST)
def edit_contact(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    patient = get_patient_to_change(request, pk)
    contact = get_object_or_404(patient.contacts, pk=contact_pk)
    initial = model_to_dict(contact, fields=actions.CONTACT_FIELDS)
    return _form_page(
        request,
        patient=patient,
        form=ContactForm(request.POST or None, initial=initial),
        title="Edit contact",
        page="edit_contact",
        save=lambda data: actions.update_contact(
            actor=current_user(request), contact=contact, data=data
        ),
        done="Contact saved.",
    )


@require_http_methods(GET_POST)
def add_measurement(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_to_change(request, pk, clinical=True)
    return _form_page(
        request,
        patient=patient,
        form=MeasurementForm(request.POST or None),
        title="Record height and weight",
        page="add_measurement",
        save=lambda data: actions.record_measurement(
            actor=current_user(request), patient=patient, **data
        ),
        done="Measurement recorded.",
    )


@require_http_methods(GET_POST)
def add_condition(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_to_change(request, pk, clinical=True)
    return _add_page(
        request,
        patient,
        form_class=ConditionForm,
        add=actions.add_condition,
        title="Add a condition or history item",
        page="add_condition",
        done="Condition added.",
    )


@require_http_methods(GET_POST)
def add_medication(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_to_change(request, pk, clinical=True)
    return _add_page(
        request,
        patient,
        form_class=MedicationForm,
        add=actions.add_medication,
        title="Add a medication",
        page="add_medication",
        done="Medication added.",
    )


@require_http_methods(GET_POST)
def stop_medication(request: HttpRequest, pk: int, medication_pk: int) -> HttpResponse:
    patient = get_patient_to_change(request, pk, clinical=True)
    medication = get_object_or_404(patient.medications, pk=medication_pk, stopped_on=None)
    form = StopMedicationForm(
        request.POST or None, medication=medication, initial={"stopped_on": timezone.localdate()}
    )
    return _form_page(
        request,
        patient=patient,
        form=form,
        title=f"Stop {medication.name}",
        page="stop_medication",
        save=lambda data: actions.stop_medication(
            actor=current_user(request), medication=medication, stopped_on=data["stopped_on"]
        ),
        done="Medication stopped.",
    )


@require_http_methods(GET_POST)
def add_allergy(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_to_change(request, pk, clinical=True)
    actor = current_user(request)

    def save(data: dict[str, Any]) -> None:
        if data.pop("no_known_allergies", False):
            actions.record_no_known_allergies(actor=actor, patient=patient)
        else:
            actions.add_allergy(actor=actor, patient=patient, data=data)

    form = AllergyForm(request.POST or None)
    if patient.allergies.exists():
        del form.fields["no_known_allergies"]  # allergies are on file: not a choice
    return _form_page(
        request,
        patient=patient,
        form=form,
        title="Add an allergy",
        page="add_allergy",
        save=save,
        done="Allergies updated.",
    )


def refuse_care_team_change(request: HttpRequest, patient: Patient) -> HttpResponse:
    """Someone who reaches the patient only through break-glass asked to change the
    care team: audit the refusal (flagged, with the grant) and say why on the chart.
    Nothing is written but the audit row."""
    record(
        actor=current_user(request),
        action=AuditAction.UPDATE,
        outcome=AuditOutcome.DENIED,
        patient=patient,
        object_type="patients.careteammember",
        flagged=True,
        detail={"page": "care_team", **break_glass_detail(patient)},
    )
    messages.error(request, actions.CARE_TEAM_UNDER_BREAK_GLASS)
    return redirect("patients:chart", pk=patient.pk)


@require_http_methods(GET_POST)
def add_care_team_member(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_care_team(request, pk)
    if patient.via_break_glass:  # type: ignore[attr-defined]
        return refuse_care_team_change(request, patient)
    form = CareTeamForm(request.POST or None, candidates=actions.care_team_candidates(patient))
    return _form_page(
        request,
        patient=patient,
        form=form,
        title="Add to the care team",
        page="add_care_team_member",
        save=lambda data: actions.add_care_team_member(
            actor=current_user(request), patient=patient, member=data["member"]
        ),
        done="Care team updated.",
    )


@require_POST
def remove_care_team_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    patient = get_patient_for_care_team(request, pk)
    if patient.via_break_glass:  # type: ignore[attr-defined]
        return refuse_care_team_change(request, patient)
    member = get_object_or_404(patient.care_team, pk=member_pk)
    actions.remove_care_team_member(actor=current_user(request), member=member)
    messages.success(request, "Care team updated.")
    return redirect("patients:chart", pk=patient.pk)
