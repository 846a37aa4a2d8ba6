"""Questionnaire schedule pages: a site's defaults (clinic admin) and one patient's
schedule (the care team's clinicians: add, remove, pause).

Each view starts with its access check (404 for anyone else); every change goes
through `schedule_actions`, which audits it.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kapclinic.accounts.access import current_user
from kapclinic.clinics import access as clinic_access
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes import schedule_actions
from kapclinic.outcomes.forms import PauseForm, ScheduleRuleForm
from kapclinic.outcomes.models import QuestionnaireAssignment, SchedulePause, ScheduleRule
from kapclinic.outcomes.schedule_plan import ensure_site_defaults, is_reachable
from kapclinic.patients.access import get_patient_for_user
from kapclinic.patients.models import Patient
from kapclinic.patients.page_audit import render_patient_page


def _rule_from_post(request: HttpRequest, rules: list[ScheduleRule]) -> ScheduleRule:
    wanted = request.POST.get("rule", "")
    found = next((r for r in rules if str(r.pk) == wanted), None)
    if found is None:
        raise Http404("No such rule")
    return found


@require_http_methods(["GET", "POST"])
def site_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    admin = clinic_access.require_clinic_admin(request)
    site = clinic_access.get_site(pk)
    ensure_site_defaults(site)
    rules = list(ScheduleRule.objects.filter(site=site))
    form = ScheduleRuleForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add" and form.is_valid():
                schedule_actions.set_site_rule(
                    actor=admin, site=site, is_active=True, **form.cleaned_data
                )
                messages.success(request, "Questionnaire added to the site's schedule.")
                return redirect("outcomes:site_schedule", pk=site.pk)
            if action in ("on", "off"):
                rule = _rule_from_post(request, rules)
                schedule_actions.set_site_rule(
                    actor=admin,
                    site=site,
                    trigger=rule.trigger,
                    instrument=rule.instrument,
                    is_active=action == "on",
                    weeks_after_course=int(rule.weeks_after_course),
                )
                messages.success(request, f"{rule} switched {action}.")
                return redirect("outcomes:site_schedule", pk=site.pk)
        except FieldValueError as error:
            form.add_error(None, f"{error.field}: {error.problem}.")
    context = {"site": site, "rules": rules, "form": form}
    return render(request, "outcomes/site_schedule.html", context)


@require_http_methods(["GET", "POST"])
def patient_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, clinical=True)
    user = current_user(request)
    if not schedule_actions.may_edit_patient_schedule(user, patient):
        raise Http404("No such page")
    ensure_site_defaults(patient.site)
    rules = list(
        ScheduleRule.objects.filter(Q(site=patient.site) | Q(patient=patient)).order_by(
            "trigger", "instrument", "patient_id"
        )
    )
    action = request.POST.get("action", "")
    form = ScheduleRuleForm(request.POST if action == "add" else None)
    pause_form = PauseForm(request.POST if action == "pause" else None)
    if request.method == "POST":
        done = _patient_action(request, action, patient, rules, form, pause_form)
        if done:
            return redirect("outcomes:patient_schedule", pk=patient.pk)
    own = {(r.trigger, r.instrument): r for r in rules if r.patient_id is not None}
    site_rows = [(r, own.pop((r.trigger, r.instrument), None)) for r in rules if r.site_id]
    context = {
        "patient": patient,
        "site_rows": site_rows,
        "additions": list(own.values()),
        "paused": SchedulePause.objects.filter(patient=patient).select_related("paused_by").first(),
        "scheduled": QuestionnaireAssignment.objects.filter(patient=patient)
        .exclude(schedule_key="")
        .order_by("-due_at")[:20],
        "form": form,
        "pause_form": pause_form,
        "reachable": is_reachable(patient),
        "has_portal": patient.user is not None and patient.user.is_active,
    }
    return render_patient_page(
        request, patient, "outcomes/patient_schedule.html", context, page="questionnaire_schedule"
    )


def _patient_action(
    request: HttpRequest,
    action: str,
    patient: Patient,
    rules: list[ScheduleRule],
    form: ScheduleRuleForm,
    pause_form: PauseForm,
) -> bool:
    user = current_user(request)
    try:
        if action == "add" and form.is_valid():
            schedule_actions.set_patient_rule(
                actor=user, patient=patient, is_active=True, **form.cleaned_data
            )
            messages.success(request, "Questionnaire added for this patient.")
            return True
        if action in ("on", "off"):
            rule = _rule_from_post(request, rules)
            schedule_actions.set_patient_rule(
                actor=user,
                patient=patient,
                trigger=rule.trigger,
                instrument=rule.instrument,
                is_active=action == "on",
                weeks_after_course=int(rule.weeks_after_course),
            )
            word = "removed for this patient" if action == "off" else "back on for this patient"
            messages.success(request, f"{rule.instrument_name} {word}.")
            return True
        if action == "default":
            rule = _rule_from_post(request, [r for r in rules if r.patient_id is not None])
            schedule_actions.remove_patient_rule(actor=user, rule=rule)
            messages.success(request, "The site's schedule applies again.")
            return True
        if action == "pause" and pause_form.is_valid():
            schedule_actions.pause(
                actor=user, patient=patient, reason=pause_form.cleaned_data["reason"]
            )
            messages.success(request, "Scheduled questionnaires paused.")
            return True
        if action == "resume":
            schedule_actions.resume(actor=user, patient=patient)
            messages.success(request, "Scheduled questionnaires resumed.")
            return True
    except FieldValueError as error:
        target = pause_form if action == "pause" else form
        target.add_error(None, f"{error.field}: {error.problem}.")
    return False
