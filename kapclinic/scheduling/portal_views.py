"""The patient's own appointments: upcoming and past, booking what their pathway
stage allows, and moving or cancelling outside the site's change window.

Every view starts with `get_own_patient` (404 for anyone but a patient with a
record) and renders through `render_patient_page`, which audits the read. The
change window and stage rules live in the actions package and stage.py, so the API and
these pages refuse the same things with the same words.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kapclinic.accounts.access import current_user
from kapclinic.patients.access import get_own_patient
from kapclinic.patients.models import Patient
from kapclinic.patients.page_audit import render_patient_page
from kapclinic.scheduling import actions
from kapclinic.scheduling.calendar import find_slots
from kapclinic.scheduling.forms import (
    MoveForm,
    ReasonForm,
    SlotForm,
    SlotSearchForm,
    pick_type,
    slot_choices,
)
from kapclinic.scheduling.forms import wall_clock as _wall
from kapclinic.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentType
from kapclinic.scheduling.stage import booking_allowed


def _own_appointments(patient: Patient) -> QuerySet[Appointment]:
    return Appointment.objects.filter(patient=patient).select_related(
        "appointment_type", "site", "clinician", "room"
    )


def _with_local_times(appointments: list[Appointment]) -> list[Appointment]:
    for appointment in appointments:
        zone = ZoneInfo(appointment.site.time_zone)
        appointment.local_start = _wall(appointment.start, zone)  # type: ignore[attr-defined]
        appointment.local_end = _wall(appointment.end, zone)  # type: ignore[attr-defined]
    return appointments


def _own_appointment(request: HttpRequest, pk: int) -> tuple[Patient, Appointment]:
    patient = get_own_patient(request)
    appointment = _own_appointments(patient).filter(pk=pk).first()
    if appointment is None:
        raise Http404("No such appointment")
    _with_local_times([appointment])
    return patient, appointment


def bookable_types(patient: Patient) -> list[AppointmentType]:
    """The kinds of visit the patient may book themselves at their site now."""
    types = AppointmentType.objects.filter(
        site=patient.site_id, is_active=True, patient_bookable=True
    ).order_by("name")
    return [t for t in types if booking_allowed(patient, t)]


@require_GET
def appointments(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    now = timezone.now()
    found = _own_appointments(patient)
    upcoming = _with_local_times(
        list(found.filter(end__gte=now, status__in=ACTIVE_STATUSES).order_by("start"))
    )
    past = _with_local_times(
        list(found.exclude(pk__in=[a.pk for a in upcoming]).order_by("-start")[:50])
    )
    context = {
        "patient": patient,
        "upcoming": upcoming,
        "past": past,
        "can_book": bool(bookable_types(patient)),
    }
    return render_patient_page(
        request, patient, "scheduling/portal_list.html", context, page="portal_appointments"
    )


def _slot_from(form: SlotForm) -> dict[str, object]:
    data = form.cleaned_data
    return {
        "start": data["start"],
        "clinician": data["clinician"],
        "room": data["room"],
        "chair": data["chair"],
    }


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """Choose a kind of visit the stage allows, a day and a slot."""
    patient = get_own_patient(request)
    types = bookable_types(patient)
    allowed = AppointmentType.objects.filter(pk__in=[t.pk for t in types]).order_by("name")
    if request.method == "POST":
        form = SlotForm(request.POST)
        type_id = request.POST.get("type", "")
        kind = pick_type(allowed, type_id)
        if form.is_valid() and kind is not None:
            try:
                actions.book_appointment(
                    actor=current_user(request),
                    patient=patient,
                    appointment_type=kind,
                    **_slot_from(form),  # type: ignore[arg-type]
                )
            except actions.SchedulingError as refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, "Your visit is booked.")
                return redirect("scheduling:portal")
        else:
            messages.error(request, "Pick a kind of visit and a time from the list.")
    search = SlotSearchForm(request.GET if "type" in request.GET else None, types=allowed)
    slots: list[dict[str, object]] = []
    kind = None
    if search.is_valid():
        kind = search.cleaned_data["type"]
        on: dt.date = search.cleaned_data["date"]
        slots = slot_choices(find_slots(kind, on, on, now=timezone.now()))
    context = {"patient": patient, "search": search, "kind": kind, "slots": slots, "types": types}
    return render_patient_page(
        request, patient, "scheduling/portal_book.html", context, page="portal_book"
    )


@require_http_methods(["GET", "POST"])
def appointment(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the patient's visits: details, and moving it while the window allows."""
    patient, found = _own_appointment(request, pk)
    user = current_user(request)
    hours = actions.change_window_hours(found.site_id)
    changeable = found.status in actions.RESCHEDULABLE
    in_time = actions.patient_may_change(found, now=timezone.now(), hours=hours)
    # Moving takes two steps: a free time is picked from the list, then the patient
    # says why (the clinic sees the reason on the visit's history) and confirms.
    move_form: MoveForm | None = None
    move_to: dt.datetime | None = None
    if request.method == "POST":
        form = MoveForm(request.POST)
        if form.is_valid():
            try:
                actions.reschedule_appointment(
                    actor=user,
                    appointment=found,
                    reason=form.cleaned_data["reason"],
                    **_slot_from(form),  # type: ignore[arg-type]
                )
            except actions.SchedulingError as refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, "Your visit is moved.")
                return redirect("scheduling:portal")
        elif set(form.errors) == {"reason"}:
            move_to = _wall(form.cleaned_data["start"], ZoneInfo(found.site.time_zone))
            if "reason" in request.POST:
                move_form = form
            else:
                slot = {k: request.POST.get(k, "") for k in ("start", "clinician", "room", "chair")}
                move_form = MoveForm(initial=slot)
        else:
            messages.error(request, "Pick a time from the list.")
    local_day = found.local_start.date()  # type: ignore[attr-defined]
    search = SlotSearchForm(
        request.GET or None,
        types=AppointmentType.objects.filter(pk=found.appointment_type_id),
        initial={"type": found.appointment_type_id, "date": local_day},
    )
    slots: list[dict[str, object]] = []
    on = local_day
    if changeable and in_time:
        on = search.cleaned_data["date"] if search.is_valid() else local_day
        slots = slot_choices(find_slots(found.appointment_type, on, on, now=timezone.now()))
    context = {
        "patient": patient,
        "appointment": found,
        "hours": hours,
        "changeable": changeable,
        "in_time": in_time,
        "search": search,
        "on": on,
        "slots": slots,
        "cancel_form": ReasonForm(),
        "move_form": move_form,
        "move_to": move_to,
    }
    return render_patient_page(
        request, patient, "scheduling/portal_appointment.html", context, page="portal_appointment"
    )


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _, found = _own_appointment(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for cancelling.")
        return redirect("scheduling:portal_appointment", pk=pk)
    try:
        actions.cancel(
            actor=current_user(request), appointment=found, reason=form.cleaned_data["reason"]
        )
    except actions.SchedulingError as refused:
        messages.error(request, refused.message)
        return redirect("scheduling:portal_appointment", pk=pk)
    messages.success(request, "Your visit is cancelled.")
    return redirect("scheduling:portal")
