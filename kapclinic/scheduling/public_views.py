"""The public "Book an appointment" page and the pages of the e-mailed manage link.

No sign-in is needed. URLs carry no personal details: the search form carries a
visit type, clinician and date; the manage pages carry a signed token holding only
the appointment's id (manage_links.py). Posts are rate-limited per IP address and
per e-mail in the database (ratelimit.py), so the limits hold across processes, and
the answer after booking is the same whether or not the e-mail is known to us.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.middleware import client_ip
from kapclinic.audit.models import AuditAction
from kapclinic.patients.access import ROSTER_ROLES, get_own_patient
from kapclinic.patients.merge import MergeRefused
from kapclinic.patients.models import Patient
from kapclinic.scheduling import actions, matches
from kapclinic.scheduling.calendar import find_slots
from kapclinic.scheduling.ical import appointment_ics
from kapclinic.scheduling.manage_links import LinkRefused, appointment_for, make_token
from kapclinic.scheduling.matches import bookings_to_check
from kapclinic.scheduling.models import Appointment, AppointmentType
from kapclinic.scheduling.public_forms import (
    SEARCH_DAYS,
    CancelForm,
    DateForm,
    DetailsForm,
    RescheduleForm,
    SearchForm,
    SlotForm,
    slot_value,
)
from kapclinic.scheduling.ratelimit import Limit, hit
from kapclinic.scheduling.slots import Slot

log = logging.getLogger(__name__)

PER_IP = Limit("book-ip", 20, dt.timedelta(hours=1))
PER_EMAIL = Limit("book-email", 5, dt.timedelta(days=1))
MANAGE_PER_IP = Limit("manage-ip", 60, dt.timedelta(hours=1))
TOO_MANY = (
    "Too many bookings were tried from here in a short time. Please wait an hour "
    "and try again, or call the clinic."
)


def _ip(request: HttpRequest) -> str:
    # The same client address the audit trail records (proxy-aware when configured),
    # so a clinic behind a TLS proxy does not share one limit across all visitors.
    return client_ip(request) or "unknown"


def _signed_in_patient(request: HttpRequest) -> Patient | None:
    try:
        return get_own_patient(request)
    except Http404:
        return None


def _slots(kind: AppointmentType, first: dt.date, clinician: int | None) -> list[Slot]:
    last = first + dt.timedelta(days=SEARCH_DAYS - 1)
    return find_slots(kind, first, last, now=timezone.now(), clinician=clinician)


def _slot_groups(slots: list[Slot]) -> list[tuple[dt.date, list[tuple[str, Slot]]]]:
    """Slots by local day, each with its form value, for the radio groups."""
    groups: dict[dt.date, list[tuple[str, Slot]]] = {}
    for slot in slots:
        groups.setdefault(slot.start.date(), []).append((slot_value(slot), slot))
    return list(groups.items())


def _send_booking_email(request: HttpRequest, appointment: Appointment, subject: str) -> None:
    """The details in the site's time, the .ics, and the manage link; after commit."""
    link = request.build_absolute_uri(reverse("book:manage", args=[make_token(appointment)]))
    tz = ZoneInfo(appointment.site.time_zone)
    body = render_to_string(
        "scheduling/public/email.txt",
        {
            "appointment": appointment,
            "start": appointment.start.astimezone(tz),
            "end": appointment.end.astimezone(tz),
            "link": link,
            "SITE_NAME": settings.SITE_NAME,
        },
    )
    message = EmailMessage(subject, body, to=[appointment.patient.email])
    message.attach("appointment.ics", appointment_ics(appointment), "text/calendar")
    transaction.on_commit(lambda: _send_quietly(message))


def _send_quietly(message: EmailMessage) -> None:
    """The booking stands even if the mail server is down: front desk can resend or
    call. The log names the kind of failure only, never the address."""
    try:
        message.send()
    except Exception as error:  # any mail failure is handled the same way
        log.error("booking e-mail not sent (%s)", type(error).__name__)


@login_not_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """Choose a visit and a time, give your details and pre-screen answers, confirm."""
    patient = _signed_in_patient(request)
    data = request.POST if request.method == "POST" else (request.GET or None)
    search = SearchForm(data, patient=patient)
    details: DetailsForm | SlotForm | None = None
    slots: list[Slot] = []
    taken = ""
    if search.is_valid():
        kind: AppointmentType = search.cleaned_data["service"]
        clinician = search.cleaned_data["clinician"]
        first = search.first_day()
        form_class = SlotForm if patient else DetailsForm
        details = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and details.is_valid():
            outcome = _try_booking(request, kind, details, patient)
            if isinstance(outcome, HttpResponse):
                return outcome
            taken = outcome
            if taken:
                first = details.cleaned_data["slot"][0].astimezone(ZoneInfo(kind.site.time_zone))
                first = first.date()
        slots = _slots(kind, first, clinician)
    context = {
        "search": search,
        "form": details,
        "slot_groups": _slot_groups(slots),
        "taken": taken,
        "patient": patient,
        "searched": search.is_bound and search.is_valid(),
        "login_url": reverse("accounts:login") + "?" + urlencode({"next": reverse("book:book")}),
    }
    template = "scheduling/public/_slots.html" if request.headers.get("HX-Request") else None
    return render(request, template or "scheduling/public/book.html", context)


def _try_booking(
    request: HttpRequest,
    kind: AppointmentType,
    form: DetailsForm | SlotForm,
    patient: Patient | None,
) -> HttpResponse | str:
    """Book, or say why not: an error on the form, or the kind "taken" message."""
    start, clinician, room, chair = form.cleaned_data["slot"]
    if isinstance(form, DetailsForm) and form.cleaned_data.get("website"):
        # A bot filled the hidden field: answer as if booked, book nothing.
        log.info("public booking honeypot filled")
        return redirect("book:sent")
    email = form.cleaned_data.get("email") or (patient.email if patient else "")
    if not hit(PER_IP, _ip(request)) or (email and not hit(PER_EMAIL, email)):
        form.add_error(None, TOO_MANY)
        return ""
    try:
        if patient is not None:
            appointment = actions.book_appointment(
                actor=request.user,  # type: ignore[arg-type]
                patient=patient,
                appointment_type=kind,
                start=start,
                clinician=clinician,
                room=room,
                chair=chair,
            )
        else:
            assert isinstance(form, DetailsForm)
            appointment = actions.book_from_public_page(
                appointment_type=kind,
                start=start,
                clinician=clinician,
                room=room,
                chair=chair,
                details=form.details(),
                reason=form.cleaned_data["reason"],
                prescreen=form.prescreen(),
            )
    except actions.SlotUnavailable:
        return "Sorry, someone else has just booked that time. Here are the next free times."
    except actions.SchedulingError as error:
        form.add_error(None, error.message)
        return ""
    if appointment.patient.email:
        _send_booking_email(request, appointment, f"Your appointment: {kind.name}")
    return redirect("book:sent")


@login_not_required
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "scheduling/public/sent.html")


def _refused(request: HttpRequest, error: LinkRefused) -> HttpResponse:
    return render(
        request, "scheduling/public/link_refused.html", {"message": error.message}, status=404
    )


def _manage_context(appointment: Appointment, token: str, **extra: Any) -> dict[str, Any]:
    tz = ZoneInfo(appointment.site.time_zone)
    window = actions.change_window(appointment)
    return {
        "appointment": appointment,
        "start": appointment.start.astimezone(tz),
        "end": appointment.end.astimezone(tz),
        "token": token,
        "can_change": appointment.status in actions.RESCHEDULABLE
        and appointment.start - timezone.now() >= window,
        "change_hours": int(window.total_seconds() // 3600),
        **extra,
    }


@login_not_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The appointment the link names; posting confirms it (and the e-mail address)."""
    try:
        appointment = appointment_for(token)
    except LinkRefused as error:
        return _refused(request, error)
    if request.method == "POST":
        if not hit(MANAGE_PER_IP, _ip(request)):
            return render(
                request, "scheduling/public/link_refused.html", {"message": TOO_MANY}, status=429
            )
        actions.confirm_by_link(appointment=appointment)
        # Said in words: the only other sign was a small badge changing colour.
        messages.success(request, "Thank you: your visit is confirmed. See you then.")
        return redirect("book:manage", token=token)
    return render(request, "scheduling/public/manage.html", _manage_context(appointment, token))


@login_not_required
@require_GET
def manage_ics(request: HttpRequest, token: str) -> HttpResponse:
    try:
        appointment = appointment_for(token)
    except LinkRefused as error:
        return _refused(request, error)
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    """Another time for the same kind of visit."""
    try:
        appointment = appointment_for(token)
    except LinkRefused as error:
        return _refused(request, error)
    kind = appointment.appointment_type
    tz = ZoneInfo(kind.site.time_zone)
    pick = DateForm(request.GET)
    first = timezone.now().astimezone(tz).date()
    if pick.is_valid() and pick.cleaned_data.get("date"):
        first = max(first, pick.cleaned_data["date"])
    form = RescheduleForm(request.POST if request.method == "POST" else None)
    taken = ""
    if request.method == "POST" and form.is_valid():
        start, clinician, room, chair = form.cleaned_data["slot"]
        if not hit(MANAGE_PER_IP, _ip(request)):
            form.add_error(None, TOO_MANY)
        else:
            try:
                moved = actions.reschedule_by_link(
                    appointment=appointment,
                    start=start,
                    clinician=clinician,
                    room=room,
                    chair=chair,
                    reason=form.cleaned_data["reason"],
                )
            except actions.SlotUnavailable:
                taken = "Sorry, that time has just been taken. Here are the next free times."
                first = max(first, start.astimezone(tz).date())
            except actions.SchedulingError as error:
                form.add_error(None, error.message)
            else:
                _send_booking_email(request, moved, f"Your appointment has moved: {kind.name}")
                return redirect("book:manage", token=token)
    slots = _slots(kind, first, None)
    slots = [s for s in slots if s.start != appointment.start]
    context = _manage_context(
        appointment, token, form=form, slot_groups=_slot_groups(slots), taken=taken, first=first
    )
    return render(request, "scheduling/public/reschedule.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel, with a reason."""
    try:
        appointment = appointment_for(token)
    except LinkRefused as error:
        return _refused(request, error)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not hit(MANAGE_PER_IP, _ip(request)):
            form.add_error(None, TOO_MANY)
        else:
            try:
                actions.cancel_by_link(appointment=appointment, reason=form.cleaned_data["reason"])
            except actions.SchedulingError as error:
                form.add_error(None, error.message)
            else:
                return redirect("book:manage", token=token)
    return render(
        request, "scheduling/public/cancel.html", _manage_context(appointment, token, form=form)
    )


def _roster_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.role not in ROSTER_ROLES:
        raise Http404("No such page")
    return user


@require_GET
def possible_matches(request: HttpRequest) -> HttpResponse:
    """Front desk's list of online bookings whose name and birth date match an existing
    patient: the same person perhaps, to merge by hand, never guessed."""
    user = _roster_user(request)
    bookings = (
        bookings_to_check(user)
        .select_related(
            "appointment__patient",
            "appointment__appointment_type",
            "appointment__site",
            "possible_match",
        )
        .order_by("-created_at")[:200]
    )
    rows = list(bookings)
    # A list of names is a read of those records: audited, by reference only.
    record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="scheduling.publicbooking",
        detail={"page": "possible_matches", "count": len(rows)},
    )
    context = {"bookings": rows, "may_decide": user.role == Role.FRONT_DESK}
    return render(request, "scheduling/public/matches.html", context)


@require_POST
def resolve_match(request: HttpRequest, pk: int) -> HttpResponse:
    """Front desk's decision on one booking: "merge" (the same person) or "dismiss"."""
    user = _roster_user(request)
    booking = bookings_to_check(user).filter(pk=pk).first()
    if booking is None:
        raise Http404("No such booking")
    decision = request.POST.get("decision", "")
    try:
        if decision == "merge":
            matches.merge_booking_match(actor=user, booking=booking)
            messages.success(request, "The records are merged into one.")
        elif decision == "dismiss":
            matches.dismiss_booking_match(actor=user, booking=booking)
            messages.success(request, "Noted: not the same person. Both records stay.")
        else:
            messages.error(request, "Choose whether they are the same person.")
    except MergeRefused as refused:
        messages.error(request, refused.message)
    return redirect("book:possible_matches")
