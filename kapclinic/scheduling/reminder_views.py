"""Public pages reached from reminders and waitlist offers, without a password.

The signed link in the URL is the patient's authority (`reminder_links`); it names
one appointment and its start, and stops working when the visit starts or moves.
Each page shows when and where, never the patient's name (a link can be forwarded),
and every read and change is audited.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.scheduling import actions
from kapclinic.scheduling.models import Appointment, AppointmentStatus
from kapclinic.scheduling.reminder_links import REMINDER_SALT, read_token
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
