"""The staff calendar and the patient's appointment pages, through the test client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.patients.models import PathwayStage
from kapclinic.scheduling import actions
from kapclinic.scheduling.models import Appointment, AppointmentStatus
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at
from kapclinic.test import login

S = AppointmentStatus


def book(s: Schedule, hour: int, day: dt.date = MONDAY, **kw: Any) -> Appointment:
    params: dict[str, Any] = {
        "actor": s.cast.front_desk,
        "patient": s.cast.patient,
        "appointment_type": s.follow_up,
        "start": at(day, hour),
        "clinician": s.cast.prescriber.pk,
    }
    params.update(kw)
    params["patient"].stage = PathwayStage.DOSING  # past the consultation: any visit
    params["patient"].save(update_fields=["stage"])
    return actions.book_appointment(**params)


def day_url(s: Schedule, view: str = "scheduling:day", on: dt.date = MONDAY) -> str:
    return f"{reverse(view)}?site={s.cast.site.pk}&date={on.isoformat()}"


def test_day_view_shows_the_sites_appointments_in_local_time(
    client: Client, schedule: Schedule
) -> None:
    book(schedule, 9)
    body = login(client, schedule.cast.front_desk).get(day_url(schedule)).content.decode()
    assert "09:00\u201309:30" in body  # New York time, not UTC (14:00)
    assert schedule.cast.patient.display_name in body
    assert "Check in" in body


# Session and user, 2FA device, the user's sites (list and choices), clinicians and
# chairs for the filters, the appointments (one query), and the audit row (five: the
# calendar lists patients' names, so it is audited like the patient list).
@pytest.mark.parametrize(
    ("view", "queries"), [("scheduling:day", 17), ("scheduling:week", 17), ("scheduling:today", 17)]
)
def test_calendar_query_count_does_not_grow_with_appointments(
    client: Client, schedule: Schedule, view: str, queries: int, django_assert_num_queries: Any
) -> None:
    login(client, schedule.cast.front_desk)
    url = day_url(schedule, view)
    book(schedule, 9)
    client.get(url)  # warm up: sessions, the audit chain head
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    for hour in (10, 11, 12, 13, 14, 15):
        book(schedule, hour)
        book(schedule, hour, day=MONDAY + dt.timedelta(days=2))
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_week_view_across_the_dst_change_keeps_wall_clock_times(
    client: Client, schedule: Schedule
) -> None:
    # 2030-03-10: clocks go forward in New York. Friday before and Monday after at 10:00.
    friday, monday = dt.date(2030, 3, 8), dt.date(2030, 3, 11)
    book(schedule, 10, day=friday)
    book(schedule, 10, day=monday)
    login(client, schedule.cast.front_desk)
    before = client.get(day_url(schedule, "scheduling:week", friday)).content.decode()
    after = client.get(day_url(schedule, "scheduling:week", monday)).content.decode()
    assert "10:00\u201310:30" in before and "10:00\u201310:30" in after
    assert "15:00" not in before and "14:00" not in after  # the UTC times


def test_clinicians_today_is_their_own_day(client: Client, schedule: Schedule) -> None:
    book(schedule, 9)
    book(
        schedule,
        11,
        appointment_type=schedule.consultation,
        clinician=schedule.cast.therapist.pk,
        room=schedule.consulting_room.pk,
    )
    with time_machine.travel(at(MONDAY, 7), tick=False):
        mine = login(client, schedule.cast.therapist).get(reverse("scheduling:today"))
        desk = login(Client(), schedule.cast.front_desk).get(reverse("scheduling:today"))
    assert "11:00\u201312:00" in mine.content.decode()
    # The clinician box says whose day it is, not "All clinicians".
    me = schedule.cast.therapist.pk
    assert f'<option value="{me}" selected>' in mine.content.decode()
    assert '<option value="" selected>All clinicians</option>' in desk.content.decode()
    assert "09:00\u201309:30" not in mine.content.decode()
    assert (
        "09:00\u201309:30" in desk.content.decode() and "11:00\u201312:00" in desk.content.decode()
    )


def test_the_date_box_shows_the_day_on_screen(client: Client, schedule: Schedule) -> None:
    with time_machine.travel(at(MONDAY, 7), tick=False):
        login(client, schedule.cast.front_desk)
        landing = client.get(reverse("scheduling:today")).text
        site_only = client.get(reverse("scheduling:today"), {"site": schedule.cast.site.pk}).text
        chosen = client.get(day_url(schedule, on=MONDAY + dt.timedelta(days=2))).text
    box = 'type="date" name="date" value="{}"'
    assert box.format(MONDAY.isoformat()) in landing
    assert box.format(MONDAY.isoformat()) in site_only
    assert box.format((MONDAY + dt.timedelta(days=2)).isoformat()) in chosen


def test_moving_starts_on_the_appointments_own_day(client: Client, schedule: Schedule) -> None:
    # The browser's date picker reads only YYYY-MM-DD: a day written "07/01/2030"
    # (the site's locale) showed as an empty box.
    appointment = book(schedule, 9)
    login(client, schedule.cast.front_desk)
    page = client.get(reverse("scheduling:move", args=[appointment.pk])).text
    assert f'type="date" name="date" value="{MONDAY.isoformat()}"' in page


def test_front_desk_checks_in_from_today(client: Client, schedule: Schedule) -> None:
    appointment = book(schedule, 9)
    login(client, schedule.cast.front_desk)
    response = client.post(
        reverse("scheduling:status", args=[appointment.pk]),
        {"to": "checked_in", "next": reverse("scheduling:today")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("scheduling:today")
    appointment.refresh_from_db()
    assert appointment.status == S.CHECKED_IN


def test_refused_step_says_why_and_changes_nothing(client: Client, schedule: Schedule) -> None:
    appointment = book(schedule, 9)
    login(client, schedule.cast.front_desk)
    url = reverse("scheduling:status", args=[appointment.pk])
    response = client.post(url, {"to": "completed"}, follow=True)
    assert "A booked appointment cannot be marked completed." in response.content.decode()
    cancel = client.post(url, {"to": "cancelled", "reason": "  "}, follow=True)
    assert "Give a reason for cancelling." in cancel.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == S.BOOKED


def test_staff_outside_scope_get_404_and_nothing_changes(
    client: Client, schedule: Schedule
) -> None:
    appointment = book(schedule, 9)
    # The newest row's id, not the count: PostgreSQL ids do not restart per test.
    events = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for who in (schedule.cast.outsider, schedule.cast.therapist, schedule.cast.admin):
        login(client, who)
        url = reverse("scheduling:status", args=[appointment.pk])
        assert client.post(url, {"to": "cancelled", "reason": "x"}).status_code == 404
    login(client, schedule.cast.patient_user)
    assert client.post(url, {"to": "cancelled", "reason": "x"}).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == S.BOOKED
    # Only the refusals are recorded (denied reads), nothing else.
    assert not AuditEvent.objects.filter(pk__gt=events).exclude(outcome="denied").exists()


def test_status_is_post_only_and_unknown_appointment_is_404(
    client: Client, schedule: Schedule
) -> None:
    appointment = book(schedule, 9)
    login(client, schedule.cast.front_desk)
    assert client.get(reverse("scheduling:status", args=[appointment.pk])).status_code == 405
    assert client.get(reverse("scheduling:appointment", args=[99999])).status_code == 404


def test_front_desk_moves_an_appointment(client: Client, schedule: Schedule) -> None:
    appointment = book(schedule, 9)
    login(client, schedule.cast.front_desk)
    url = reverse("scheduling:move", args=[appointment.pk])
    page = client.get(url, {"type": str(schedule.follow_up.pk), "date": MONDAY.isoformat()})
    assert "14:00" in page.content.decode()
    response = client.post(
        url, {"start": at(MONDAY, 14).isoformat(), "clinician": schedule.cast.prescriber.pk}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == at(MONDAY, 14)


def test_move_into_a_taken_slot_is_a_clear_message(client: Client, schedule: Schedule) -> None:
    appointment = book(schedule, 9)
    book(schedule, 14, patient=schedule.cast.other_patient)
    login(client, schedule.cast.front_desk)
    response = client.post(
        reverse("scheduling:move", args=[appointment.pk]),
        {"start": at(MONDAY, 14).isoformat(), "clinician": schedule.cast.prescriber.pk},
    )
    assert response.status_code == 200
    assert "is already booked then" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.start == at(MONDAY, 9)


def test_front_desk_books_through_the_page(client: Client, schedule: Schedule) -> None:
    login(client, schedule.cast.front_desk)
    found = client.get(reverse("scheduling:book"), {"q": "Ient"}).content.decode()
    assert f"?patient={schedule.cast.patient.pk}" in found
    # The day to look on starts at today, the site's day (evening in New York is
    # already tomorrow in UTC).
    with time_machine.travel(at(MONDAY, 21), tick=False):
        login(client, schedule.cast.front_desk)
        chosen = client.get(reverse("scheduling:book"), {"patient": schedule.cast.patient.pk})
    assert f'type="date" name="date" value="{MONDAY.isoformat()}"' in chosen.text
    login(client, schedule.cast.front_desk)
    response = client.post(
        reverse("scheduling:book"),
        {
            "patient": schedule.cast.patient.pk,
            "type": schedule.follow_up.pk,
            "start": at(MONDAY, 10).isoformat(),
            "clinician": schedule.cast.prescriber.pk,
        },
    )
    assert response.status_code == 302
    booked = Appointment.objects.get()
    assert (booked.start, booked.patient) == (at(MONDAY, 10), schedule.cast.patient)


def test_portal_lists_and_cancels_outside_the_window(client: Client, schedule: Schedule) -> None:
    appointment = book(schedule, 9)
    with time_machine.travel(at(MONDAY, 9) - dt.timedelta(days=2), tick=False):
        login(client, schedule.cast.patient_user)
        listing = client.get(reverse("scheduling:portal")).content.decode()
        assert "Follow-up call" in listing
        response = client.post(
            reverse("scheduling:portal_cancel", args=[appointment.pk]), {"reason": "Away"}
        )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == S.CANCELLED


def test_portal_inside_the_window_explains_and_refuses(client: Client, schedule: Schedule) -> None:
    appointment = book(schedule, 9)
    with time_machine.travel(at(MONDAY, 9) - dt.timedelta(hours=5), tick=False):
        login(client, schedule.cast.patient_user)
        page = client.get(reverse("scheduling:portal_appointment", args=[appointment.pk]))
        assert "can no longer be moved or cancelled online" in page.content.decode()
        refused = client.post(
            reverse("scheduling:portal_cancel", args=[appointment.pk]),
            {"reason": "Away"},
            follow=True,
        )
    assert "less than 24 hours away" in refused.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == S.BOOKED


def test_patient_books_what_their_stage_allows(client: Client, schedule: Schedule) -> None:
    login(client, schedule.cast.patient_user)
    assert "Book a visit" in client.get(reverse("scheduling:portal")).content.decode()
    page = client.get(reverse("scheduling:portal_book")).content.decode()
    assert "Follow-up call" in page and "IM ketamine session" not in page
    response = client.post(
        reverse("scheduling:portal_book"),
        {
            "type": schedule.follow_up.pk,
            "start": at(MONDAY, 10).isoformat(),
            "clinician": schedule.cast.prescriber.pk,
        },
    )
    assert response.status_code == 302
    forged = client.post(
        reverse("scheduling:portal_book"),
        {
            "type": schedule.dosing.pk,
            "start": at(MONDAY, 12).isoformat(),
            "clinician": schedule.cast.nurse.pk,
            "chair": schedule.chair1.pk,
        },
    )
    assert "Pick a kind of visit" in forged.content.decode()
    assert Appointment.objects.count() == 1


def test_a_chair_is_named_with_its_room(client: Client, schedule: Schedule) -> None:
    # Rooms number their chairs alike: "Chair 1" alone does not say which one.
    visit = book(
        schedule,
        10,
        appointment_type=schedule.dosing,
        clinician=schedule.cast.nurse.pk,
        chair=schedule.chair1.pk,
    )
    login(client, schedule.cast.front_desk)
    day = client.get(day_url(schedule)).text
    page = client.get(reverse("scheduling:appointment", args=[visit.pk])).text
    assert "Chair 1 (Cedar Room)" in day
    assert "<dd>Chair 1 (Cedar Room)</dd>" in page


def test_a_dosing_visit_leads_clinicians_to_its_session(client: Client, schedule: Schedule) -> None:
    from kapclinic.dosing.tests.factories import make_session

    session = make_session(schedule.cast)
    url = reverse("scheduling:appointment", args=[session.appointment_id])
    link = f'href="{reverse("dosing:session", args=[session.pk])}"'
    assert link in login(client, schedule.cast.nurse).get(url).text
    # The front desk books and checks in; the session's clinical page is not theirs.
    assert link not in login(Client(), schedule.cast.front_desk).get(url).text


def test_patient_cannot_open_someone_elses_appointment(client: Client, schedule: Schedule) -> None:
    theirs = book(schedule, 9, patient=schedule.cast.other_patient)
    login(client, schedule.cast.patient_user)
    assert client.get(reverse("scheduling:portal_appointment", args=[theirs.pk])).status_code == 404
    assert (
        client.post(
            reverse("scheduling:portal_cancel", args=[theirs.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == S.BOOKED


def test_calendar_and_appointment_reads_are_audited_without_names(
    client: Client, schedule: Schedule
) -> None:
    appointment = book(schedule, 9)
    login(client, schedule.cast.front_desk)
    client.get(day_url(schedule, "scheduling:week"))
    listed = AuditEvent.objects.filter(action="list", object_type="scheduling.appointment").get()
    assert listed.detail["count"] == 1 and listed.detail["site"] == schedule.cast.site.pk
    assert "Ient" not in str(listed.detail)
    client.get(reverse("scheduling:appointment", args=[appointment.pk]))
    viewed = AuditEvent.objects.filter(action="view", object_id=str(appointment.pk)).get()
    assert viewed.patient_id == schedule.cast.patient.pk


def test_portal_move_asks_for_a_reason_then_moves(client: Client, schedule: Schedule) -> None:
    appointment = book(schedule, 9)
    url = reverse("scheduling:portal_appointment", args=[appointment.pk])
    slot = {"start": at(MONDAY, 14).isoformat(), "clinician": schedule.cast.prescriber.pk}
    with time_machine.travel(at(MONDAY, 9) - dt.timedelta(days=2), tick=False):
        login(client, schedule.cast.patient_user)
        step = client.post(url, slot)
        assert step.status_code == 200
        assert "Why are you moving the visit?" in step.text and "Give a reason" not in step.text
        appointment.refresh_from_db()
        assert appointment.start == at(MONDAY, 9)  # not moved before the reason
        blank = client.post(url, {**slot, "reason": "  "})
        assert "Give a reason for moving the visit." in blank.text
        moved = client.post(url, {**slot, "reason": "Childcare fell through"})
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == at(MONDAY, 14)
    [change] = appointment.changes.all()
    assert (change.reason, change.via, change.by) == (
        "Childcare fell through",
        "portal",
        schedule.cast.patient_user,
    )


def test_staff_see_the_moves_and_reasons_on_the_appointment(
    client: Client, schedule: Schedule
) -> None:
    appointment = book(schedule, 9)
    with time_machine.travel(at(MONDAY, 9) - dt.timedelta(days=2), tick=False):
        actions.reschedule_appointment(
            actor=schedule.cast.patient_user,
            appointment=appointment,
            start=at(MONDAY, 14),
            reason="Childcare fell through",
        )
    login(client, schedule.cast.front_desk)
    page = client.get(reverse("scheduling:appointment", args=[appointment.pk])).text
    assert "Childcare fell through" in page
    assert "Mon 7 Jan, 09:00" in page and "Mon 7 Jan, 14:00" in page
    assert "by the patient in the portal" in page


def test_a_patient_move_without_a_reason_is_refused(schedule: Schedule) -> None:
    appointment = book(schedule, 9)
    with (
        time_machine.travel(at(MONDAY, 9) - dt.timedelta(days=2), tick=False),
        pytest.raises(actions.InvalidRequest, match="reason"),
    ):
        actions.reschedule_appointment(
            actor=schedule.cast.patient_user, appointment=appointment, start=at(MONDAY, 14)
        )
    appointment.refresh_from_db()
    assert appointment.start == at(MONDAY, 9)
    assert not appointment.changes.exists()


def test_a_staff_move_goes_on_the_history_without_a_reason(schedule: Schedule) -> None:
    appointment = book(schedule, 9)
    actions.reschedule_appointment(
        actor=schedule.cast.front_desk, appointment=appointment, start=at(MONDAY, 14)
    )
    [change] = appointment.changes.all()
    assert (change.via, change.by, change.reason) == ("staff", schedule.cast.front_desk, "")


def _second_site_visit(schedule: Schedule) -> Appointment:
    """The prescriber also works at site B (Los Angeles): a follow-up there at 9:00
    local time on MONDAY, which is 12:00 in New York."""
    from zoneinfo import ZoneInfo

    from kapclinic.scheduling.models import AppointmentType, Resource, TypeCode
    from kapclinic.scheduling.tests.conftest import add_hours

    cast = schedule.cast
    site_b = cast.other_site
    cast.prescriber.sites.add(site_b)
    add_hours(cast.prescriber, site_b, 8, 10)
    kind = AppointmentType.objects.create(
        site=site_b,
        code=TypeCode.FOLLOW_UP,
        name="Follow-up (West)",
        duration_minutes=30,
        provider_roles=["prescriber"],
        resource=Resource.NONE,
    )
    start = dt.datetime.combine(MONDAY, dt.time(9), tzinfo=ZoneInfo("America/Los_Angeles"))
    return book(schedule, 9, appointment_type=kind, start=start, actor=cast.prescriber)


def test_a_clinician_at_two_sites_sees_both_today(client: Client, schedule: Schedule) -> None:
    book(schedule, 10)  # site A, 10:00 New York
    _second_site_visit(schedule)
    book(
        schedule,
        11,
        patient=schedule.cast.other_patient,
        appointment_type=schedule.consultation,
        clinician=schedule.cast.therapist.pk,
        room=schedule.consulting_room.pk,
    )
    with time_machine.travel(at(MONDAY, 7), tick=False):
        login(client, schedule.cast.prescriber)
        page = client.get(reverse("scheduling:today")).text
        site_a_only = client.get(reverse("scheduling:today"), {"site": schedule.cast.site.pk})
    assert "2 appointments" in page
    assert "10:00\u201310:30" in page and "Site A \u00b7 Follow-up call" in page
    assert "09:00\u201309:30" in page and "Site B \u00b7 Follow-up (West)" in page
    assert "Oscar Other" not in page  # the therapist's visit, not theirs
    assert "1 appointment" in site_a_only.text and "Follow-up (West)" not in site_a_only.text


def test_all_sites_today_takes_a_fixed_number_of_queries(
    client: Client, schedule: Schedule, django_assert_num_queries: Any
) -> None:
    _second_site_visit(schedule)
    with time_machine.travel(at(MONDAY, 7), tick=False):
        login(client, schedule.cast.prescriber)
        client.get(reverse("scheduling:today"))
        with django_assert_num_queries(ALL_SITES_QUERIES):
            client.get(reverse("scheduling:today"))
        for hour in (10, 11, 13, 14):  # 12:00 in New York is the Los Angeles visit
            book(schedule, hour)
        with django_assert_num_queries(ALL_SITES_QUERIES):
            page = client.get(reverse("scheduling:today"))
    assert "5 appointments" in page.text


ALL_SITES_QUERIES = 11
