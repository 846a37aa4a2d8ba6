"""The staff calendar: "Today", day and week views, booking, moving and status steps.

Reads go through kapclinic/scheduling/access.py (a user sees only the appointments
their role and sites allow; anything else is a 404), writes through the audited
actions (the `actions` package). A refused step shows the action's reason and changes nothing.
Times are shown in the site's time zone; a day is the site's local day, so a week
across a daylight-saving change still has seven whole days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kapclinic.accounts.access import current_user, safe_next_url
from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site
from kapclinic.patients.access import ROSTER_ROLES, visible_patients
from kapclinic.patients.models import Patient
from kapclinic.patients.search import search_patients
from kapclinic.scheduling import actions
from kapclinic.scheduling.access import get_appointment_for_user, visible_appointments
from kapclinic.scheduling.calendar import find_slots
from kapclinic.scheduling.forms import (
    CalendarFilterForm,
    ReasonForm,
    SlotForm,
    SlotSearchForm,
    pick_type,
    slot_choices,
)
from kapclinic.scheduling.forms import wall_clock as _wall
from kapclinic.scheduling.models import Appointment, AppointmentStatus, AppointmentType
from kapclinic.scheduling.slots import range_bounds

S = AppointmentStatus
# The roles whose "Today" is the whole site's day; clinicians see their own.
SITE_DAY_ROLES = frozenset({Role.FRONT_DESK, Role.NURSE})
# Status steps offered as buttons, in the order a visit goes through them.
STEPS = (
    (S.CONFIRMED, "Confirm"),
    (S.CHECKED_IN, "Check in"),
    (S.IN_PROGRESS, "Start visit"),
    (S.COMPLETED, "Complete"),
    (S.NO_SHOW, "Mark no-show"),
)
MAX_PATIENT_MATCHES = 20


def calendar_user(request: HttpRequest) -> User:
    """Front desk and clinicians; everyone else gets a 404, as for the patient list."""
    user = current_user(request)
    if user.role not in ROSTER_ROLES:
        raise Http404("No calendar")
    return user


def _sites(user: User) -> QuerySet[Site]:
    return user.sites.filter(is_active=True).order_by("name")


@dataclass
class CalendarScope:
    form: CalendarFilterForm
    site: Site | None
    day: dt.date
    clinician: User | None
    chair_id: int | None


def _scope(request: HttpRequest, user: User, *, own_day: bool = False) -> CalendarScope:
    """The site, day and filters asked for, falling back to the user's first site and
    today there. Bad values are shown as form errors and the defaults are used."""
    sites = _sites(user)
    site_list = list(sites)
    wanted = request.GET.get("site", "")
    site = next((s for s in site_list if str(s.pk) == wanted), site_list[0] if site_list else None)
    if site is not None:
        today = timezone.now().astimezone(ZoneInfo(site.time_zone)).date()
    else:
        today = timezone.localdate()
    # The boxes show what is on screen: the day (so "Show" after changing only the
    # clinician keeps it) and, on a clinician's Today, that it is their own day.
    mine = own_day and user.role not in SITE_DAY_ROLES
    query = request.GET.copy()
    if request.GET and not query.get("date"):
        query["date"] = today.isoformat()
    if request.GET and mine and not query.get("clinician"):
        query["clinician"] = str(user.pk)
    initial = {"site": site, "date": today, "clinician": user if mine else None}
    form = CalendarFilterForm(query or None, sites=sites, site=site, initial=initial)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    clinician = data.get("clinician")
    if mine and clinician is None:
        clinician = user
    chair = data.get("chair")
    return CalendarScope(
        form, site, data.get("date") or today, clinician, chair.pk if chair else None
    )


def _appointments(
    user: User, scope: CalendarScope, first: dt.date, last: dt.date
) -> list[Appointment]:
    """The visible appointments at the scope's site from `first` to `last` (local
    days), in one query however many there are."""
    if scope.site is None:
        return []
    lower, upper = range_bounds(scope.site.time_zone, first, last)
    found = visible_appointments(user).filter(site=scope.site, start__gte=lower, start__lt=upper)
    if scope.clinician is not None:
        found = found.filter(clinician=scope.clinician)
    if scope.chair_id is not None:
        found = found.filter(chair=scope.chair_id)
    related = ("patient", "appointment_type", "clinician", "room", "chair__room")
    return list(found.select_related(*related).order_by("start", "pk"))


def _local(appointments: list[Appointment], site: Site | None) -> list[Appointment]:
    if site is None:
        return appointments
    zone = ZoneInfo(site.time_zone)
    for appointment in appointments:
        appointment.local_start = _wall(appointment.start, zone)  # type: ignore[attr-defined]
        appointment.local_end = _wall(appointment.end, zone)  # type: ignore[attr-defined]
    return appointments


def _audit_list(user: User, scope: CalendarScope, first: dt.date, last: dt.date, n: int) -> None:
    """A calendar lists patients' names, so it is audited like the patient list:
    which site and days, and how many appointments, never who."""
    record(
        actor=user,
        action=AuditAction.LIST,
        object_type="scheduling.appointment",
        detail={
            "site": scope.site.pk if scope.site else None,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "clinician": scope.clinician.pk if scope.clinician else None,
            "chair": scope.chair_id,
            "count": n,
        },
    )


def _audit_view(user: User, appointment: Appointment, page: str) -> None:
    record(
        actor=user,
        action=AuditAction.VIEW,
        patient=appointment.patient,
        obj=appointment,
        detail={"page": page},
    )


def _query(scope: CalendarScope, day: dt.date) -> str:
    parts = [f"date={day.isoformat()}"]
    if scope.site is not None:
        parts.append(f"site={scope.site.pk}")
    if scope.clinician is not None:
        parts.append(f"clinician={scope.clinician.pk}")
    if scope.chair_id is not None:
        parts.append(f"chair={scope.chair_id}")
    return "&".join(parts)


def _day_page(request: HttpRequest, *, today_page: bool) -> HttpResponse:
    user = calendar_user(request)
    scope = _scope(request, user, own_day=today_page)
    appointments = _local(_appointments(user, scope, scope.day, scope.day), scope.site)
    _audit_list(user, scope, scope.day, scope.day, len(appointments))
    context = {
        "scope": scope,
        "appointments": appointments,
        "today_page": today_page,
        "steps": STEPS,
        "previous": _query(scope, scope.day - dt.timedelta(days=1)),
        "next": _query(scope, scope.day + dt.timedelta(days=1)),
        "week_query": _query(scope, scope.day),
        "here": request.get_full_path(),
    }
    return render(request, "scheduling/day.html", context)


def _all_sites_today(request: HttpRequest, user: User, sites: list[Site]) -> HttpResponse:
    """A clinician's own visits today at every site they work at, each in its site's
    time and local day, in one query, the site named on each."""
    now = timezone.now()
    days = Q()
    for site in sites:
        local_today = now.astimezone(ZoneInfo(site.time_zone)).date()
        lower, upper = range_bounds(site.time_zone, local_today, local_today)
        days |= Q(site=site, start__gte=lower, start__lt=upper)
    related = ("patient", "appointment_type", "clinician", "room", "chair__room", "site")
    appointments = list(
        visible_appointments(user)
        .filter(days, clinician=user)
        .select_related(*related)
        .order_by("start", "pk")
    )
    for appointment in appointments:
        _local([appointment], appointment.site)
    record(
        actor=user,
        action=AuditAction.LIST,
        object_type="scheduling.appointment",
        detail={
            "sites": [site.pk for site in sites],
            "today": True,
            "clinician": user.pk,
            "count": len(appointments),
        },
    )
    context = {
        "appointments": appointments,
        "sites": sites,
        "all_sites": True,
        "today_page": True,
        "steps": STEPS,
        "here": request.get_full_path(),
    }
    return render(request, "scheduling/day.html", context)


@require_GET
def today(request: HttpRequest) -> HttpResponse:
    """The landing page for front desk and nurses (the site's day) and clinicians
    (their own day; across all their sites unless they pick one)."""
    user = calendar_user(request)
    if user.role not in SITE_DAY_ROLES and not request.GET:
        sites = list(_sites(user))
        if len(sites) > 1:
            return _all_sites_today(request, user, sites)
    return _day_page(request, today_page=True)


@require_GET
def day(request: HttpRequest) -> HttpResponse:
    return _day_page(request, today_page=False)


@require_GET
def week(request: HttpRequest) -> HttpResponse:
    """Monday to Sunday around the chosen day; on a phone the days stack as a list."""
    user = calendar_user(request)
    scope = _scope(request, user)
    monday = scope.day - dt.timedelta(days=scope.day.weekday())
    sunday = monday + dt.timedelta(days=6)
    appointments = _local(_appointments(user, scope, monday, sunday), scope.site)
    _audit_list(user, scope, monday, sunday, len(appointments))
    days: list[tuple[dt.date, list[Appointment]]] = [
        (monday + dt.timedelta(days=n), []) for n in range(7)
    ]
    for appointment in appointments:
        local_day = appointment.local_start.date()  # type: ignore[attr-defined]
        days[(local_day - monday).days][1].append(appointment)
    context = {
        "scope": scope,
        "days": [(d, items, _query(scope, d)) for d, items in days],
        "previous": _query(scope, monday - dt.timedelta(days=7)),
        "next": _query(scope, monday + dt.timedelta(days=7)),
        "here": request.get_full_path(),
    }
    return render(request, "scheduling/week.html", context)


def _get(request: HttpRequest, pk: int) -> tuple[User, Appointment]:
    user = calendar_user(request)
    appointment = get_appointment_for_user(user, pk)
    return user, appointment


@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, appointment = _get(request, pk)
    _local([appointment], appointment.site)
    _audit_view(user, appointment, "appointment")
    steps = [(to, label) for to, label in STEPS if appointment.status in actions.TRANSITIONS[to]]
    zone = ZoneInfo(appointment.site.time_zone)
    changes = list(appointment.changes.select_related("by"))
    for change in changes:
        change.local_at = _wall(change.at, zone)  # type: ignore[attr-defined]
        change.local_from = _wall(change.from_start, zone)  # type: ignore[attr-defined]
        change.local_to = _wall(change.to_start, zone)  # type: ignore[attr-defined]
    context = {
        "appointment": appointment,
        "changes": changes,
        "steps": steps,
        "can_cancel": appointment.status in actions.TRANSITIONS[S.CANCELLED],
        "can_move": appointment.status in actions.RESCHEDULABLE,
        "cancel_form": ReasonForm(),
        "here": request.get_full_path(),
        "dosing_session_id": _dosing_session_id(user, appointment),
    }
    return render(request, "scheduling/appointment.html", context)


def _dosing_session_id(user: User, appointment: Appointment) -> int | None:
    """The dosing session held in this visit, for a clinician to open from it: the
    nurse reaches a dosing visit from Today, and its record is the session's page
    (which applies its own access rules). Read through the reverse link, so the
    calendar does not import the dosing app above it."""
    if user.role not in (Role.NURSE, Role.PRESCRIBER, Role.THERAPIST):
        return None
    try:
        return int(appointment.dosing_session.pk)
    except ObjectDoesNotExist:
        return None


@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One status step (confirm, check in, start, complete, no-show, cancel)."""
    user, appointment = _get(request, pk)
    to = request.POST.get("to", "")
    back = safe_next_url(request) or reverse("scheduling:appointment", args=[pk])
    try:
        actions.change_status(
            actor=user, appointment=appointment, to=to, reason=request.POST.get("reason", "")
        )
    except actions.SchedulingError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"{appointment.patient.display_name}: {S(to).label.lower()}.")
    return redirect(back)


def _slots(kind: AppointmentType, on: dt.date) -> list[dict[str, Any]]:
    return slot_choices(find_slots(kind, on, on, now=timezone.now()))


def _staff_types(user: User) -> QuerySet[AppointmentType]:
    return (
        AppointmentType.objects.filter(site__in=_sites(user), is_active=True)
        .select_related("site")
        .order_by("site__name", "name")
    )


@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick a new slot for an appointment; a slot taken meanwhile is a clear message."""
    user, appointment = _get(request, pk)
    _local([appointment], appointment.site)
    if request.method == "POST":
        form = SlotForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                moved = actions.reschedule_appointment(
                    actor=user,
                    appointment=appointment,
                    start=data["start"],
                    clinician=data["clinician"],
                    room=data["room"],
                    chair=data["chair"],
                )
            except actions.SchedulingError as refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, "The appointment is moved.")
                # Back to the week the visit is now in, at its site.
                new_day = moved.start.astimezone(ZoneInfo(moved.site.time_zone)).date()
                week_url = f"{reverse('scheduling:week')}?site={moved.site_id}&date={new_day}"
                return redirect(safe_next_url(request) or week_url)
        else:
            messages.error(request, "Pick a time from the list.")
    _audit_view(user, appointment, "move")
    local_day = appointment.local_start.date()  # type: ignore[attr-defined]
    search = SlotSearchForm(
        request.GET or None,
        types=AppointmentType.objects.filter(pk=appointment.appointment_type_id),
        initial={"type": appointment.appointment_type_id, "date": local_day},
    )
    on = search.cleaned_data["date"] if search.is_valid() else local_day
    context = {
        "appointment": appointment,
        "search": search,
        "on": on,
        "slots": _slots(appointment.appointment_type, on),
        "next_url": safe_next_url(request),
    }
    return render(request, "scheduling/move.html", context)


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """Find a patient the user may see, then a kind of visit, a day and a slot."""
    user = calendar_user(request)
    patients = visible_patients(user).select_related("site")
    patient: Patient | None = None
    wanted = request.POST.get("patient") or request.GET.get("patient") or ""
    if wanted.isdigit() and len(wanted) <= 9:
        patient = patients.filter(pk=int(wanted)).first()
    query = request.GET.get("q", "").strip()[:100]
    matches = list(search_patients(patients, query)[:MAX_PATIENT_MATCHES]) if query else []
    if query:
        # As on the patient list: the search text may be a name, so only that one ran.
        record(
            actor=user,
            action=AuditAction.LIST,
            object_type="patients.patient",
            detail={"filters": ["q"], "page": "book"},
        )
    if patient is not None and request.method == "GET":
        record(
            actor=user,
            action=AuditAction.VIEW,
            patient=patient,
            obj=patient,
            detail={"page": "book"},
        )
    types = _staff_types(user)
    # The day box starts on today at the patient's site, not empty.
    start_day = (
        {"date": timezone.now().astimezone(ZoneInfo(patient.site.time_zone)).date()}
        if patient is not None
        else None
    )
    search = SlotSearchForm(
        request.GET if "type" in request.GET else None, types=types, initial=start_day
    )
    if request.method == "POST" and patient is not None:
        form = SlotForm(request.POST)
        type_id = request.POST.get("type", "")
        kind = pick_type(types, type_id)
        if form.is_valid() and kind is not None:
            data = form.cleaned_data
            try:
                booked = actions.book_appointment(
                    actor=user,
                    patient=patient,
                    appointment_type=kind,
                    start=data["start"],
                    clinician=data["clinician"],
                    room=data["room"],
                    chair=data["chair"],
                )
            except actions.SchedulingError as refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, f"Booked for {patient.display_name}.")
                return redirect("scheduling:appointment", pk=booked.pk)
        else:
            messages.error(request, "Pick a kind of visit and a time from the list.")
    slots: list[dict[str, Any]] = []
    kind = None
    if patient is not None and search.is_valid():
        kind = search.cleaned_data["type"]
        slots = _slots(kind, search.cleaned_data["date"])
    context = {
        "patient": patient,
        "query": query,
        "matches": matches,
        "search": search,
        "kind": kind,
        "slots": slots,
    }
    return render(request, "scheduling/book.html", context)
