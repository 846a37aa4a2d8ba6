"""Consent pages: the forms' versions (clinic admins and prescribers), the patient's
consents and signing in the portal, and the care team's view with countersigning."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role
from kapclinic.audit.middleware import client_ip
from kapclinic.consent import actions
from kapclinic.consent.access import (
    consents_of,
    documents_for_patient,
    get_consent_for_staff,
    get_document_to_manage,
    get_document_to_sign,
    get_own_consent,
    require_document_manager,
)
from kapclinic.consent.forms import DocumentForm, SignForm, WithdrawForm
from kapclinic.consent.models import Consent, ConsentDocument
from kapclinic.consent.status import current_documents
from kapclinic.consent.text import render_document, render_for
from kapclinic.patients.access import get_own_patient, get_patient_for_staff
from kapclinic.patients.models import Patient
from kapclinic.patients.page_audit import render_patient_page
from kapclinic.treatment.models import Route

# --- The forms and their versions -------------------------------------------------


@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    require_document_manager(request)
    by_route: dict[str, list[ConsentDocument]] = {route: [] for route in Route.values}
    for document in ConsentDocument.objects.select_related("published_by"):
        by_route[document.route].append(document)
    current = current_documents()
    routes = [
        {
            "code": route,
            "label": Route(route).label,
            "versions": versions,
            "current": current.get(route),
            "draft": next((d for d in versions if not d.is_published), None),
        }
        for route, versions in by_route.items()
    ]
    return render(request, "consent/documents.html", {"routes": routes})


@require_POST
def document_new(request: HttpRequest) -> HttpResponse:
    user = require_document_manager(request)
    try:
        document = actions.start_version(request.POST.get("route", ""), actor=user)
    except actions.ConsentError as error:
        messages.error(request, str(error))
        return redirect("consent:documents")
    return redirect("consent:document", pk=document.pk)


@require_http_methods(["GET", "POST"])
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """One version: read it as a patient would (without and with the notices); a
    draft is edited here."""
    document = get_document_to_manage(request, pk)
    user = current_user(request)
    form = None
    if not document.is_published:
        initial = {"title": document.title, "body": document.body}
        form = DocumentForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                actions.save_draft(
                    document,
                    actor=user,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
            except actions.ConsentError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, "Draft saved.")
                return redirect("consent:document", pk=document.pk)
    elif request.method == "POST":
        messages.error(request, "This version is published and read-only.")
        return redirect("consent:document", pk=document.pk)
    context = {
        "document": document,
        "form": form,
        # With every notice that can apply to the route (no indication recorded).
        "preview_all": render_for(document, None),
    }
    return render(request, "consent/document.html", context)


@require_POST
def document_publish(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_to_manage(request, pk)
    try:
        actions.publish(document, actor=current_user(request))
    except actions.ConsentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Version {document.version} is published. Patients who signed an older "
            "version sign this one before their next dose.",
        )
    return redirect("consent:document", pk=document.pk)


# --- The patient's portal -----------------------------------------------------------


def _portal_context(patient: Patient) -> dict[str, Any]:
    consents = consents_of(patient)
    active = [c for c in consents if not c.is_withdrawn]
    forms_to_sign = []
    for doc in documents_for_patient(patient):
        signed = next((c for c in active if c.document_id == doc.pk), None)
        older = next((c for c in active if c.route == doc.route and c.document_id != doc.pk), None)
        forms_to_sign.append({"document": doc, "signed": signed, "older": older})
    return {"patient": patient, "forms": forms_to_sign, "consents": consents}


@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    return render_patient_page(
        request, patient, "consent/portal.html", _portal_context(patient), page="portal_consent"
    )


@require_http_methods(["GET", "POST"])
def portal_sign(request: HttpRequest, route: str) -> HttpResponse:
    patient, document = get_document_to_sign(request, route)
    user = current_user(request)
    if Consent.objects.filter(
        patient=patient, document=document, withdrawn_at__isnull=True
    ).exists():
        messages.info(request, "You have already signed the current version of this form.")
        return redirect("consent:portal")
    rendered = render_document(document, patient)
    form = SignForm(request.POST or None, rendered=rendered)
    if request.method == "POST" and form.is_valid():
        try:
            actions.sign(
                document,
                actor=user,
                patient=patient,
                typed_name=form.cleaned_data["typed_name"],
                acknowledged=form.cleaned_data["acknowledgements"],
                shown_sha256=form.cleaned_data["shown_sha256"],
                ip_address=client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
            )
        except actions.ConsentError as error:
            if error.field is None:
                # The text they read is not the one to sign now: show the current text,
                # keep the typed name, and ask for the statements to be ticked again.
                data = request.POST.copy()
                data["shown_sha256"] = rendered.sha256
                data.setlist("acknowledgements", [])
                form = SignForm(data, rendered=rendered)
                form.is_valid()
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request,
                "Thank you: your consent is signed. Your prescriber countersigns it next.",
            )
            return redirect("consent:portal")
    context = {"patient": patient, "rendered": rendered, "form": form}
    return render_patient_page(
        request, patient, "consent/portal_sign.html", context, page="portal_consent_sign"
    )


@require_POST
def portal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    consent = get_own_consent(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please say why you are withdrawing your consent.")
        return redirect("consent:portal")
    try:
        actions.withdraw(consent, actor=current_user(request), reason=form.cleaned_data["reason"])
    except actions.ConsentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "Your consent is withdrawn. Your care team will contact you about next steps."
        )
    return redirect("consent:portal")


# --- The care team ------------------------------------------------------------------


@require_GET
def patient_consents(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_staff(request, pk, clinical=True)
    consents = consents_of(patient)
    current = {d.route: d.pk for d in current_documents().values()}
    for consent in consents:
        consent.is_current = current.get(consent.route) == consent.document_id  # type: ignore[attr-defined]
    context = {
        "patient": patient,
        "consents": consents,
        "forms": documents_for_patient(patient),
        "may_countersign": current_user(request).role == Role.PRESCRIBER,
    }
    return render_patient_page(request, patient, "consent/patient.html", context, page="consent")


def _signature_page(
    request: HttpRequest, consent: Consent, withdraw_form: WithdrawForm | None = None
) -> HttpResponse:
    current = current_documents().get(consent.route)
    context = {
        "patient": consent.patient,
        "consent": consent,
        "is_current": current is not None and current.pk == consent.document_id,
        "may_countersign": current_user(request).role == Role.PRESCRIBER,
        "withdraw_form": withdraw_form or WithdrawForm(),
    }
    return render_patient_page(
        request, consent.patient, "consent/signature.html", context, page="consent_signature"
    )


@require_GET
def signature(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed consent exactly as the patient signed it, for the care team."""
    return _signature_page(request, get_consent_for_staff(request, pk))


@require_POST
def countersign(request: HttpRequest, pk: int) -> HttpResponse:
    consent = get_consent_for_staff(request, pk)
    try:
        actions.countersign(consent, actor=current_user(request))
    except actions.ConsentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Consent countersigned.")
    return redirect("consent:signature", pk=consent.pk)


@require_POST
def staff_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    consent = get_consent_for_staff(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw(
                consent, actor=current_user(request), reason=form.cleaned_data["reason"]
            )
        except actions.ConsentError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, "Consent withdrawal recorded.")
            return redirect("consent:signature", pk=consent.pk)
    return _signature_page(request, consent, withdraw_form=form)
