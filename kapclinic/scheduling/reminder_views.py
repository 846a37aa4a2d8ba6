"""Public pages reached from reminders and waitlist offers, without a password.

The signed link in the URL is the patient's authority (`reminder_links`); it names
one appointment and its start, and stops working when the visit starts or moves.
Each page shows when and where, never the patient's name (a link can be forwarded),
and every read and change is audited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.patients.access import get_own_patient, get_patient_for_staff
from kapclinic.patients.models import Patient
from kapclinic.scheduling import actions, feeds, waitlist
from kapclinic.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    CalendarFeed,
    WaitlistEntry,
)
from kapclinic.scheduling.reminder_links import REMINDER_SALT, read_offer_token, read_token
from kapclinic.scheduling.reminders import local_when, preparation

S = AppointmentStatus


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A few words help the clinic offer your time to someone else.",
    )


def _linked_appointment(token: str) -> Appointment | None:
    """The appointment a genuine, current reminder link names, or None."""
    link = read_token(token, salt=REMINDER_SALT, now=timezone.now())
    if link is None:
        return None
    appointment = (
        Appointment.objects.select_related("appointment_type", "site", "patient")
        .filter(pk=link.object_id)
        .first()
    )
    # A moved visit makes its old links void: they named the old time.
    if appointment is None or int(appointment.start.timestamp()) != int(link.start.timestamp()):
        return None
    return appointment


@login_not_required
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm or cancel an appointment from a reminder."""
    appointment = _linked_appointment(token)
    if appointment is None:
        return render(request, "scheduling/reminders/link_invalid.html")
    form = CancelForm()
    error = ""
    if request.method == "POST":
        choice = request.POST.get("action", "")
        try:
            if choice == "confirm":
                if appointment.status != S.CONFIRMED:
                    actions.change_status(actor=None, appointment=appointment, to=S.CONFIRMED)
                return redirect(request.path)
            if choice == "cancel":
                form = CancelForm(request.POST)
                if form.is_valid():
                    actions.change_status(
                        actor=None,
                        appointment=appointment,
                        to=S.CANCELLED,
                        reason=form.cleaned_data["reason"],
                    )
                    return redirect(request.path)
            else:
                error = "Please choose to confirm or to cancel."
        except actions.SchedulingError as refused:
            error = refused.message
    else:
        record(
            actor=None,
            action=AuditAction.VIEW,
            patient=appointment.patient,
            obj=appointment,
            detail={"via": "reminder link"},
        )
    context = {
        "appointment": appointment,
        "when": local_when(appointment),
        "preparation": preparation(appointment.appointment_type.code),
        "form": form,
        "error": error,
        "can_confirm": appointment.status == S.BOOKED,
        "can_cancel": appointment.status in (S.BOOKED, S.CONFIRMED),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "scheduling/reminders/respond.html", context, status=status)


def _staff_or_404(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_active or not user.is_clinic_staff:
        raise Http404("No such page")
    return user


@require_http_methods(["GET", "POST"])
def calendar_feeds(request: HttpRequest) -> HttpResponse:
    """A staff member's calendar feed links (make one, turn one off); a clinic admin
    sees everyone's, to turn off any."""
    user = _staff_or_404(request)
    new_link = ""
    error = ""
    if request.method == "POST":
        try:
            _feed, token = feeds.create_feed(actor=user)
        except feeds.FeedError as refused:
            error = refused.message
        else:
            path = reverse("reminders:calendar_feed", args=[token])
            new_link = settings.PUBLIC_BASE_URL + path
    live = CalendarFeed.objects.filter(revoked_at__isnull=True).select_related("user")
    if not user.is_clinic_admin:
        live = live.filter(user=user)
    context = {
        "feeds": list(live),
        "new_link": new_link,
        "error": error,
        "may_have_feed": feeds.may_have_feed(user),
    }
    return render(
        request,
        "scheduling/reminders/calendar_feeds.html",
        context,
        status=400 if error else 200,
    )


@require_POST
def revoke_calendar_feed(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_or_404(request)
    feed = CalendarFeed.objects.filter(pk=pk).first()
    # Someone else's feed is not found, unless a clinic admin asks.
    if feed is None or (feed.user_id != user.pk and not user.is_clinic_admin):
        raise Http404("No such calendar feed")
    feeds.revoke_feed(actor=user, feed=feed)
    return redirect("reminders:calendar_feeds")


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself, for calendar apps (no sign-in: the token is the key)."""
    feed = feeds.feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar feed")
    response = HttpResponse(
        feeds.build_feed(feed.user), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, token: str) -> HttpResponse:
    """Take a freed time offered from the waitlist: first to claim it books it."""
    offer = read_offer_token(token, now=timezone.now())
    entry = freed = None
    if offer is not None:
        entry = WaitlistEntry.objects.select_related("patient").filter(pk=offer.entry_id).first()
        freed = (
            Appointment.objects.select_related("appointment_type", "site")
            .filter(pk=offer.freed_id)
            .first()
        )
    if entry is None or freed is None:
        return render(request, "scheduling/reminders/link_invalid.html")
    context: dict[str, object] = {
        "freed": freed,
        "when": local_when(freed),
        "booked": entry.status == WaitlistEntry.Status.BOOKED,
        "error": "",
    }
    status = 200
    if request.method == "POST" and not context["booked"]:
        try:
            waitlist.claim_offer(entry=entry, freed=freed)
        except waitlist.WaitlistError as refused:
            context["error"] = refused.message
            status = 409
        else:
            return redirect(request.path)
    return render(request, "scheduling/reminders/claim.html", context, status=status)


class WaitlistForm(forms.Form):
    appointment_type = forms.ModelChoiceField(
        label="Kind of visit", queryset=AppointmentType.objects.none(), empty_label=None
    )
    earliest = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    latest = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, types: QuerySet[AppointmentType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["appointment_type"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = types


def _waitlist_page(request: HttpRequest, patient: Patient) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    types = AppointmentType.objects.filter(site=patient.site_id, is_active=True)
    if user.is_patient:
        types = types.filter(patient_bookable=True)
    form = WaitlistForm(types=types)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "leave":
                entry_pk = _int_or_none(request.POST.get("entry"))
                entry = (
                    None
                    if entry_pk is None
                    else WaitlistEntry.objects.filter(pk=entry_pk, patient=patient).first()
                )
                if entry is None:
                    raise Http404("No such waitlist entry")
                waitlist.leave_waitlist(actor=user, entry=entry)
                return redirect(request.path)
            form = WaitlistForm(request.POST, types=types)
            if form.is_valid():
                waitlist.join_waitlist(actor=user, patient=patient, **form.cleaned_data)
                return redirect(request.path)
        except waitlist.WaitlistError as refused:
            error = refused.message
    entries = WaitlistEntry.objects.filter(
        patient=patient, status=WaitlistEntry.Status.WAITING
    ).select_related("appointment_type")
    context = {
        "form": form,
        "error": error,
        "entries": list(entries),
        "for_patient": None if user.is_patient else patient,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "scheduling/reminders/waitlist.html", context, status=status)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@require_http_methods(["GET", "POST"])
def my_waitlist(request: HttpRequest) -> HttpResponse:
    """A patient's own waitlist places."""
    return _waitlist_page(request, get_own_patient(request))


@require_http_methods(["GET", "POST"])
def patient_waitlist(request: HttpRequest, pk: int) -> HttpResponse:
    """Front desk and clinicians put a patient on the waitlist."""
    return _waitlist_page(request, get_patient_for_staff(request, pk))
