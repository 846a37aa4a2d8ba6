"""The JSON shapes of the scheduling API (kapclinic/scheduling/api.py).

Times go out in the site's local time with its UTC offset (ISO 8601), and come in
the same way: a time without an offset is refused rather than guessed.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import field_validator

from kapclinic.scheduling.models import AppointmentStatus

# The largest id the database can hold: a bigger one is a 400, not a database error.
ID_MAX = 2**63 - 1
MAX_SEARCH_DAYS = 62
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
# Dates outside these years are typing mistakes, and far enough from the calendar's
# limits that adding a day of margin never overflows.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


def _sane_date(value: dt.date | None) -> dt.date | None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise ValueError(f"use a date between {EARLIEST} and {LATEST}")
    return value


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError("include the UTC offset, e.g. 2026-03-02T09:00:00-05:00")
    if value is not None and not EARLIEST.year <= value.year <= LATEST.year:
        raise ValueError(f"use a time between {EARLIEST.year} and {LATEST.year}")
    return value


class AvailabilityQuery(Schema):
    """Query parameters of GET /availability."""

    type: str = Field(..., min_length=1, max_length=30, description="Appointment type code.")
    from_: dt.date = Field(..., alias="from", description="First day (site's local date).")
    to: dt.date = Field(..., description="Last day, inclusive.")
    site: int | None = Field(None, ge=1, le=ID_MAX, description="Only this site (by id).")
    clinician: int | None = Field(None, ge=1, le=ID_MAX, description="Only this clinician (by id).")

    _dates = field_validator("from_", "to")(_sane_date)

    def range_problem(self) -> str:
        """What is wrong with the date range, or "" (checked by the view, so the
        message can name the parameter)."""
        if self.to < self.from_:
            return "must be on or after from"
        if (self.to - self.from_).days >= MAX_SEARCH_DAYS:
            return f"search at most {MAX_SEARCH_DAYS} days at a time"
        return ""


class SlotOut(Schema):
    """A bookable slot; post it back unchanged, with "patient", to book it."""

    type: str
    start: dt.datetime
    end: dt.datetime
    site: int
    clinician: int
    room: int | None
    chair: int | None


class SlotList(Schema):
    slots: list[SlotOut]


class AppointmentIn(Schema):
    """POST /appointments: a slot from /availability plus the patient."""

    type: str = Field(..., min_length=1, max_length=30)
    start: dt.datetime
    end: dt.datetime | None = Field(None, description="Optional; must match the visit length.")
    site: int = Field(..., ge=1, le=ID_MAX)
    clinician: int = Field(..., ge=1, le=ID_MAX)
    room: int | None = Field(None, ge=1, le=ID_MAX)
    chair: int | None = Field(None, ge=1, le=ID_MAX)
    patient: int = Field(..., ge=1, le=ID_MAX)

    _times = field_validator("start", "end")(_aware)


class AppointmentPatch(Schema):
    """PATCH /appointments/{id}: a new time (and clinician, room or chair), or a status."""

    start: dt.datetime | None = None
    clinician: int | None = Field(None, ge=1, le=ID_MAX)
    room: int | None = Field(None, ge=1, le=ID_MAX)
    chair: int | None = Field(None, ge=1, le=ID_MAX)
    status: AppointmentStatus | None = None
    reason: str = Field("", max_length=300)

    _times = field_validator("start")(_aware)

    def problem(self) -> tuple[str, str] | None:
        """(field, message) if the body asks for no change or two at once."""
        moving = any(v is not None for v in (self.start, self.clinician, self.room, self.chair))
        if moving and self.status is not None:
            return "status", "change either the time or the status, not both at once"
        if not moving and self.status is None:
            return "start", "give a new start, or a status"
        if moving and self.start is None:
            return "start", "give the start time, even if only the clinician changes"
        return None


class AppointmentOut(Schema):
    id: int
    type: str
    type_name: str
    status: AppointmentStatus
    start: dt.datetime
    end: dt.datetime
    site: int
    clinician: int
    room: int | None
    chair: int | None
    patient: int
    cancel_reason: str


class AppointmentListQuery(Schema):
    from_: dt.date | None = Field(None, alias="from", description="From this local date.")
    to: dt.date | None = Field(None, description="Up to this local date, inclusive.")
    patient: int | None = Field(None, ge=1, le=ID_MAX)
    clinician: int | None = Field(None, ge=1, le=ID_MAX)
    status: AppointmentStatus | None = None
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    _dates = field_validator("from_", "to")(_sane_date)


class AppointmentPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[AppointmentOut]
