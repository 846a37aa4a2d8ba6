"""Waitlist: a freed slot goes to waiting patients, first come first served."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from kapclinic.scheduling import actions, waitlist
from kapclinic.scheduling.models import Appointment, WaitlistEntry
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at
from kapclinic.test import make_patient

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
VISIT = at(MONDAY + dt.timedelta(days=1), 10)


@pytest.fixture
def freed(schedule: Schedule, time_machine) -> Appointment:
    time_machine.move_to(NOW, tick=False)
    return actions.book_appointment(
        actor=schedule.cast.front_desk,
        patient=schedule.cast.patient,
        appointment_type=schedule.consultation,
        start=VISIT,
        clinician=schedule.cast.prescriber.pk,
        room=schedule.consulting_room.pk,
    )


def join(schedule: Schedule, patient, **kw) -> WaitlistEntry:
    return waitlist.join_waitlist(
        actor=schedule.cast.front_desk,
        patient=patient,
        appointment_type=schedule.consultation,
        **kw,
    )


def claim_links() -> dict[str, str]:
    """Each offer e-mail's recipient and its claim link's path."""
    links = {}
    for message in mail.outbox:
        url = next(w for w in message.body.split() if "/r/offer/" in w)
        links[message.to[0]] = url[url.index("/r/") :]
    return links


def test_first_to_claim_gets_the_slot_later_ones_stay_waiting(
    schedule, freed, client, django_capture_on_commit_callbacks
):
    cast = schedule.cast
    third = make_patient(cast.site, "MRN-0003", "Tia", "Third", email="tia@test.example")
    first = join(schedule, cast.other_patient)
    second = join(schedule, third)
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel(actor=cast.front_desk, appointment=freed, reason="Unwell")
    links = claim_links()
    assert set(links) == {"oscar@test.example", "tia@test.example"}
    assert "Tuesday 8 January 2030 at 10:00 AM EST" in mail.outbox[0].body

    # The second in line happens to click first: first come, first served by claim.
    response = client.post(links["tia@test.example"])
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "booked"
    booked = Appointment.objects.get(patient=third, status="booked")
    assert booked.start == freed.start and booked.clinician_id == freed.clinician_id

    response = client.post(links["oscar@test.example"])
    assert response.status_code == 409
    assert "someone else has just taken this time" in response.content.decode()
    first.refresh_from_db()
    assert first.status == "waiting"
    assert not Appointment.objects.filter(patient=cast.other_patient).exists()


def test_offers_go_out_oldest_entry_first(schedule, freed):
    cast = schedule.cast
    third = make_patient(cast.site, "MRN-0003", "Tia", "Third", email="tia@test.example")
    join(schedule, third)
    join(schedule, cast.other_patient)
    actions.cancel(actor=cast.front_desk, appointment=freed, reason="Unwell")
    assert waitlist.offer_freed_slot(freed.pk) == 2
    assert [m.to[0] for m in mail.outbox] == ["tia@test.example", "oscar@test.example"]


def test_only_entries_whose_range_holds_the_day_are_offered(schedule, freed):
    cast = schedule.cast
    day = VISIT.date()
    join(schedule, cast.other_patient, earliest=day + dt.timedelta(days=1))
    actions.cancel(actor=cast.front_desk, appointment=freed, reason="Unwell")
    assert waitlist.offer_freed_slot(freed.pk) == 0


def test_no_offer_for_a_slot_that_is_still_booked(schedule, freed):
    join(schedule, schedule.cast.other_patient)
    assert waitlist.offer_freed_slot(freed.pk) == 0
    assert mail.outbox == []


def test_a_claimed_link_cannot_book_twice(schedule, freed, client):
    entry = join(schedule, schedule.cast.other_patient)
    actions.cancel(actor=schedule.cast.front_desk, appointment=freed, reason="Unwell")
    waitlist.offer_freed_slot(freed.pk)
    (link,) = claim_links().values()
    assert client.post(link).status_code == 302
    assert client.post(link).status_code == 200  # shows "booked for you", books nothing more
    assert Appointment.objects.filter(patient=entry.patient).count() == 1


def test_joining_checks_the_dates_and_duplicates(schedule, time_machine):
    time_machine.move_to(NOW, tick=False)
    patient = schedule.cast.other_patient
    with pytest.raises(waitlist.WaitlistError, match="on or after"):
        join(schedule, patient, earliest=dt.date(2030, 2, 2), latest=dt.date(2030, 2, 1))
    join(schedule, patient)
    with pytest.raises(waitlist.WaitlistError, match="already on the waitlist"):
        join(schedule, patient)


def test_a_patient_cannot_put_someone_else_on_the_list(schedule):
    with pytest.raises(waitlist.WaitlistError):
        waitlist.join_waitlist(
            actor=schedule.cast.patient_user,
            patient=schedule.cast.other_patient,
            appointment_type=schedule.consultation,
        )
    assert not WaitlistEntry.objects.exists()


def test_forged_offer_link(client, cast):
    response = client.get(reverse("reminders:claim", args=["forged"]))
    assert "This link no longer works" in response.content.decode()


def test_patient_joins_and_leaves_from_their_page(schedule, client, time_machine):
    from kapclinic.test import login

    time_machine.move_to(NOW, tick=False)
    login(client, schedule.cast.patient_user)
    url = reverse("reminders:my_waitlist")
    page = client.get(url).content.decode()
    assert "Follow-up call" in page and "IM ketamine session" not in page  # self-bookable only
    response = client.post(
        url,
        {
            "action": "join",
            "appointment_type": schedule.follow_up.pk,
            "earliest": "2030-01-10",
            "latest": "2030-01-31",
        },
    )
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get(patient=schedule.cast.patient)
    assert (entry.earliest, entry.latest) == (dt.date(2030, 1, 10), dt.date(2030, 1, 31))
    bad = client.post(
        url,
        {"action": "join", "appointment_type": schedule.follow_up.pk, "earliest": "soon"},
    )
    assert bad.status_code == 400 and "Enter a valid date" in bad.content.decode()
    assert client.post(url, {"action": "leave", "entry": entry.pk}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "withdrawn"


def test_front_desk_adds_a_patient(schedule, client, time_machine):
    from kapclinic.test import login

    time_machine.move_to(NOW, tick=False)
    login(client, schedule.cast.front_desk)
    patient = schedule.cast.other_patient
    url = reverse("reminders:patient_waitlist", args=[patient.pk])
    response = client.post(url, {"action": "join", "appointment_type": schedule.consultation.pk})
    assert response.status_code == 302
    assert WaitlistEntry.objects.filter(patient=patient, status="waiting").count() == 1
