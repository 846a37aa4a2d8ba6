"""Pages for protocols and treatment plans.

Protocols: prescribers (their sites) and clinic admins; everyone else gets a 404.
Plans: care-team clinicians read (through the patients access layer), prescribers
write and sign; a clinician who may read but not write gets a 404 on the write URLs.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role
from kapclinic.clinics.models import Site
from kapclinic.patients.access import deny, get_patient_for_staff
from kapclinic.patients.models import Patient
from kapclinic.patients.page_audit import render_patient_page
from kapclinic.treatment import plan_actions
from kapclinic.treatment.models import CourseAppointment, PlanStatus, Protocol, TreatmentPlan
from kapclinic.treatment.plan_forms import PlanForm, ProtocolForm, SignPlanForm
from kapclinic.treatment.protocols import (
    ProtocolError,
    get_protocol_to_edit,
    may_edit_protocols,
    protocol_sites,
    seed_default_protocols,
    update_protocol,
)
from kapclinic.treatment.timeline import next_dose, timeline


@require_GET
def protocols(request: HttpRequest) -> HttpResponse:
    """Each of the user's sites with its protocols."""
    user = current_user(request)
    sites = list(protocol_sites(user).prefetch_related("protocols"))
    if not sites:
        raise Http404("No protocols")
    return render(request, "treatment/protocols.html", {"sites": sites})


@require_http_methods(["GET", "POST"])
def protocol_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    protocol = get_protocol_to_edit(user, pk)
    form = ProtocolForm(request.POST or None, instance=Protocol.objects.get(pk=protocol.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changed = update_protocol(protocol, actor=user, data=form.cleaned_data)
        except ProtocolError as error:
            form.add_error(None, str(error))
        else:
            if changed:
                messages.success(
                    request, f"{protocol.name} saved. Plans already written keep their doses."
                )
            return redirect("treatment:protocols")
    return render(request, "treatment/protocol_form.html", {"form": form, "protocol": protocol})


@require_POST
def protocols_seed(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the default protocols to a site that lacks some (a new site)."""
    user = current_user(request)
    site = Site.objects.filter(pk=pk).first()
    if site is None or not may_edit_protocols(user, site.pk):
        raise Http404("No such site")
    made = seed_default_protocols(site, actor=user)
    messages.success(request, f"{len(made)} default protocol{'s' if len(made) != 1 else ''} added.")
    return redirect("treatment:protocols")


def _plans_of(patient: Patient) -> list[TreatmentPlan]:
    return list(
        TreatmentPlan.objects.filter(patient_id=patient.pk)
        .select_related("signed_by", "created_by", "protocol")
        .order_by("-version")
    )


def _plan_page(
    request: HttpRequest,
    patient: Patient,
    *,
    sign_form: SignPlanForm | None = None,
) -> HttpResponse:
    user = current_user(request)
    plans = _plans_of(patient)
    draft = next((p for p in plans if p.status == PlanStatus.DRAFT), None)
    current = next((p for p in plans if p.status == PlanStatus.SIGNED), None)
    today = plan_actions.local_today(patient)
    weight = plan_actions.latest_weight(patient)
    stale_days: int | None = None
    if draft is not None and draft.weight_measured_at is not None:
        stale_days = plan_actions.stale_weight_days(patient, draft.weight_measured_at, today)
    context: dict[str, Any] = {
        "patient": patient,
        "plans": plans,
        "draft": draft,
        "current": current,
        "current_in_force": current is not None and current.is_current_on(today),
        "may_write": user.role == Role.PRESCRIBER,
        "problem": plan_actions.eligibility_problem(patient),
        "weight": weight,
        "newer_weight": draft is not None
        and draft.weight_measured_at is not None
        and (weight is None or weight.measured_at != draft.weight_measured_at),
        "stale_days": stale_days,
        "sign_form": sign_form or SignPlanForm(),
        "course": _course_of(plans, current),
    }
    return render_patient_page(request, patient, "treatment/plan.html", context, page="plan")


def _course_of(plans: list[TreatmentPlan], current: TreatmentPlan | None) -> list[Any]:
    """The visits booked for the plan in force and the versions it replaced (one query)."""
    if current is None:
        return []
    replaces = {p.pk: p.supersedes_id for p in plans}
    chain: list[int] = []
    step: int | None = current.pk
    while step is not None and step not in chain:
        chain.append(step)
        step = replaces.get(step)
    return list(
        CourseAppointment.objects.filter(plan__in=chain)
        .select_related("appointment")
        .order_by("appointment__start")
    )


@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's plan: the one in force, a draft awaiting signature, every version."""
    patient = get_patient_for_staff(request, pk, clinical=True)
    return _plan_page(request, patient)


def prescriber_patient(request: HttpRequest, pk: int) -> Patient:
    patient = get_patient_for_staff(request, pk, clinical=True)
    user = current_user(request)
    if user.role != Role.PRESCRIBER:
        deny(user, pk)
    return patient


def _initial(patient: Patient) -> dict[str, Any]:
    source = (
        TreatmentPlan.objects.filter(patient_id=patient.pk)
        .exclude(status=PlanStatus.SUPERSEDED)
        .order_by("-version")
        .first()
    )
    if source is None:
        return {}
    return {
        "protocol": source.protocol_id,
        "amount": source.dose_per_kg if source.dose_per_kg is not None else source.dose_mg,
        "phase": source.phase,
        "frequency": source.frequency,
        "sessions_planned": source.sessions_planned,
        "reevaluate_on": source.reevaluate_on,
        "notes": source.notes,
    }


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the draft plan (the first, or the next version of a signed one)."""
    patient = prescriber_patient(request, pk)
    user = current_user(request)
    form = PlanForm(request.POST or None, site_id=patient.site_id, initial=_initial(patient))
    problem = plan_actions.eligibility_problem(patient)
    if request.method == "POST" and form.is_valid() and not problem:
        try:
            plan_actions.save_draft(
                patient, actor=user, protocol=form.cleaned_data["protocol"], data=form.plan_data()
            )
        except plan_actions.PlanError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, str(error))
        else:
            messages.success(request, "Draft plan saved. Check the dose, then sign it.")
            return redirect("treatment:plan", pk=patient.pk)
    context = {
        "patient": patient,
        "form": form,
        "problem": problem,
        "weight": plan_actions.latest_weight(patient),
        "no_protocols": not Protocol.objects.filter(
            site_id=patient.site_id, is_active=True
        ).exists(),
    }
    return render_patient_page(request, patient, "treatment/plan_form.html", context, page="plan")


@require_POST
def plan_sign(request: HttpRequest, pk: int) -> HttpResponse:
    patient = prescriber_patient(request, pk)
    user = current_user(request)
    form = SignPlanForm(request.POST)
    draft = TreatmentPlan.objects.filter(patient_id=patient.pk, status=PlanStatus.DRAFT).first()
    if draft is None:
        form.add_error(None, "There is no draft plan to sign.")
        return _plan_page(request, patient, sign_form=form)
    if not form.is_valid():
        return _plan_page(request, patient, sign_form=form)
    try:
        plan_actions.sign_plan(
            draft,
            actor=user,
            acknowledge_stale_weight=form.cleaned_data["acknowledge_stale_weight"],
        )
    except plan_actions.PlanError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error))
        return _plan_page(request, patient, sign_form=form)
    messages.success(request, f"Plan version {draft.version} signed.")
    return redirect("treatment:plan", pk=patient.pk)


@require_POST
def plan_discard(request: HttpRequest, pk: int) -> HttpResponse:
    patient = prescriber_patient(request, pk)
    draft = TreatmentPlan.objects.filter(patient_id=patient.pk, status=PlanStatus.DRAFT).first()
    if draft is None:
        messages.error(request, "There is no draft plan to discard.")
    else:
        plan_actions.discard_draft(draft, actor=current_user(request))
        messages.success(request, "Draft plan discarded.")
    return redirect("treatment:plan", pk=patient.pk)


@require_GET
def plan_version(request: HttpRequest, pk: int, version_pk: int) -> HttpResponse:
    """One version of the plan as it was written (kept after it is replaced)."""
    patient = get_patient_for_staff(request, pk, clinical=True)
    version = (
        TreatmentPlan.objects.select_related("signed_by", "created_by", "protocol", "supersedes")
        .filter(patient_id=patient.pk, pk=version_pk)
        .first()
    )
    if version is None:
        raise Http404("No such plan version")
    context = {"patient": patient, "version": version}
    return render_patient_page(
        request, patient, "treatment/plan_version.html", context, page="plan_version"
    )


@require_GET
def pathway_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's pathway from first contact on, newest first."""
    patient = get_patient_for_staff(request, pk, clinical=True)
    context = {"patient": patient, "entries": timeline(patient), "next_dose": next_dose(patient)}
    return render_patient_page(
        request, patient, "treatment/timeline.html", context, page="pathway_timeline"
    )
