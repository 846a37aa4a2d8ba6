"""Booking a signed plan's whole course through the scheduling engine.

`propose_course` lays out the sessions still to book, from a chosen date, on free
chairs and clinicians (`scheduling.calendar.find_slots`, the same engine as every
booking): each dosing session at least the plan's minimum days after the one before,
no more than its weekly maximum in one calendar week (Monday to Sunday), each followed
by its integration session (the same day once observation and buffers are over, or
on a following day, always before the next dose). Nothing is written.

`book_course` books a proposal the clinician has seen, all or nothing: every visit
goes through `scheduling.actions.book_appointment` (its checks, audit and
reminders) inside one transaction; if any slot was taken meanwhile the whole course
is rolled back and `CourseConflict` says which visit, so the page can propose again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.patients.models import Patient
from kapclinic.scheduling import actions as scheduling
from kapclinic.scheduling.calendar import find_slots
from kapclinic.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentType, TypeCode
from kapclinic.scheduling.slots import Slot
from kapclinic.treatment.models import (
    CourseAppointment,
    CourseVisit,
    PlanStatus,
    Route,
    TreatmentPlan,
)
from kapclinic.treatment.plan_actions import require_prescriber

DOSING_TYPE = {
    Route.IV: TypeCode.DOSING_IV,
    Route.IM: TypeCode.DOSING_IM,
    Route.ORAL: TypeCode.DOSING_ORAL,
    Route.INTRANASAL: TypeCode.DOSING_ESKETAMINE,
}
# How far ahead a course is searched: a week per session plus four weeks of slack.
SLACK_DAYS = 28
# An integration session is looked for up to this many days after its dose.
INTEGRATION_WITHIN_DAYS = 7


class CourseError(ValueError):
    """The course cannot be proposed or booked; the message says why."""


class CourseConflict(CourseError):
    """A proposed visit could not be booked (taken meanwhile); nothing was booked."""


@dataclass(frozen=True)
class Visit:
    """One visit of a proposal, in plain values (it travels signed in the page)."""

    session_number: int
    visit: str  # CourseVisit
    type_id: int
    start: str  # ISO 8601 with offset
    clinician: int
    room: int | None
    chair: int | None

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.start)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Proposal:
    visits: list[Visit]
    wanted: int  # dosing sessions still to book
    shortfall: str = ""


def _type(site_id: int, code: str) -> AppointmentType | None:
    return (
        AppointmentType.objects.select_related("site__settings")
        .filter(site_id=site_id, code=code, is_active=True)
        .first()
    )


def course_types(plan: TreatmentPlan) -> tuple[AppointmentType, AppointmentType | None]:
    """The dosing type for the plan's route at the patient's site, and the integration
    type (None if the plan needs none). Raises CourseError if the site lacks one."""
    site_id = plan.patient.site_id
    dosing = _type(site_id, DOSING_TYPE[Route(plan.route)])
    if dosing is None:
        raise CourseError(
            f"This site does not offer “{TypeCode(DOSING_TYPE[Route(plan.route)]).label}” "
            "visits; a clinic admin can add the visit type."
        )
    integration = None
    if plan.integration_after_each_dose:
        integration = _type(site_id, TypeCode.INTEGRATION)
        if integration is None:
            raise CourseError(
                "The plan needs an integration session after each dose, and this site "
                "does not offer integration sessions; a clinic admin can add the visit type."
            )
    return dosing, integration


def booked_dosing(plan: TreatmentPlan) -> list[dt.datetime]:
    """Starts of the patient's dosing sessions still on the books (any plan), so a new
    course keeps its spacing from them."""
    return list(
        Appointment.objects.filter(
            patient_id=plan.patient_id,
            status__in=ACTIVE_STATUSES,
            appointment_type__code__in=list(DOSING_TYPE.values()),
        )
        .order_by("start")
        .values_list("start", flat=True)
    )


def plan_chain(plan: TreatmentPlan) -> list[int]:
    """This version and every version it replaced: one course, whatever the changes
    (a dose lowered after session 3 does not start the course again)."""
    replaces = dict(
        TreatmentPlan.objects.filter(patient_id=plan.patient_id).values_list("pk", "supersedes_id")
    )
    chain: list[int] = []
    current: int | None = plan.pk
    while current is not None and current not in chain:
        chain.append(current)
        current = replaces.get(current)
    return chain


def sessions_booked(plan: TreatmentPlan) -> int:
    """The highest session number of this plan's course still on the books."""
    top = (
        CourseAppointment.objects.filter(
            plan__in=plan_chain(plan),
            visit=CourseVisit.DOSING,
            appointment__status__in=ACTIVE_STATUSES,
        )
        .aggregate(top=Max("session_number"))
        .get("top")
    )
    return int(top or 0)


def _week(day: dt.date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso.year, iso.week


def propose_course(plan: TreatmentPlan, *, start_on: dt.date, now: dt.datetime) -> Proposal:
    """The visits that would book the rest of the plan's course from `start_on`."""
    if plan.status != PlanStatus.SIGNED:
        raise CourseError("Only the signed plan in force can be booked.")
    dosing, integration = course_types(plan)
    tz = ZoneInfo(dosing.site.time_zone)
    done = sessions_booked(plan)
    wanted = max(0, plan.sessions_planned - done)
    if wanted == 0:
        return Proposal([], 0)
    last = start_on + dt.timedelta(days=7 * wanted + SLACK_DAYS)
    if plan.reevaluate_on is not None:
        last = min(last, plan.reevaluate_on)
    if last < start_on:
        return Proposal([], wanted, "The plan is due for re-evaluation before that date.")
    dose_slots = find_slots(dosing, start_on, last, now=now)
    talk_slots: list[Slot] = []
    if integration is not None:
        talk_slots = find_slots(
            integration, start_on, last + dt.timedelta(days=INTEGRATION_WITHIN_DAYS), now=now
        )
    per_week: dict[tuple[int, int], int] = {}
    previous: dt.date | None = None
    for start in booked_dosing(plan):
        day = start.astimezone(tz).date()
        per_week[_week(day)] = per_week.get(_week(day), 0) + 1
        previous = day if previous is None or day > previous else previous
    gap = dt.timedelta(days=plan.min_days_between_doses)
    after_dose = dt.timedelta(minutes=dosing.buffer_after_minutes)
    before_talk = dt.timedelta(minutes=integration.buffer_before_minutes if integration else 0)
    earliest = dt.datetime.combine(start_on, dt.time(), tzinfo=tz)
    visits: list[Visit] = []
    number = done
    for _ in range(wanted):
        chosen = next(
            (
                slot
                for slot in dose_slots
                if slot.start >= earliest
                and (previous is None or slot.start.date() >= previous + gap)
                and per_week.get(_week(slot.start.date()), 0) < plan.max_doses_per_week
            ),
            None,
        )
        if chosen is None:
            break
        talk: Slot | None = None
        if integration is not None:
            ready = chosen.end + after_dose + before_talk
            limit = chosen.start.date() + dt.timedelta(days=INTEGRATION_WITHIN_DAYS)
            talk = next(
                (s for s in talk_slots if s.start >= ready and s.start.date() <= limit), None
            )
            if talk is None:
                break
        number += 1
        day = chosen.start.date()
        per_week[_week(day)] = per_week.get(_week(day), 0) + 1
        previous = day
        visits.append(_visit(number, CourseVisit.DOSING, dosing, chosen))
        earliest = chosen.end
        if talk is not None and integration is not None:
            visits.append(_visit(number, CourseVisit.INTEGRATION, integration, talk))
            # The next dose comes after this integration session.
            earliest = talk.end + dt.timedelta(minutes=integration.buffer_after_minutes)
    placed = number - done
    shortfall = ""
    if placed < wanted:
        shortfall = (
            f"Only {placed} of the {wanted} sessions could be placed by {last:%d %b %Y} "
            "with free chairs and clinicians; book the rest later or choose another start."
        )
    return Proposal(visits, wanted, shortfall)


def _visit(number: int, kind: str, visit_type: AppointmentType, slot: Slot) -> Visit:
    return Visit(
        session_number=number,
        visit=kind,
        type_id=visit_type.pk,
        start=slot.start.isoformat(),
        clinician=slot.clinician,
        room=slot.room,
        chair=slot.chair,
    )


def describe(visit: Visit, tz: str) -> str:
    label = CourseVisit(visit.visit).label
    when = visit.starts_at.astimezone(ZoneInfo(tz))
    return f"{label} {visit.session_number} on {when:%a %d %b %Y at %H:%M}"


@transaction.atomic
def book_course(
    plan: TreatmentPlan, *, actor: User, visits: list[Visit], now: dt.datetime
) -> list[CourseAppointment]:
    """Book every visit of a proposal, or none (CourseConflict names the one that failed)."""
    patient = Patient.objects.select_related("site").get(pk=plan.patient_id)
    basis = require_prescriber(actor, patient)
    locked = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.SIGNED:
        raise CourseError("This plan version was replaced; open the plan in force.")
    if not visits:
        raise CourseError("There is nothing to book.")
    types = {
        t.pk: t
        for t in AppointmentType.objects.select_related("site__settings").filter(
            pk__in={v.type_id for v in visits}, site_id=patient.site_id
        )
    }
    rows: list[CourseAppointment] = []
    for visit in visits:
        visit_type = types.get(visit.type_id)
        if visit_type is None:
            raise CourseError("The proposal no longer matches this site's visits; propose again.")
        try:
            appointment = scheduling.book_appointment(
                actor=actor,
                patient=patient,
                appointment_type=visit_type,
                start=visit.starts_at,
                clinician=visit.clinician,
                room=visit.room,
                chair=visit.chair,
                now=now,
                course=visit.visit == CourseVisit.DOSING,
            )
        except scheduling.SchedulingError as error:
            # Leaving the atomic block with the error rolls back the visits booked so far.
            raise CourseConflict(
                f"{describe(visit, patient.site.time_zone)}: {error} Nothing was booked."
            ) from error
        rows.append(
            CourseAppointment(
                plan=locked,
                appointment=appointment,
                session_number=visit.session_number,
                visit=visit.visit,
            )
        )
    CourseAppointment.objects.bulk_create(rows)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=locked,
        flagged=basis.via_break_glass,
        detail={
            "step": "book_course",
            "appointments": [row.appointment_id for row in rows],
            **({"grant_id": basis.grant_id} if basis.grant_id is not None else {}),
        },
    )
    return rows
