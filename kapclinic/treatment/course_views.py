"""The course booking page: propose the rest of the signed plan's course, then book it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import User
from kapclinic.clinics.models import Chair, Room
from kapclinic.patients.models import Patient
from kapclinic.patients.page_audit import render_patient_page
from kapclinic.scheduling.models import AppointmentType
from kapclinic.treatment import course
from kapclinic.treatment.plan_actions import current_plan, local_today
from kapclinic.treatment.plan_forms import CourseForm
from kapclinic.treatment.plan_views import prescriber_patient

SALT = "kapclinic.treatment.course"
# A proposal is booked within the hour it was shown, or proposed again.
PROPOSAL_MAX_AGE = 3600


def _sign(plan_pk: int, visits: list[course.Visit]) -> str:
    return signing.dumps({"plan": plan_pk, "visits": [v.as_dict() for v in visits]}, salt=SALT)


def _unsign(token: str, plan_pk: int) -> list[course.Visit] | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=PROPOSAL_MAX_AGE)
        if data.get("plan") != plan_pk:
            return None
        return [course.Visit(**item) for item in data["visits"]]
    except (signing.BadSignature, KeyError, TypeError, AttributeError):
        return None


def _rows(patient: Patient, visits: list[course.Visit]) -> list[dict[str, Any]]:
    """The proposal in the words of the page, with names for the ids (four queries)."""
    people = dict(
        User.objects.filter(pk__in={v.clinician for v in visits}).values_list("pk", "full_name")
    )
    chairs = dict(
        Chair.objects.filter(pk__in={v.chair for v in visits if v.chair}).values_list("pk", "name")
    )
    rooms = dict(
        Room.objects.filter(pk__in={v.room for v in visits if v.room}).values_list("pk", "name")
    )
    names = dict(
        AppointmentType.objects.filter(pk__in={v.type_id for v in visits}).values_list("pk", "name")
    )
    tz = patient.site.time_zone
    return [
        {
            "visit": visit,
            "label": course.describe(visit, tz),
            "type": names.get(visit.type_id, ""),
            "clinician": people.get(visit.clinician, ""),
            "place": chairs.get(visit.chair or 0) or rooms.get(visit.room or 0) or "",
        }
        for visit in visits
    ]


@require_http_methods(["GET", "POST"])
def course_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET without a date: choose where to start. GET with `start_on`: the proposal.
    POST: book the proposal shown (all or nothing)."""
    patient = prescriber_patient(request, pk)
    user = current_user(request)
    plan = current_plan(patient)
    today = local_today(patient)
    context: dict[str, Any] = {"patient": patient, "plan": plan, "rows": [], "token": ""}
    if plan is None or not plan.is_current_on(today):
        context["problem"] = "There is no signed plan in force to book a course for."
        return render_patient_page(
            request, patient, "treatment/course.html", context, page="course"
        )
    source = request.POST if request.method == "POST" else request.GET
    form = CourseForm(source if "start_on" in source else None, today=today)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        visits = _unsign(str(request.POST.get("proposal", "")), plan.pk)
        if visits is None:
            form.add_error(None, "This proposal is out of date; here is a new one to check.")
        else:
            try:
                rows = course.book_course(plan, actor=user, visits=visits, now=timezone.now())
            except course.CourseError as error:
                form.add_error(None, f"{error} Here is a new proposal to check.")
            else:
                messages.success(request, f"Course booked: {len(rows)} visits.")
                return redirect("treatment:plan", pk=patient.pk)
    if form.is_bound and form.is_valid():
        start_on: dt.date = form.cleaned_data["start_on"]
        try:
            proposal = course.propose_course(plan, start_on=start_on, now=timezone.now())
        except course.CourseError as error:
            context["problem"] = str(error)
        else:
            context.update(
                proposal=proposal,
                rows=_rows(patient, proposal.visits),
                token=_sign(plan.pk, proposal.visits) if proposal.visits else "",
            )
    return render_patient_page(request, patient, "treatment/course.html", context, page="course")
