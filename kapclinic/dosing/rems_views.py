"""REMS monitoring form pages: forms due, one form (review, complete, mark submitted), PDF."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kapclinic.accounts.access import current_user
from kapclinic.audit.actions import record
from kapclinic.audit.breakglass import active_grant
from kapclinic.audit.models import AuditAction
from kapclinic.dosing import rems_actions
from kapclinic.dosing.models import DosingSession
from kapclinic.dosing.rems import due_forms, rems_facts, treatment_date
from kapclinic.dosing.rems_access import REMS_ROLES, get_rems_session_for_user, rems_sessions
from kapclinic.dosing.rems_forms import FINDINGS, RemsAnswersForm, SubmittedForm
from kapclinic.dosing.rems_models import RemsForm
from kapclinic.patients.access import break_glass_detail
from kapclinic.patients.page_audit import record_read


@require_GET
def due(request: HttpRequest) -> HttpResponse:
    """Esketamine sessions whose REMS form is not yet submitted, soonest due first."""
    user = current_user(request)
    if user.role not in REMS_ROLES:
        raise Http404("No such page")
    rows = due_forms(rems_sessions(user))
    record(
        actor=user,
        action=AuditAction.LIST,
        object_type="dosing.remsform",
        detail={"view": "rems_due", "count": len(rows)},
    )
    return render(request, "dosing/rems_due.html", {"rows": rows})


def _form_of(session: DosingSession) -> RemsForm | None:
    return getattr(session, "rems_form", None)


def _via_break_glass(session: DosingSession) -> bool:
    return bool(getattr(session.patient, "via_break_glass", False))


def _context(session: DosingSession, form: RemsForm | None, **extra: Any) -> dict[str, Any]:
    # A completed form shows what it froze; a draft shows the records as they are now.
    facts = form.facts if form is not None and form.facts else rems_facts(session)
    return {"session": session, "form_record": form, "facts": facts, **extra}


@require_http_methods(["GET", "POST"])
def form(request: HttpRequest, pk: int) -> HttpResponse:
    """Review the form, answer what the records cannot tell, and complete it."""
    session = get_rems_session_for_user(request, pk)
    user = current_user(request)
    zone = ZoneInfo(session.site.time_zone)
    record_form = _form_of(session)
    treated = treatment_date(session)
    answers = RemsAnswersForm(
        request.POST if request.method == "POST" else None,
        initial=RemsAnswersForm.initial_from(record_form, zone),
        treated_on=treated,
        zone=zone,
    )
    submitted = record_form is not None and record_form.status == RemsForm.Status.SUBMITTED
    if request.method == "POST" and not submitted and answers.is_valid():
        try:
            rems_actions.complete_rems_form(actor=user, session=session, values=answers.values())
        except rems_actions.RemsRefused as refused:
            answers.add_error(None, str(refused))
        except PermissionDenied as denied:
            answers.add_error(None, str(denied))
        else:
            messages.success(request, "REMS form completed. Submit it, then record the date.")
            return redirect("rems:form", pk=session.pk)
    # Flagged with the grant's id when the patient is open only through break-glass.
    record_read(user, session.patient, what="rems_form", session=session.pk)
    status = 400 if request.method == "POST" else 200
    via_break_glass = _via_break_glass(session)
    context = _context(
        session,
        record_form,
        answers=answers,
        submit_form=SubmittedForm(),
        findings=FINDINGS,
        submitted=submitted,
        via_break_glass=via_break_glass,
        grant=active_grant(user, session.patient) if via_break_glass else None,
    )
    return render(request, "dosing/rems_form.html", context, status=status)


@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the day the completed form was submitted to the REMS."""
    session = get_rems_session_for_user(request, pk)
    user = current_user(request)
    dated = SubmittedForm(request.POST)
    if dated.is_valid():
        try:
            rems_actions.mark_rems_submitted(
                actor=user, session=session, submitted_on=dated.cleaned_data["submitted_on"]
            )
        except (rems_actions.RemsRefused, PermissionDenied) as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "Marked submitted.")
    else:
        messages.error(request, "Enter the date the form was submitted (YYYY-MM-DD).")
    return redirect("rems:form", pk=session.pk)


@require_GET
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The form as a PDF to submit or keep; an export, so audited as one."""
    session = get_rems_session_for_user(request, pk)
    user = current_user(request)
    record_form = _form_of(session)
    html = render_to_string(
        "dosing/rems_pdf.html", _context(session, record_form, findings=FINDINGS)
    )
    # Imported here: WeasyPrint takes a moment to load, and only this view needs it.
    from weasyprint import HTML  # type: ignore[import-untyped]  # ships no type hints

    document = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    record(
        actor=user,
        action=AuditAction.EXPORT,
        patient=session.patient,
        obj=record_form or session,
        flagged=_via_break_glass(session),
        detail={
            "what": "rems_form_pdf",
            "session": session.pk,
            **break_glass_detail(session.patient),
        },
    )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rems-monitoring-{session.pk}.pdf"'
    return response
