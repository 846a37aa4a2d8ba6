"""Pages of measurement-based care: the patient's questionnaire and its result, staff
entry of a questionnaire or rating, and the clinicians' risk alerts.

Every view starts with an access helper (outcomes/access.py or patients/access.py)
that is 404 for what the user may not see; pages showing a patient's answers or
scores render through `render_patient_page`, which audits the read.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from kapclinic.accounts.access import current_user
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes import actions
from kapclinic.outcomes.access import get_alert_for_user, get_own_assignment, visible_alerts
from kapclinic.outcomes.forms import AcknowledgeForm, AssignForm, QuestionnaireForm, field_name
from kapclinic.outcomes.instruments import INSTRUMENTS
from kapclinic.outcomes.models import QuestionnaireResponse
from kapclinic.patients.access import can_see_clinical, get_own_patient, get_patient_for_user
from kapclinic.patients.page_audit import render_patient_page


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient answers one questionnaire they were sent."""
    assignment = get_own_assignment(request, pk)
    user = current_user(request)
    # The draft holds the form's own choice values ("2", "yes"), keyed by item number.
    initial = {field_name(int(n)): value for n, value in assignment.draft.items()}
    form = QuestionnaireForm(
        request.POST or None, instrument=assignment.instrument, initial=initial
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                response = actions.submit(
                    actor=user,
                    patient=assignment.patient,
                    instrument=assignment.instrument,
                    answers=form.answers,
                    assignment=assignment,
                    site_url=_site_url(request),
                )
            except FieldValueError as error:
                form.add_error(None, f"{error.field}: {error.problem}.")
            else:
                return redirect("outcomes:result", pk=response.pk)
        # Keep what was answered, so a patient who leaves now loses nothing.
        partial = form.partial_answers()
        if partial:
            actions.save_draft(actor=user, assignment=assignment, answers=partial)
    context = {"form": form, "assignment": assignment, "instrument": form.instrument}
    return render_patient_page(
        request, assignment.patient, "outcomes/answer.html", context, page="questionnaire"
    )


@require_GET
def result(request: HttpRequest, pk: int) -> HttpResponse:
    """What the patient sees after answering: thanks, and crisis resources at once
    when an answer raised a risk alert."""
    patient = get_own_patient(request)
    response = QuestionnaireResponse.objects.filter(patient=patient, pk=pk).first()
    if response is None:
        raise Http404("No such questionnaire")
    context = {
        "patient": patient,
        "response": response,
        "at_risk": "suicide_risk" in response.flags,
    }
    return render_patient_page(
        request, patient, "outcomes/result.html", context, page="questionnaire_result"
    )


@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """A clinician enters a questionnaire or clinician-rated scale for the patient."""
    patient = get_patient_for_user(request, pk, clinical=True)
    user = current_user(request)
    if code not in INSTRUMENTS or not user.is_clinician or not can_see_clinical(user, patient):
        raise Http404("No such questionnaire")
    form = QuestionnaireForm(request.POST or None, instrument=code)
    if request.method == "POST" and form.is_valid():
        try:
            response = actions.submit(
                actor=user,
                patient=patient,
                instrument=code,
                answers=form.answers,
                site_url=_site_url(request),
            )
        except FieldValueError as error:
            form.add_error(None, f"{error.field}: {error.problem}.")
        else:
            total = "" if response.total is None else f" {response.total},"
            messages.success(
                request, f"{form.instrument.name} saved:{total} {response.severity or 'no band'}."
            )
            if "suicide_risk" in response.flags:
                messages.warning(request, "A critical answer raised a risk alert.")
            return redirect("patients:chart", pk=patient.pk)
    context = {"form": form, "patient": patient, "instrument": form.instrument}
    return render_patient_page(
        request, patient, "outcomes/enter.html", context, page=f"enter_{code}"
    )


@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """A clinician sends the patient a questionnaire to answer in the portal."""
    patient = get_patient_for_user(request, pk, clinical=True)
    user = current_user(request)
    if not user.is_clinician or not can_see_clinical(user, patient):
        raise Http404("No such page")
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        assignment = actions.assign(
            actor=user,
            patient=patient,
            instrument=form.cleaned_data["instrument"],
            due_at=now,
            expires_at=now + dt.timedelta(days=form.cleaned_data["days_to_answer"]),
        )
        messages.success(
            request, f"{assignment.instrument_name} sent: it waits in the patient's portal."
        )
        return redirect("patients:chart", pk=patient.pk)
    context = {"form": form, "patient": patient}
    return render_patient_page(request, patient, "outcomes/assign.html", context, page="assign")


@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    """Risk alerts for the clinician's patients, open ones first, then the latest."""
    user = current_user(request)
    if not user.is_clinician:
        raise Http404("No such page")
    rows = list(
        visible_alerts(user)
        .select_related("patient", "acknowledged_by", "escalated_to")
        .order_by(F("acknowledged_at").desc(nulls_first=True), "-created_at")[:100]
    )
    record(
        actor=user,
        action=AuditAction.LIST,
        object_type="outcomes.riskalert",
        detail={"alerts": [a.pk for a in rows]},
    )
    return render(request, "outcomes/alerts.html", {"alerts": rows, "form": AcknowledgeForm()})


@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_alert_for_user(request, pk)
    user = current_user(request)
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and alert.is_open and form.is_valid():
        try:
            actions.acknowledge(actor=user, alert=alert, note=form.cleaned_data["note"])
        except FieldValueError as error:
            form.add_error("note", error.problem)
        else:
            messages.success(request, "Alert acknowledged in your name.")
            return redirect("outcomes:alerts")
    context = {"form": form, "alert": alert, "patient": alert.patient}
    return render_patient_page(
        request, alert.patient, "outcomes/acknowledge.html", context, page="risk_alert"
    )
