"""The staff waitlist overview: who is waiting for which visit, since when, and what
they were offered; staff take an entry off the list with a reason.

Front desk see the entries at their sites, clinicians those of their patients
(access.visible_waitlist); everyone else gets a 404. The list is audited like the
calendar (how many entries, never who).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.scheduling import waitlist
from kapclinic.scheduling.access import visible_waitlist
from kapclinic.scheduling.forms import wall_clock
from kapclinic.scheduling.models import ACTIVE_STATUSES, Appointment, WaitlistEntry
from kapclinic.scheduling.views import calendar_user

W = WaitlistEntry.Status
# The overview lists the longest-waiting entries first; a clinic with more than
# this many people waiting has a bigger problem than paging.
SHOWN = 300


def _offer_states(entries: list[WaitlistEntry], now: dt.datetime) -> None:
    """Annotate each entry with its last offer, in the site's time, and whether that
    time is still free, taken by someone else, or past (one query for all)."""
    offered = [e.offered_appointment for e in entries if e.offered_appointment is not None]
    taken: set[tuple[int, dt.datetime]] = set()
    if offered:
        taken = set(
            Appointment.objects.filter(
                status__in=ACTIVE_STATUSES,
                clinician_id__in={a.clinician_id for a in offered},
                start__in={a.start for a in offered},
            ).values_list("clinician_id", "start")
        )
    for entry in entries:
        zone = ZoneInfo(entry.appointment_type.site.time_zone)
        entry.waiting_since = wall_clock(entry.created_at, zone)  # type: ignore[attr-defined]
        entry.days_waiting = (now - entry.created_at).days  # type: ignore[attr-defined]
        offer = entry.offered_appointment
        if offer is None:
            continue
        entry.offer_start = wall_clock(offer.start, zone)  # type: ignore[attr-defined]
        if offer.start <= now:
            state = "Time has passed"
        elif (offer.clinician_id, offer.start) in taken:
            state = "Taken by someone else"
        else:
            state = "Still free: link sent"
        entry.offer_state = state  # type: ignore[attr-defined]


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = calendar_user(request)
    now = timezone.now()
    entries = list(
        visible_waitlist(user)
        .filter(status=W.WAITING)
        .select_related("patient", "appointment_type__site", "clinician", "offered_appointment")
        .order_by("created_at", "id")[:SHOWN]
    )
    _offer_states(entries, now)
    record(
        actor=user,
        action=AuditAction.LIST,
        object_type="scheduling.waitlistentry",
        detail={"page": "waitlist", "count": len(entries)},
    )
    return render(request, "scheduling/waitlist.html", {"entries": entries, "shown": SHOWN})


@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one entry off the list; the reason is kept on the entry."""
    user = calendar_user(request)
    entry = visible_waitlist(user).select_related("patient", "appointment_type").filter(pk=pk)
    found = entry.first()
    if found is None:
        raise Http404("No such waitlist entry")
    try:
        waitlist.remove_from_waitlist(
            actor=user, entry=found, reason=request.POST.get("reason", "")[:1000]
        )
    except waitlist.WaitlistError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            f"{found.patient.display_name} is off the waitlist for {found.appointment_type.name}.",
        )
    return redirect("scheduling:waitlist")
