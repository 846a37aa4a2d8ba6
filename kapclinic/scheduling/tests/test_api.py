"""The scheduling API: availability, booking, listing, moving and cancelling; every error."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from kapclinic.accounts.actions import create_api_token
from kapclinic.accounts.models import User
from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.scheduling.models import Appointment, AppointmentStatus
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at

AVAILABILITY = "/api/v1/availability"
APPOINTMENTS = "/api/v1/appointments"


def bearer(user: User) -> dict[str, str]:
    _, text = create_api_token(actor=None, user=user, name="test")
    return {"Authorization": f"Bearer {text}"}


@pytest.fixture
def desk(schedule: Schedule) -> dict[str, str]:
    return bearer(schedule.cast.front_desk)


def slots(client: Client, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    query = {"type": "initial_consultation", "from": str(MONDAY), "to": str(MONDAY), **params}
    response = client.get(AVAILABILITY, query, headers=headers)
    assert response.status_code == 200, response.content
    result: list[dict[str, Any]] = response.json()["slots"]
    return result


def post(client: Client, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post(APPOINTMENTS, body, content_type="application/json", headers=headers)


def patch(client: Client, headers: dict[str, str], pk: int, body: dict[str, Any]) -> Any:
    return client.patch(
        f"{APPOINTMENTS}/{pk}", body, content_type="application/json", headers=headers
    )


def test_availability_lists_slots_in_site_time(
    client: Client, schedule: Schedule, desk: dict[str, str]
) -> None:
    found = slots(client, desk)
    first = found[0]
    assert first == {
        "type": "initial_consultation",
        "start": "2030-01-07T09:00:00-05:00",
        "end": "2030-01-07T10:00:00-05:00",
        "site": schedule.cast.site.pk,
        "clinician": first["clinician"],
        "room": schedule.consulting_room.pk,
        "chair": None,
    }
    assert first["clinician"] in {schedule.cast.prescriber.pk, schedule.cast.therapist.pk}
    assert found[-1]["start"] == "2030-01-07T16:00:00-05:00"
    only = slots(client, desk, clinician=schedule.cast.therapist.pk)
    assert {s["clinician"] for s in only} == {schedule.cast.therapist.pk}


def test_a_posted_back_slot_books_once_then_conflicts(
    client: Client, schedule: Schedule, desk: dict[str, str]
) -> None:
    slot = slots(client, desk)[0]
    created = post(client, desk, {**slot, "patient": schedule.cast.patient.pk})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["id"] == Appointment.objects.get().pk
    assert body["status"] == "booked" and body["start"] == slot["start"]
    again = post(client, desk, {**slot, "patient": schedule.cast.other_patient.pk})
    assert again.status_code == 409
    assert "already booked" in again.json()["detail"]
    assert Appointment.objects.count() == 1
    # The slot is no longer offered with that clinician and room.
    taken = (slot["start"], slot["clinician"])
    assert taken not in {(s["start"], s["clinician"]) for s in slots(client, desk)}


def test_booking_audits_as_the_token_user(
    client: Client, schedule: Schedule, desk: dict[str, str]
) -> None:
    slot = slots(client, desk)[0]
    post(client, desk, {**slot, "patient": schedule.cast.patient.pk})
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="scheduling.appointment")
    assert event.actor == schedule.cast.front_desk
    assert event.path == APPOINTMENTS


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": ""}, "type"),
        ({"from": "2030-02-30"}, "from"),
        ({"to": "2029-12-01"}, "to"),
        ({"to": "2030-06-30"}, "to"),
        ({"from": "1800-01-01", "to": "1800-01-02"}, "from"),
        ({"type": "no_such_visit"}, "type"),
        ({"site": "x"}, "site"),
    ],
)
def test_availability_bad_parameters_are_400(
    client: Client, schedule: Schedule, desk: dict[str, str], params: dict[str, str], field: str
) -> None:
    query = {"type": "initial_consultation", "from": str(MONDAY), "to": str(MONDAY), **params}
    response = client.get(AVAILABILITY, query, headers=desk)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(field)


def test_patients_see_only_self_bookable_types(client: Client, schedule: Schedule) -> None:
    mine = bearer(schedule.cast.patient_user)
    assert slots(client, mine)
    query = {"type": "dosing_im", "from": str(MONDAY), "to": str(MONDAY)}
    assert client.get(AVAILABILITY, query, headers=mine).status_code == 400


@pytest.mark.parametrize(
    ("change", "status", "detail"),
    [
        ({"start": "2030-01-07T09:00:00"}, 400, "start: include the UTC offset"),
        ({"end": "2030-01-07T09:30:00-05:00"}, 400, "end: this visit lasts 60 minutes"),
        ({"patient": "me"}, 400, "patient"),
        ({"type": "dosing_iv"}, 400, "type"),
        ({"start": "2030-01-07T08:00:00-05:00", "end": None}, 409, "is not working then"),
        ({"room": 999999}, 400, "Choose a room"),
        ({"patient": 999999}, 404, "Not found"),
    ],
)
def test_booking_errors(
    client: Client,
    schedule: Schedule,
    desk: dict[str, str],
    change: dict[str, Any],
    status: int,
    detail: str,
) -> None:
    slot = slots(client, desk)[0]
    response = post(client, desk, {**slot, "patient": schedule.cast.patient.pk, **change})
    assert response.status_code == status, response.content
    assert detail in response.json()["detail"]
    assert not Appointment.objects.exists()


def test_booking_a_patient_out_of_scope_is_404(client: Client, schedule: Schedule) -> None:
    outsider = bearer(schedule.cast.outsider)
    slot = slots(client, bearer(schedule.cast.front_desk))[0]
    response = post(client, outsider, {**slot, "patient": schedule.cast.patient.pk})
    assert response.status_code == 404
    assert schedule.cast.patient.family_name not in response.content.decode()
    assert not Appointment.objects.exists()


def test_patient_books_own_consultation_but_not_for_others(
    client: Client, schedule: Schedule
) -> None:
    mine = bearer(schedule.cast.patient_user)
    slot = slots(client, mine)[0]
    other = post(client, mine, {**slot, "patient": schedule.cast.other_patient.pk})
    assert other.status_code == 404
    own = post(client, mine, {**slot, "patient": schedule.cast.patient.pk})
    assert own.status_code == 201


def test_patient_cannot_book_dosing_403(client: Client, schedule: Schedule) -> None:
    staff_view = slots(client, bearer(schedule.cast.nurse), type="dosing_im")
    response = post(
        client,
        bearer(schedule.cast.patient_user),
        {**staff_view[0], "patient": schedule.cast.patient.pk},
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Dosing sessions are booked by the clinic team."


def test_unauthenticated_is_401(client: Client, schedule: Schedule) -> None:
    assert client.get(AVAILABILITY).status_code == 401
    assert client.get(APPOINTMENTS).status_code == 401
    assert post(client, {}, {}).status_code == 401
    assert patch(client, {}, 1, {}).status_code == 401


def booked(client: Client, schedule: Schedule, desk: dict[str, str], index: int = 0) -> int:
    slot = slots(client, desk)[index]
    response = post(client, desk, {**slot, "patient": schedule.cast.patient.pk})
    assert response.status_code == 201
    pk: int = response.json()["id"]
    return pk


def test_reschedule_and_cancel(client: Client, schedule: Schedule, desk: dict[str, str]) -> None:
    pk = booked(client, schedule, desk)
    moved = patch(client, desk, pk, {"start": "2030-01-07T13:00:00-05:00"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["start"] == "2030-01-07T13:00:00-05:00"
    no_reason = patch(client, desk, pk, {"status": "cancelled"})
    assert no_reason.status_code == 400
    assert no_reason.json()["detail"] == "Give a reason for cancelling."
    cancelled = patch(client, desk, pk, {"status": "cancelled", "reason": "Feeling unwell"})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = patch(client, desk, pk, {"status": "checked_in"})
    assert again.status_code == 409
    assert "cancelled appointment cannot be marked checked in" in again.json()["detail"]


def test_reschedule_into_a_taken_time_is_409(
    client: Client, schedule: Schedule, desk: dict[str, str]
) -> None:
    first = booked(client, schedule, desk)
    second = post(
        client,
        desk,
        {
            "type": "follow_up",
            "site": schedule.cast.site.pk,
            "start": "2030-01-07T14:00:00-05:00",
            "clinician": Appointment.objects.get(pk=first).clinician_id,
            "patient": schedule.cast.patient.pk,
        },
    )
    assert second.status_code == 201, second.content
    response = patch(client, desk, second.json()["id"], {"start": "2030-01-07T09:30:00-05:00"})
    assert response.status_code == 409
    assert "already booked then" in response.json()["detail"]
    assert Appointment.objects.get(pk=second.json()["id"]).start == at(MONDAY, 14)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "sideways"},
        {"start": "soon"},
        {"clinician": 3},
        {"status": "cancelled", "start": "2030-01-07T13:00:00-05:00"},
    ],
)
def test_patch_bad_bodies_are_400(
    client: Client, schedule: Schedule, desk: dict[str, str], body: dict[str, Any]
) -> None:
    pk = booked(client, schedule, desk)
    response = patch(client, desk, pk, body)
    assert response.status_code == 400
    assert response.json()["detail"]
    assert Appointment.objects.get(pk=pk).status == AppointmentStatus.BOOKED


def test_patch_unknown_or_unseen_appointment_is_404(
    client: Client, schedule: Schedule, desk: dict[str, str]
) -> None:
    pk = booked(client, schedule, desk)
    assert patch(client, desk, pk + 1000, {"status": "confirmed"}).status_code == 404
    other = bearer(schedule.cast.other_patient_user)
    response = patch(client, other, pk, {"status": "cancelled", "reason": "x"})
    assert response.status_code == 404
    assert Appointment.objects.get(pk=pk).status == AppointmentStatus.BOOKED


def test_list_is_paged_filtered_and_scoped(
    client: Client, schedule: Schedule, desk: dict[str, str]
) -> None:
    for index in (0, 4, 8):
        booked(client, schedule, desk, index)
    page = client.get(APPOINTMENTS, {"page_size": 2}, headers=desk).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    assert page["items"][0]["start"] < page["items"][1]["start"]
    second = client.get(APPOINTMENTS, {"page_size": 2, "page": 2}, headers=desk).json()
    assert len(second["items"]) == 1
    day_after = str(MONDAY + dt.timedelta(days=1))
    none = client.get(APPOINTMENTS, {"from": day_after}, headers=desk).json()
    assert none["count"] == 0
    assert client.get(APPOINTMENTS, {"status": "cancelled"}, headers=desk).json()["count"] == 0
    mine = client.get(APPOINTMENTS, headers=bearer(schedule.cast.patient_user)).json()
    assert mine["count"] == 3
    theirs = client.get(APPOINTMENTS, headers=bearer(schedule.cast.other_patient_user)).json()
    assert theirs["count"] == 0
    admin = client.get(APPOINTMENTS, headers=bearer(schedule.cast.admin)).json()
    assert admin["count"] == 0
    bad = client.get(APPOINTMENTS, {"status": "lost"}, headers=desk)
    assert bad.status_code == 400 and bad.json()["detail"].startswith("status")


def test_api_query_counts_do_not_grow_with_range_or_rows(
    client: Client, schedule: Schedule, desk: dict[str, str]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(params: dict[str, str], url: str = AVAILABILITY) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params, headers=desk).status_code == 200
        return len(ctx.captured_queries)

    client.get(APPOINTMENTS, headers=desk)  # the token's first use also records the time
    one_day = count({"type": "dosing_im", "from": str(MONDAY), "to": str(MONDAY)})
    month = str(MONDAY + dt.timedelta(days=27))
    assert count({"type": "dosing_im", "from": str(MONDAY), "to": month}) == one_day
    booked(client, schedule, desk)
    listed = count({}, APPOINTMENTS)
    booked(client, schedule, desk, 4)
    booked(client, schedule, desk, 8)
    assert count({}, APPOINTMENTS) == listed


def test_ids_too_big_for_the_database_are_400_or_404_not_500(
    client: Client, schedule: Schedule, desk: dict[str, str]
) -> None:
    # A 30-digit id once reached SQLite and failed with OverflowError (a 500).
    big = "9" * 30
    query = {"type": "dosing_im", "from": str(MONDAY), "to": str(MONDAY), "site": big}
    response = client.get(AVAILABILITY, query, headers=desk)
    assert response.status_code == 400 and response.json()["detail"].startswith("site")
    listed = client.get(APPOINTMENTS, {"patient": big}, headers=desk)
    assert listed.status_code == 400
    slot = slots(client, desk)[0]
    booked_ = post(client, desk, {**slot, "patient": int(big)})
    assert booked_.status_code == 400 and booked_.json()["detail"].startswith("patient")
    assert patch(client, desk, int(big), {"status": "confirmed"}).status_code == 404
    assert not Appointment.objects.exists()
