"""Staff pages for the patient record: the list and the chart, and break-glass.

Every view's first line fetches through the access layer, which answers 404 for a
patient outside the user's scope. Writes go through actions.py; the forms for
them are in record_views.py, the patient's own pages in portal_views.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role
from kapclinic.audit.actions import record
from kapclinic.audit.breakglass import active_grant, open_break_glass
from kapclinic.audit.models import AuditAction
from kapclinic.patients.access import (
    can_break_glass,
    can_list_patients,
    can_see_clinical,
    get_patient_for_user,
    visible_patients,
)
from kapclinic.patients.break_glass_lookup import (
    lookup_refusal,
    record_lookup,
    record_lookup_refused,
)
from kapclinic.patients.chart_data import clinical_summary, load_chart
from kapclinic.patients.forms import BreakGlassForm, PatientSearchForm
from kapclinic.patients.page_audit import record_read
from kapclinic.patients.search import search_patients

PAGE_SIZE = 25


@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    """The staff roster: patients the user may see, searched, filtered and paged."""
    user = current_user(request)
    if not can_list_patients(user):
        raise Http404("No patient list")
    form = PatientSearchForm(request.GET, sites=user.sites.order_by("name"))
    form.is_valid()
    wanted: dict[str, Any] = getattr(form, "cleaned_data", {})
    patients = visible_patients(user).select_related("site")
    used: list[str] = []
    if wanted.get("q"):
        patients = search_patients(patients, wanted["q"])
        used.append("q")
    if wanted.get("site"):
        patients = patients.filter(site=wanted["site"])
        used.append("site")
    if wanted.get("stage"):
        patients = patients.filter(stage=wanted["stage"])
        used.append("stage")
    if wanted.get("mine"):
        patients = patients.filter(care_team__user=user)
        used.append("mine")
    page = Paginator(patients.order_by("family_name", "given_name", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # The search text itself may be a name: only the filter names are audited.
    record(
        actor=user,
        action=AuditAction.LIST,
        object_type="patients.patient",
        detail={"filters": used, "page": page.number},
    )
    return render(request, "patients/list.html", {"form": form, "page": page})


@require_GET
def chart(request: HttpRequest, pk: int) -> HttpResponse:
    """One patient's record; clinical sections only for those with clinical access."""
    patient = get_patient_for_user(request, pk)
    user = current_user(request)
    if user.is_patient:
        return redirect("patients:portal")
    clinical = can_see_clinical(user, patient)
    via_break_glass: bool = patient.via_break_glass  # type: ignore[attr-defined]
    load_chart(patient, clinical=clinical)
    record_read(user, patient, clinical=clinical)
    context: dict[str, Any] = {
        "patient": patient,
        "clinical": clinical,
        "grant": active_grant(user, patient) if via_break_glass else None,
        # The same rules as access.can_edit_*, without asking the database again.
        "may_edit": can_list_patients(user),
        "may_edit_clinical": clinical and user.is_clinician,
        # Never under break-glass: a care-team place would outlive the grant.
        "may_manage_team": user.role == Role.FRONT_DESK
        or (clinical and user.is_clinician and not via_break_glass),
    }
    if clinical:
        context.update(clinical_summary(patient))
    return render(request, "patients/chart.html", context)


@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    """Open time-limited, audited access to a patient outside one's care team."""
    user = current_user(request)
    if not can_break_glass(user):
        raise Http404("No such page")
    if request.method != "POST":
        return render(request, "patients/break_glass.html", {"form": BreakGlassForm()})
    # Each lookup says whether an MRN exists, so each is audited, and a run of
    # misses stops further lookups for a while (break_glass_lookup).
    form = BreakGlassForm(request.POST, refusal=lookup_refusal(user))
    valid = form.is_valid()
    if form.refusal is not None:
        record_lookup_refused(user)
        return render(request, "patients/break_glass.html", {"form": form}, status=429)
    if form.looked_up and not valid:
        # A lookup that opens a grant is already in the grant's own audit row.
        record_lookup(user, form.found)
    if valid:
        grant = open_break_glass(
            actor=user,
            patient=form.cleaned_data["mrn"],
            reason=form.cleaned_data["reason"],
            site_url=request.build_absolute_uri("/"),
        )
        messages.warning(request, "Break-glass access is open and clinic admins were told.")
        return redirect("patients:chart", pk=grant.patient_id)
    return render(request, "patients/break_glass.html", {"form": form})
