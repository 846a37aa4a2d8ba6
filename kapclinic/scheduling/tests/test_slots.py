"""The availability engine: pure searches, daylight-saving changes, and its query count."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kapclinic.scheduling import actions
from kapclinic.scheduling.calendar import find_slots, load_calendar
from kapclinic.scheduling.slots import Calendar, Interval, TypeSpec, WeeklyBlock, check, search
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at

NY = ZoneInfo("America/New_York")
UTC = dt.UTC
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=UTC)
HOUR_VISIT = TypeSpec("follow_up", 60, 0, 0, "none", needs_prescriber_on_site=False)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def span(a: dt.datetime, b: dt.datetime) -> Interval:
    return (epoch(a), epoch(b))


def one_clinician(day: dt.date, start: int, end: int, spec: TypeSpec = HOUR_VISIT) -> Calendar:
    block = WeeklyBlock(day.weekday(), dt.time(start), dt.time(end))
    return Calendar(time_zone="America/New_York", type=spec, clinicians=[1], hours={1: [block]})


def test_slots_fill_the_working_block_on_the_quarter_hour() -> None:
    cal = one_clinician(MONDAY, 9, 12)
    slots = search(cal, MONDAY, MONDAY, now=LONG_AGO)
    starts = [s.start.strftime("%H:%M") for s in slots]
    assert starts == [
        "09:00",
        "09:15",
        "09:30",
        "09:45",
        "10:00",
        "10:15",
        "10:30",
        "10:45",
        "11:00",
    ]
    assert all(s.end - s.start == dt.timedelta(hours=1) for s in slots)
    assert slots[0].start.isoformat() == "2030-01-07T09:00:00-05:00"


def test_a_held_visit_and_its_buffers_remove_overlapping_slots() -> None:
    spec = TypeSpec("follow_up", 60, 15, 15, "none", needs_prescriber_on_site=False)
    cal = one_clinician(MONDAY, 9, 13, spec)
    cal.busy = {1: [span(at(MONDAY, 10), at(MONDAY, 11))]}
    starts = [s.start.strftime("%H:%M") for s in search(cal, MONDAY, MONDAY, now=LONG_AGO)]
    # A new visit needs 15 minutes clear on either side of it, so 09:00 (held to
    # 10:15) is out as well as everything that overlaps 10:00-11:00.
    assert starts == ["11:15", "11:30", "11:45", "12:00"]


def test_anyone_takes_the_first_free_clinician_in_order() -> None:
    block = WeeklyBlock(0, dt.time(9), dt.time(10))
    cal = Calendar(
        time_zone="America/New_York",
        type=HOUR_VISIT,
        clinicians=[7, 3],
        hours={7: [block], 3: [block]},
        busy={7: [span(at(MONDAY, 9), at(MONDAY, 10))]},
    )
    slots = search(cal, MONDAY, MONDAY, now=LONG_AGO)
    assert [(s.start.hour, s.clinician) for s in slots] == [(9, 3)]
    assert search(cal, MONDAY, MONDAY, now=LONG_AGO, clinician=7) == []


def test_chairs_are_taken_in_order_and_a_full_clinic_offers_nothing() -> None:
    spec = TypeSpec("dosing_im", 60, 0, 0, "chair", needs_prescriber_on_site=False)
    cal = one_clinician(MONDAY, 9, 10, spec)
    cal.chairs = [(11, 5), (12, 5)]
    cal.chair_busy = {11: [span(at(MONDAY, 8), at(MONDAY, 12))]}
    (slot,) = search(cal, MONDAY, MONDAY, now=LONG_AGO)
    assert (slot.room, slot.chair) == (5, 12)
    cal.chair_busy[12] = [span(at(MONDAY, 9, 30), at(MONDAY, 9, 45))]
    assert search(cal, MONDAY, MONDAY, now=LONG_AGO) == []


def test_dosing_needs_a_prescriber_present_for_the_whole_visit() -> None:
    spec = TypeSpec("dosing_im", 160, 0, 0, "none", needs_prescriber_on_site=True)
    cal = one_clinician(MONDAY, 8, 18, spec)
    cal.prescribers = [2]
    cal.hours[2] = [WeeklyBlock(0, dt.time(9), dt.time(13))]
    starts = [s.start.strftime("%H:%M") for s in search(cal, MONDAY, MONDAY, now=LONG_AGO)]
    assert starts == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15"]
    cal.time_off = {2: [span(at(MONDAY, 10), at(MONDAY, 10, 30))]}
    assert search(cal, MONDAY, MONDAY, now=LONG_AGO) == []


def test_closures_time_off_and_the_past_are_never_offered() -> None:
    cal = one_clinician(MONDAY, 9, 12)
    cal.closures = [span(at(MONDAY, 9), at(MONDAY, 10))]
    cal.time_off = {1: [span(at(MONDAY, 11, 30), at(MONDAY, 12))]}
    starts = [s.start.strftime("%H:%M") for s in search(cal, MONDAY, MONDAY, now=at(MONDAY, 10, 5))]
    assert starts == ["10:15", "10:30"]


def test_spring_forward_the_missing_hour_is_not_worked_or_offered() -> None:
    # 2030-03-10, New York: at 02:00 EST clocks jump to 03:00 EDT.
    sunday = dt.date(2030, 3, 10)
    cal = one_clinician(sunday, 1, 4)
    slots = search(cal, sunday, sunday, now=LONG_AGO)
    # 01:00 EST to 04:00 EDT is two real hours: 06:00 to 08:00 UTC.
    assert [s.start.astimezone(UTC) for s in slots] == [
        utc(2030, 3, 10, 6, 0),
        utc(2030, 3, 10, 6, 15),
        utc(2030, 3, 10, 6, 30),
        utc(2030, 3, 10, 6, 45),
        utc(2030, 3, 10, 7, 0),
    ]
    assert [s.start.isoformat()[11:] for s in slots] == [
        "01:00:00-05:00",
        "01:15:00-05:00",
        "01:30:00-05:00",
        "01:45:00-05:00",
        "03:00:00-04:00",
    ]
    # An hour-long visit starting 01:30 EST ends 03:30 EDT, one real hour later.
    assert slots[2].end.isoformat()[11:] == "03:30:00-04:00"


def test_spring_forward_keeps_wall_clock_hours_on_either_side() -> None:
    saturday, monday = dt.date(2030, 3, 9), dt.date(2030, 3, 11)
    blocks = [WeeklyBlock(d.weekday(), dt.time(9), dt.time(10)) for d in (saturday, monday)]
    cal = Calendar(time_zone="America/New_York", type=HOUR_VISIT, clinicians=[1], hours={1: blocks})
    slots = search(cal, saturday, monday, now=LONG_AGO)
    assert [s.start.astimezone(UTC) for s in slots] == [utc(2030, 3, 9, 14), utc(2030, 3, 11, 13)]
    assert [s.start.strftime("%H:%M %Z") for s in slots] == ["09:00 EST", "09:00 EDT"]


def test_fall_back_the_repeated_hour_is_worked_twice() -> None:
    # 2030-11-03, New York: at 02:00 EDT clocks go back to 01:00 EST.
    sunday = dt.date(2030, 11, 3)
    cal = one_clinician(sunday, 0, 3)
    slots = search(cal, sunday, sunday, now=LONG_AGO)
    # 00:00 EDT to 03:00 EST is four real hours: 04:00 to 08:00 UTC.
    utc_starts = [s.start.astimezone(UTC) for s in slots]
    assert utc_starts[0] == utc(2030, 11, 3, 4) and utc_starts[-1] == utc(2030, 11, 3, 7)
    assert len(slots) == 13
    one_am = [s.start.isoformat()[11:] for s in slots if s.start.strftime("%H:%M") == "01:00"]
    assert one_am == ["01:00:00-04:00", "01:00:00-05:00"]
    # (Same-zone datetimes subtract by wall clock, so compare in UTC.)
    assert all(
        s.end.astimezone(UTC) - s.start.astimezone(UTC) == dt.timedelta(hours=1) for s in slots
    )


def test_fall_back_keeps_wall_clock_hours_on_either_side() -> None:
    saturday, monday = dt.date(2030, 11, 2), dt.date(2030, 11, 4)
    blocks = [WeeklyBlock(d.weekday(), dt.time(9), dt.time(10)) for d in (saturday, monday)]
    cal = Calendar(time_zone="America/New_York", type=HOUR_VISIT, clinicians=[1], hours={1: blocks})
    slots = search(cal, saturday, monday, now=LONG_AGO)
    assert [s.start.astimezone(UTC) for s in slots] == [utc(2030, 11, 2, 13), utc(2030, 11, 4, 14)]


def test_check_refuses_what_search_does_not_offer() -> None:
    cal = one_clinician(MONDAY, 9, 12)
    cal.busy = {1: [span(at(MONDAY, 10), at(MONDAY, 11))]}
    offered = {s.start for s in search(cal, MONDAY, MONDAY, now=LONG_AGO)}
    for minutes in range(8 * 60, 13 * 60, 15):
        start = at(MONDAY, 0) + dt.timedelta(minutes=minutes)
        refusal = check(cal, start, now=LONG_AGO, clinician=1, room=None, chair=None)
        assert (refusal is None) == (start in offered), start


def test_query_count_does_not_grow_with_the_days_searched(
    schedule: Schedule, django_assert_num_queries
) -> None:
    for day in (1, 2, 3):
        actions.book_appointment(
            actor=schedule.cast.nurse,
            patient=schedule.cast.patient,
            appointment_type=schedule.dosing,
            start=at(MONDAY + dt.timedelta(days=day), 9),
            clinician=schedule.cast.nurse.pk,
            chair=schedule.chair1.pk,
        )
    kind = type(schedule.dosing).objects.select_related("site__settings").get(pk=schedule.dosing.pk)
    with django_assert_num_queries(7):
        load_calendar(kind, MONDAY, MONDAY)
    with django_assert_num_queries(7):
        cal = load_calendar(kind, MONDAY, MONDAY + dt.timedelta(days=27))
    assert len(cal.chair_busy[schedule.chair1.pk]) == 3


def test_every_offered_slot_can_be_booked(schedule: Schedule) -> None:
    tuesday = MONDAY + dt.timedelta(days=1)
    actions.book_appointment(
        actor=schedule.cast.nurse,
        patient=schedule.cast.patient,
        appointment_type=schedule.dosing,
        start=at(tuesday, 9),
        clinician=schedule.cast.nurse.pk,
        chair=schedule.chair1.pk,
    )
    slots = find_slots(schedule.dosing, tuesday, tuesday, now=at(MONDAY, 0))
    assert slots, "the day should have free dosing slots"
    # Only the prescriber's 09:00-17:00 presence bounds the 160-minute sessions.
    assert slots[0].start == at(tuesday, 9) and slots[0].chair == schedule.chair2.pk
    assert slots[-1].start == at(tuesday, 14, 15)
    last = slots[-1]
    booked = actions.book_appointment(
        actor=schedule.cast.front_desk,
        patient=schedule.cast.patient,
        appointment_type=schedule.dosing,
        start=last.start,
        clinician=last.clinician,
        room=last.room,
        chair=last.chair,
    )
    assert booked.start == last.start
    again = find_slots(schedule.dosing, tuesday, tuesday, now=at(MONDAY, 0))
    assert all(s.start != last.start or s.chair != last.chair for s in again)


@pytest.mark.parametrize("clinician_field", ["prescriber", "therapist"])
def test_find_slots_for_one_clinician(schedule: Schedule, clinician_field: str) -> None:
    who = getattr(schedule.cast, clinician_field)
    slots = find_slots(schedule.consultation, MONDAY, MONDAY, now=at(MONDAY, 0), clinician=who.pk)
    assert slots and {s.clinician for s in slots} == {who.pk}
    assert {s.room for s in slots} == {schedule.consulting_room.pk}


def test_prescribers_may_hand_over_during_a_session() -> None:
    spec = TypeSpec("dosing_im", 160, 0, 0, "none", needs_prescriber_on_site=True)
    cal = one_clinician(MONDAY, 8, 18, spec)
    cal.prescribers = [2, 3]
    cal.hours[2] = [WeeklyBlock(0, dt.time(8), dt.time(12))]
    cal.hours[3] = [WeeklyBlock(0, dt.time(11), dt.time(18))]
    starts = {s.start.strftime("%H:%M") for s in search(cal, MONDAY, MONDAY, now=LONG_AGO)}
    assert "10:00" in starts  # 10:00-12:40: the first leaves at 12:00, the second is there
    # A gap in cover (the second starts at 13:00 instead) leaves 11:00 to 13:00 uncovered.
    cal.hours[3] = [WeeklyBlock(0, dt.time(13), dt.time(18))]
    starts = {s.start.strftime("%H:%M") for s in search(cal, MONDAY, MONDAY, now=LONG_AGO)}
    assert "10:00" not in starts and "09:15" in starts and "13:00" in starts
