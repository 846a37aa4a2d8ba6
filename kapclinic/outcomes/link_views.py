"""The questionnaire a patient opens from an e-mailed or texted link, no password.

The signed token is the only authority (`outcomes/links.py`): it opens one open
assignment and shows that questionnaire alone, without the patient's name, earlier
answers or any other record (a link can be forwarded, or opened on a shared
device). An expired or garbled link gets a friendly page pointing to the portal;
an answered one only says so. The thank-you comes back in the POST's own response,
so reopening the link never shows what was answered. Every read and write is
audited in the patient's name, marked as through a link.

Many patients never open a portal account, so the link needs none: the answer is
stored in the patient's name, with their portal account as the one who entered it
when they have an active one, and no user otherwise.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes import actions
from kapclinic.outcomes.access import is_patient_rated
from kapclinic.outcomes.forms import QuestionnaireForm, field_name
from kapclinic.outcomes.links import LINK_HOURS, read_token
from kapclinic.outcomes.models import QuestionnaireAssignment


@login_not_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    assignment_id = read_token(token)
    assignment = (
        QuestionnaireAssignment.objects.select_related("patient__site", "patient__user")
        .filter(pk=assignment_id)
        .first()
        if assignment_id is not None
        else None
    )
    patient = assignment.patient if assignment is not None else None
    if (
        assignment is None
        or patient is None
        or not patient.is_active
        or not is_patient_rated(assignment.instrument)
    ):
        return render(request, "outcomes/link_expired.html", {"hours": LINK_HOURS})
    account = patient.user
    user = account if account is not None and account.is_active else None
    if assignment.completed_at is not None:
        return render(request, "outcomes/link_answered.html")
    if assignment.expires_at <= timezone.now():
        return render(request, "outcomes/link_expired.html", {"hours": LINK_HOURS})
    initial = {field_name(int(n)): value for n, value in assignment.draft.items()}
    form = QuestionnaireForm(
        request.POST or None, instrument=assignment.instrument, initial=initial
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                response = actions.submit(
                    actor=user,
                    patient=patient,
                    instrument=assignment.instrument,
                    answers=form.answers,
                    assignment=assignment,
                    site_url=request.build_absolute_uri("/"),
                )
            except FieldValueError as error:
                form.add_error(None, f"{error.field}: {error.problem}.")
            else:
                context = {"site": patient.site, "at_risk": "suicide_risk" in response.flags}
                return render(request, "outcomes/link_thanks.html", context)
        partial = form.partial_answers()
        if partial:
            actions.save_draft(actor=user, assignment=assignment, answers=partial)
    record(
        actor=user,
        action=AuditAction.VIEW,
        patient=patient,
        obj=assignment,
        detail={"page": "questionnaire_link", "via": "link"},
    )
    context = {"form": form, "instrument": form.instrument}
    return render(request, "outcomes/link_answer.html", context)
