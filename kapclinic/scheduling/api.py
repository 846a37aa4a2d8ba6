"""The scheduling API: free slots, booking, listing, moving and cancelling appointments.

Reads go through the access layer (kapclinic/scheduling/access.py), writes through
the audited actions, whose refusals (`SchedulingError`) become JSON errors in
kapclinic/api.py: 400 for a request that cannot work, 403 for one the caller may
not make, 409 when the time is taken or the appointment's state does not allow it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import ValidationError

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site
from kapclinic.patients.access import get_patient_for_user
from kapclinic.patients.schemas import ErrorOut
from kapclinic.scheduling import actions
from kapclinic.scheduling.access import get_appointment_for_user, visible_appointments
from kapclinic.scheduling.calendar import find_slots
from kapclinic.scheduling.models import Appointment, AppointmentChange, AppointmentType
from kapclinic.scheduling.schemas import (
    ID_MAX,
    AppointmentIn,
    AppointmentListQuery,
    AppointmentOut,
    AppointmentPage,
    AppointmentPatch,
    AvailabilityQuery,
    SlotList,
    SlotOut,
)
from kapclinic.scheduling.slots import range_bounds

router = Router(tags=["scheduling"])

# 401 comes from the sign-in middleware (no session, no second factor, a bad token).
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _bad(field: str, message: str) -> ValidationError:
    """A 400 naming the parameter, through the API's one readable-error handler."""
    return ValidationError([{"loc": ("body", field), "msg": message}])


def _types(user: User, code: str) -> Any:
    """Active types with this code that `user` may look for (patients: self-bookable)."""
    found = AppointmentType.objects.filter(code=code, is_active=True, site__is_active=True)
    if not user.is_clinic_staff:
        found = found.filter(patient_bookable=True)
    return found.select_related("site__settings").order_by("site__name", "pk")


@router.get(
    "/availability",
    response={200: SlotList, **_ERRORS},
    url_name="availability",
    operation_id="listAvailability",
    summary="Free slots for one kind of visit",
)
def availability(request: HttpRequest, filters: Query[AvailabilityQuery]) -> dict[str, Any]:
    """Bookable slots from `from` to `to` (site-local dates), for anyone or one clinician."""
    user = current_user(request)
    if problem := filters.range_problem():
        raise _bad("to", problem)
    kinds = _types(user, filters.type)
    if filters.site is not None:
        kinds = kinds.filter(site=filters.site)
    found = list(kinds)
    if not found:
        raise _bad("type", "no visit of this kind is offered there; check the code and site")
    now = timezone.now()
    slots: list[SlotOut] = []
    for kind in found:
        for slot in find_slots(
            kind, filters.from_, filters.to, now=now, clinician=filters.clinician
        ):
            slots.append(
                SlotOut(
                    type=kind.code,
                    start=slot.start,
                    end=slot.end,
                    site=kind.site_id,
                    clinician=slot.clinician,
                    room=slot.room,
                    chair=slot.chair,
                )
            )
    slots.sort(key=lambda s: (s.start, s.site))
    return {"slots": slots}


def _out(appointment: Appointment) -> AppointmentOut:
    zone = ZoneInfo(appointment.site.time_zone)
    return AppointmentOut(
        id=appointment.pk,
        type=appointment.appointment_type.code,
        type_name=appointment.appointment_type.name,
        status=appointment.status,  # type: ignore[arg-type]
        start=appointment.start.astimezone(zone),
        end=appointment.end.astimezone(zone),
        site=appointment.site_id,
        clinician=appointment.clinician_id,
        room=appointment.room_id,
        chair=appointment.chair_id,
        patient=appointment.patient_id,
        cancel_reason=appointment.cancel_reason,
    )


@router.post(
    "/appointments",
    response={201: AppointmentOut, **_ERRORS},
    url_name="appointments",
    operation_id="bookAppointment",
    summary="Book a slot for a patient",
)
def book(request: HttpRequest, payload: AppointmentIn) -> Status[AppointmentOut]:
    """Book a slot from /availability for `patient`; 409 if someone took it first."""
    user = current_user(request)
    patient = get_patient_for_user(request, payload.patient)
    kind = (
        AppointmentType.objects.select_related("site__settings")
        .filter(code=payload.type, site=payload.site, is_active=True)
        .first()
    )
    if kind is None:
        raise _bad("type", "no visit of this kind is offered at that site")
    length = dt.timedelta(minutes=kind.span_minutes(kind.site.settings.min_observation_minutes))
    if payload.end is not None and payload.end != payload.start + length:
        raise _bad("end", f"this visit lasts {length.seconds // 60} minutes from its start")
    appointment = actions.book_appointment(
        actor=user,
        patient=patient,
        appointment_type=kind,
        start=payload.start,
        clinician=payload.clinician,
        room=payload.room,
        chair=payload.chair,
    )
    return Status(201, _out(appointment))


def _local_day_filter(first: dt.date | None, last: dt.date | None) -> Q:
    """Appointments starting on local dates `first` to `last` at their own site."""
    if first is None and last is None:
        return Q()
    q = Q(pk__in=[])
    for site_id, zone in Site.objects.values_list("pk", "time_zone"):
        lo, hi = range_bounds(zone, first or dt.date(2000, 1, 1), last or dt.date(2100, 12, 31))
        q |= Q(site=site_id, start__gte=lo, start__lt=hi)
    return q


@router.get(
    "/appointments",
    response={200: AppointmentPage, **_ERRORS},
    url_name="appointments",
    operation_id="listAppointments",
    summary="Appointments you may see",
)
def list_appointments(request: HttpRequest, filters: Query[AppointmentListQuery]) -> dict[str, Any]:
    """Appointments in time order, filtered and paged."""
    user = current_user(request)
    found = visible_appointments(user).filter(_local_day_filter(filters.from_, filters.to))
    used = [
        name for name in ("from_", "to", "patient", "clinician", "status") if getattr(filters, name)
    ]
    if filters.patient is not None:
        found = found.filter(patient=filters.patient)
    if filters.clinician is not None:
        found = found.filter(clinician=filters.clinician)
    if filters.status is not None:
        found = found.filter(status=filters.status)
    count = found.count()
    start = (filters.page - 1) * filters.page_size
    items: list[Appointment] = []
    if start < count:
        page = found.select_related("appointment_type", "site").order_by("start", "pk")
        items = list(page[start : start + filters.page_size])
    record(
        actor=user,
        action=AuditAction.LIST,
        object_type="scheduling.appointment",
        detail={"filters": [n.rstrip("_") for n in used], "page": filters.page},
    )
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [_out(a) for a in items],
    }


@router.patch(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **_ERRORS},
    url_name="appointment",
    operation_id="changeAppointment",
    summary="Move an appointment, or change its status (e.g. cancel with a reason)",
)
def change(request: HttpRequest, appointment_id: int, payload: AppointmentPatch) -> AppointmentOut:
    user = current_user(request)
    if problem := payload.problem():
        raise _bad(*problem)
    if not 1 <= appointment_id <= ID_MAX:
        raise Http404("No such appointment")
    appointment = get_appointment_for_user(user, appointment_id)
    if payload.status is not None:
        changed = actions.change_status(
            actor=user, appointment=appointment, to=payload.status, reason=payload.reason
        )
    else:
        assert payload.start is not None  # the schema requires it when moving
        changed = actions.reschedule_appointment(
            actor=user,
            appointment=appointment,
            start=payload.start,
            clinician=payload.clinician,
            room=payload.room,
            chair=payload.chair,
            reason=payload.reason,
            via=AppointmentChange.Via.API,
        )
    return _out(changed)
