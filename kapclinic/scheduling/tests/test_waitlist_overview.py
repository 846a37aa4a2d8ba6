"""The staff waitlist overview (/schedule/waitlist/) and taking an entry off it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.scheduling import actions, waitlist
from kapclinic.scheduling.models import Appointment, WaitlistEntry
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at
from kapclinic.test import Cast, login, make_patient

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
VISIT = at(MONDAY + dt.timedelta(days=1), 10)
W = WaitlistEntry.Status


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def join(schedule: Schedule, patient: Any) -> WaitlistEntry:
    return waitlist.join_waitlist(
        actor=schedule.cast.front_desk, patient=patient, appointment_type=schedule.consultation
    )


def offer(schedule: Schedule, entry: WaitlistEntry) -> Appointment:
    """A cancelled consultation whose time was offered to `entry`."""
    freed = actions.book_appointment(
        actor=schedule.cast.front_desk,
        patient=schedule.cast.patient,
        appointment_type=schedule.consultation,
        start=VISIT,
        clinician=schedule.cast.prescriber.pk,
        room=schedule.consulting_room.pk,
    )
    actions.cancel(actor=schedule.cast.front_desk, appointment=freed, reason="Unwell")
    WaitlistEntry.objects.filter(pk=entry.pk).update(offered_appointment=freed)
    return freed


def _state() -> list[Any]:
    return list(WaitlistEntry.objects.values_list("pk", "status", "withdrawn_reason"))


def test_front_desk_sees_who_waits_since_when_and_the_offer(
    client: Client, schedule: Schedule
) -> None:
    cast = schedule.cast
    entry = join(schedule, cast.other_patient)
    offer(schedule, entry)
    login(client, cast.front_desk)
    page = client.get(reverse("scheduling:waitlist"))
    assert page.status_code == 200
    text = page.text
    assert "Oscar Other" in text and "Initial consultation at Site A" in text
    assert "1 Jan 2030" in text  # waiting since, in the site's time
    assert "Tue 8 Jan, 10:00: Still free: link sent" in text
    assert AuditEvent.objects.filter(
        object_type="scheduling.waitlistentry", detail__count=1
    ).exists()


def test_an_offer_someone_took_says_so(client: Client, schedule: Schedule) -> None:
    cast = schedule.cast
    entry = join(schedule, cast.other_patient)
    freed = offer(schedule, entry)
    third = make_patient(cast.site, "MRN-0003", "Tia", "Third")
    actions.book_appointment(
        actor=cast.front_desk,
        patient=third,
        appointment_type=schedule.consultation,
        start=freed.start,
        clinician=freed.clinician_id,
        room=freed.room_id,
    )
    login(client, cast.front_desk)
    assert "Taken by someone else" in client.get(reverse("scheduling:waitlist")).text


def test_clinicians_see_only_their_patients(client: Client, schedule: Schedule) -> None:
    cast = schedule.cast
    join(schedule, cast.patient)  # the prescriber's care-team patient
    join(schedule, cast.other_patient)  # nobody's
    login(client, cast.prescriber)
    text = client.get(reverse("scheduling:waitlist")).text
    assert "Pat Ient" in text and "Oscar Other" not in text
    login(client, cast.therapist)
    text = client.get(reverse("scheduling:waitlist")).text
    assert "Nobody is on the waitlist." in text
    login(client, cast.outsider)  # front desk or nurse elsewhere sees nothing here
    assert "Oscar Other" not in client.get(reverse("scheduling:waitlist")).text


def test_staff_remove_an_entry_with_a_reason(client: Client, schedule: Schedule) -> None:
    cast = schedule.cast
    entry = join(schedule, cast.other_patient)
    login(client, cast.front_desk)
    url = reverse("scheduling:waitlist_remove", args=[entry.pk])
    before = _state()
    refused = client.post(url, {"reason": "  "}, follow=True)
    assert "Give a reason" in refused.text
    assert _state() == before
    response = client.post(url, {"reason": "Booked by phone"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.withdrawn_reason) == (W.WITHDRAWN, "Booked by phone")
    assert entry.withdrawn_at == NOW
    event = AuditEvent.objects.filter(object_type="scheduling.waitlistentry").latest("id")
    assert event.detail["fields"] == ["status", "withdrawn_reason"]
    assert "Booked by phone" not in str(event.detail)
    page = client.get(reverse("scheduling:waitlist")).text
    assert "Oscar Other is off the waitlist" in page and "Nobody is on the waitlist." in page


@pytest.mark.parametrize("who", ["therapist", "outsider", "admin", "patient_user"])
def test_others_cannot_remove(client: Client, schedule: Schedule, who: str) -> None:
    entry = join(schedule, schedule.cast.other_patient)
    before = _state()
    login(client, getattr(schedule.cast, who))
    url = reverse("scheduling:waitlist_remove", args=[entry.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert _state() == before


def test_removal_is_post_only(client: Client, cast: Cast) -> None:
    login(client, cast.front_desk)
    url = reverse("scheduling:waitlist_remove", args=[1])
    assert client.get(url).status_code == 405


def test_the_overview_takes_a_fixed_number_of_queries(
    client: Client, schedule: Schedule, django_assert_num_queries: Any
) -> None:
    cast = schedule.cast
    offer(schedule, join(schedule, cast.other_patient))
    login(client, cast.front_desk)
    client.get(reverse("scheduling:waitlist"))
    with django_assert_num_queries(QUERIES):
        client.get(reverse("scheduling:waitlist"))
    for n in range(3):
        extra = make_patient(cast.site, f"MRN-01{n}", "Extra", f"Person{n}")
        join(schedule, extra)
    with django_assert_num_queries(QUERIES):
        page = client.get(reverse("scheduling:waitlist"))
    assert page.text.count("Remove ") == 4


QUERIES = 12
