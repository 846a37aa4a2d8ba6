"""When vital signs are due: route defaults, the nurse's own times, done and overdue."""

from __future__ import annotations

import datetime as dt

import pytest

from kapclinic.dosing.schedule import default_schedule, due_times, next_due, parse_schedule

T0 = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_iv_every_15_minutes_during_the_infusion_then_40_and_before_discharge() -> None:
    assert default_schedule("iv", 40) == [15, 30, 40, 120]
    assert default_schedule("iv", 60) == [15, 30, 40, 45, 60, 120]
    assert default_schedule("intranasal", None) == [40, 120]
    assert default_schedule("im", None) == [40, 120]


def test_a_reading_covers_its_time_from_5_minutes_early_and_only_one_time() -> None:
    dues = due_times(T0, [15, 30, 40], [at(10), at(29)], now=at(50))
    assert [(d.minutes, d.done, d.overdue) for d in dues] == [
        (15, True, False),
        (30, True, False),
        (40, False, True),
    ]
    assert next_due(dues) == dues[2]


def test_overdue_only_after_5_minutes_grace() -> None:
    assert not due_times(T0, [40], [], now=at(45))[0].overdue
    assert due_times(T0, [40], [], now=at(46))[0].overdue


def test_a_reading_too_early_covers_nothing() -> None:
    dues = due_times(T0, [15], [at(9)], now=at(16))
    assert not dues[0].done and next_due(dues) is not None


def test_all_done_means_nothing_due() -> None:
    assert next_due(due_times(T0, [15], [at(15)], now=at(200))) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("15, 30, 40, 120", [15, 30, 40, 120]), ("120 40;40", [40, 120])],
)
def test_parse_schedule(text: str, expected: list[int]) -> None:
    assert parse_schedule(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "0", "1441", "15,-3", ",".join(["5"] * 2) + ",x"])
def test_parse_schedule_refuses_with_a_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_schedule(text)
