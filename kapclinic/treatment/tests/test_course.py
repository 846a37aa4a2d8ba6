"""Course booking: the proposal honours the plan's spacing, and booking is all or nothing."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent
from kapclinic.clinics.models import Chair, Room
from kapclinic.patients.models import PathwayStage
from kapclinic.scheduling import actions as scheduling
from kapclinic.scheduling.models import Appointment, AppointmentType, Resource, TypeCode
from kapclinic.scheduling.tests.conftest import add_hours
from kapclinic.test import Cast, login
from kapclinic.treatment import course
from kapclinic.treatment.models import CourseAppointment, Route, TreatmentPlan
from kapclinic.treatment.plan_actions import save_draft, sign_plan
from kapclinic.treatment.tests.helpers import make_eligible, plan_data, protocol, weigh

NY = ZoneInfo("America/New_York")


def next_monday(after_days: int = 7) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=after_days)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def build_clinic(cast: Cast) -> tuple[AppointmentType, AppointmentType, list[Chair]]:
    site = cast.site
    Room.objects.create(site=site, name="Garden Room", kind=Room.Kind.CONSULTATION)
    dosing_room = Room.objects.create(site=site, name="Cedar Room", kind=Room.Kind.DOSING)
    chairs = [Chair.objects.create(room=dosing_room, name=f"Chair {n}") for n in (1, 2)]
    dosing = AppointmentType.objects.create(
        site=site,
        code=TypeCode.DOSING_IM,
        name="IM ketamine session",
        duration_minutes=40,
        buffer_after_minutes=15,
        provider_roles=["nurse"],
        resource=Resource.CHAIR,
    )
    integration = AppointmentType.objects.create(
        site=site,
        code=TypeCode.INTEGRATION,
        name="Integration session",
        duration_minutes=50,
        provider_roles=["therapist"],
        resource=Resource.ROOM,
    )
    add_hours(cast.prescriber, site, 9, 17)
    add_hours(cast.nurse, site, 8, 18)
    add_hours(cast.therapist, site, 9, 17)
    return dosing, integration, chairs


@pytest.fixture
def signed(cast: Cast) -> TreatmentPlan:
    """An IM plan (6 sessions, 2+ days apart, 2 a week) signed; consent not yet."""
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70")
    build_clinic(cast)
    plan = save_draft(
        cast.patient,
        actor=cast.prescriber,
        protocol=protocol(cast.patient, Route.IM),
        data=plan_data(reevaluate_on=timezone.localdate() + dt.timedelta(days=120)),
    )
    return sign_plan(plan, actor=cast.prescriber)


def test_proposal_honours_spacing_weekly_maximum_and_integration(signed: TreatmentPlan) -> None:
    proposal = course.propose_course(signed, start_on=next_monday(), now=timezone.now())
    assert proposal.shortfall == ""
    doses = [v for v in proposal.visits if v.visit == "dosing"]
    talks = [v for v in proposal.visits if v.visit == "integration"]
    assert len(doses) == len(talks) == 6
    days = [v.starts_at.astimezone(NY).date() for v in doses]
    assert all(b - a >= dt.timedelta(days=2) for a, b in itertools.pairwise(days))
    weeks: dict[tuple[int, int], int] = {}
    for day in days:
        weeks[day.isocalendar()[:2]] = weeks.get(day.isocalendar()[:2], 0) + 1
    assert max(weeks.values()) <= 2
    for number, (dose, talk) in enumerate(zip(doses, talks, strict=True), start=1):
        assert dose.session_number == talk.session_number == number
        # After observation (40 min + the site's 120) and the buffer.
        assert talk.starts_at >= dose.starts_at + dt.timedelta(minutes=175)
        if number < 6:
            assert talk.starts_at < doses[number].starts_at
    assert days[0] >= next_monday() and all(d.weekday() < 5 for d in days)


def test_confirming_books_the_whole_course(cast: Cast, signed: TreatmentPlan) -> None:
    proposal = course.propose_course(signed, start_on=next_monday(), now=timezone.now())
    rows = course.book_course(
        signed, actor=cast.prescriber, visits=proposal.visits, now=timezone.now()
    )
    assert len(rows) == 12
    assert Appointment.objects.filter(patient=cast.patient).count() == 12
    assert CourseAppointment.objects.filter(plan=signed).count() == 12
    assert AuditEvent.objects.filter(detail__step="book_course").count() == 1
    cast.patient.refresh_from_db()
    assert cast.patient.stage == PathwayStage.TREATMENT_PLAN  # consent still to come
    again = course.propose_course(signed, start_on=next_monday(), now=timezone.now())
    assert again.visits == [] and again.wanted == 0


def test_a_slot_taken_meanwhile_books_nothing_and_says_which(
    cast: Cast, signed: TreatmentPlan
) -> None:
    proposal = course.propose_course(signed, start_on=next_monday(), now=timezone.now())
    third = [v for v in proposal.visits if v.visit == "dosing"][2]
    # Someone books the nurse and the chair of session 3 first.
    intruder = AppointmentType.objects.get(code=TypeCode.DOSING_IM)
    Appointment.objects.create(
        patient=cast.other_patient,
        appointment_type=intruder,
        site=cast.site,
        clinician_id=third.clinician,
        chair_id=third.chair,
        room_id=third.room,
        start=third.starts_at,
        end=third.starts_at + dt.timedelta(minutes=160),
        hold_start=third.starts_at,
        hold_end=third.starts_at + dt.timedelta(minutes=175),
    )
    with pytest.raises(course.CourseConflict, match="Dosing session 3 on") as error:
        course.book_course(
            signed, actor=cast.prescriber, visits=proposal.visits, now=timezone.now()
        )
    assert "Nothing was booked" in str(error.value)
    assert not Appointment.objects.filter(patient=cast.patient).exists()
    assert not CourseAppointment.objects.exists()
    # A new proposal goes around the taken slot.
    fresh = course.propose_course(signed, start_on=next_monday(), now=timezone.now())
    assert (
        len(
            course.book_course(
                signed, actor=cast.prescriber, visits=fresh.visits, now=timezone.now()
            )
        )
        == 12
    )


def test_dosing_booked_outside_a_course_still_needs_consent(
    cast: Cast, signed: TreatmentPlan
) -> None:
    dosing = AppointmentType.objects.get(code=TypeCode.DOSING_IM)
    chair = Chair.objects.first()
    assert chair is not None
    with pytest.raises(scheduling.NotAllowed, match="consent not signed"):
        scheduling.book_appointment(
            actor=cast.nurse,
            patient=cast.patient,
            appointment_type=dosing,
            start=dt.datetime.combine(next_monday(), dt.time(9), tzinfo=NY),
            clinician=cast.nurse.pk,
            chair=chair.pk,
        )


def test_a_course_needs_the_plan_not_only_later_steps(cast: Cast) -> None:
    """Without a signed plan the course flag does not open dosing bookings."""
    make_eligible(cast.patient, cast.prescriber)
    dosing, _, chairs = build_clinic(cast)
    with pytest.raises(scheduling.NotAllowed, match="treatment plan not signed"):
        scheduling.book_appointment(
            actor=cast.prescriber,
            patient=cast.patient,
            appointment_type=dosing,
            start=dt.datetime.combine(next_monday(), dt.time(9), tzinfo=NY),
            clinician=cast.nurse.pk,
            chair=chairs[0].pk,
            course=True,
        )


def test_nurse_cannot_book_a_course(cast: Cast, signed: TreatmentPlan) -> None:
    proposal = course.propose_course(signed, start_on=next_monday(), now=timezone.now())
    with pytest.raises(PermissionDenied):
        course.book_course(signed, actor=cast.nurse, visits=proposal.visits, now=timezone.now())
    assert not Appointment.objects.exists()


# The page.


def test_page_proposes_then_books(cast: Cast, signed: TreatmentPlan, client: Client) -> None:
    login(client, cast.prescriber)
    url = reverse("treatment:course", kwargs={"pk": cast.patient.pk})
    start = next_monday().isoformat()
    page = client.get(url, {"start_on": start})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Book these 12 visits" in body and "Dosing session 1 on" in body
    token = page.context["token"]
    done = client.post(url, {"start_on": start, "proposal": token})
    assert done.status_code == 302
    assert CourseAppointment.objects.count() == 12


def test_page_refuses_a_tampered_proposal(
    cast: Cast, signed: TreatmentPlan, client: Client
) -> None:
    login(client, cast.prescriber)
    url = reverse("treatment:course", kwargs={"pk": cast.patient.pk})
    start = next_monday().isoformat()
    response = client.post(url, {"start_on": start, "proposal": "forged"})
    assert response.status_code == 200
    assert "out of date" in response.content.decode()
    assert not Appointment.objects.exists()


def test_page_without_a_signed_plan_says_so(cast: Cast, client: Client) -> None:
    login(client, cast.prescriber)
    url = reverse("treatment:course", kwargs={"pk": cast.patient.pk})
    response = client.post(url, {"start_on": next_monday().isoformat(), "proposal": "x"})
    assert "no signed plan in force" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_new_version_continues_the_course(cast: Cast, signed: TreatmentPlan) -> None:
    """A dose change mid-course books only the sessions still to come."""
    first = course.propose_course(signed, start_on=next_monday(), now=timezone.now())
    three = [v for v in first.visits if v.session_number <= 3]
    course.book_course(signed, actor=cast.prescriber, visits=three, now=timezone.now())
    lower = save_draft(
        cast.patient,
        actor=cast.prescriber,
        protocol=protocol(cast.patient, Route.IM),
        data=plan_data(
            amount=Decimal("0.4"), reevaluate_on=timezone.localdate() + dt.timedelta(days=120)
        ),
    )
    second = sign_plan(lower, actor=cast.prescriber)
    rest = course.propose_course(second, start_on=next_monday(), now=timezone.now())
    numbers = sorted({v.session_number for v in rest.visits})
    assert numbers == [4, 5, 6]
    last_booked = max(v.starts_at for v in three)
    assert min(v.starts_at for v in rest.visits) > last_booked
