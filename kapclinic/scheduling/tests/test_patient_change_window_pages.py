"""What a patient reads when a visit is too close to change online (the manage link and
the portal), and after confirming by the link: the clinic's number to call, the window
in hours, and a confirmation in words."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from kapclinic.scheduling import actions, manage_links
from kapclinic.scheduling.models import Appointment
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at
from kapclinic.test import login

pytestmark = pytest.mark.django_db

VISIT = at(MONDAY, 10)


@pytest.fixture
def visit(schedule: Schedule) -> Appointment:
    schedule.cast.site.phone = "+13125550199"
    schedule.cast.site.save()
    with time_machine.travel(VISIT - dt.timedelta(days=10), tick=False):
        return actions.book_appointment(
            actor=schedule.cast.front_desk,
            patient=schedule.cast.patient,
            appointment_type=schedule.consultation,
            start=VISIT,
            clinician=schedule.cast.prescriber.pk,
            room=schedule.consulting_room.pk,
        )


def _manage(visit: Appointment) -> str:
    return reverse("book:manage", args=[manage_links.make_token(visit)])


def test_the_manage_link_inside_the_window_gives_the_number_to_call(
    client: Client, visit: Appointment
) -> None:
    with time_machine.travel(VISIT - dt.timedelta(hours=5), tick=False):
        page = client.get(_manage(visit)).content.decode()
    assert "less than 24 hours away" in page
    assert 'href="tel:+13125550199"' in page


def test_the_manage_link_outside_the_window_offers_the_changes_instead(
    client: Client, visit: Appointment
) -> None:
    with time_machine.travel(VISIT - dt.timedelta(days=3), tick=False):
        page = client.get(_manage(visit)).content.decode()
    assert "Choose another time" in page and "less than 24 hours away" not in page


def test_confirming_by_the_link_says_so_in_words(client: Client, visit: Appointment) -> None:
    with time_machine.travel(VISIT - dt.timedelta(days=3), tick=False):
        page = client.post(_manage(visit), follow=True).content.decode()
    assert "your visit is confirmed" in page


def test_the_portal_inside_the_window_gives_the_number_to_call(
    client: Client, schedule: Schedule, visit: Appointment
) -> None:
    url = reverse("scheduling:portal_appointment", args=[visit.pk])
    with time_machine.travel(VISIT - dt.timedelta(hours=5), tick=False):
        login(client, schedule.cast.patient_user)
        page = client.get(url).content.decode()
    assert 'href="tel:+13125550199"' in page


def test_the_portal_says_whose_clock_a_visit_time_is_on(
    client: Client, schedule: Schedule, visit: Appointment
) -> None:
    with time_machine.travel(VISIT - dt.timedelta(days=3), tick=False):
        login(client, schedule.cast.patient_user)
        listing = client.get(reverse("scheduling:portal")).content.decode()
        one = client.get(reverse("scheduling:portal_appointment", args=[visit.pk])).content
    assert "Monday 7 January 2030, 10:00</strong>" in listing
    assert "(time shown is Site A time)" in listing
    assert "Monday 7 January 2030, 10:00 (Site A time)" in one.decode()


def test_cancelling_in_the_portal_asks_first(
    client: Client, schedule: Schedule, visit: Appointment
) -> None:
    with time_machine.travel(VISIT - dt.timedelta(days=3), tick=False):
        login(client, schedule.cast.patient_user)
        page = client.get(reverse("scheduling:portal_appointment", args=[visit.pk])).content
    assert 'data-confirm="Cancel your initial consultation on Monday 7 January?' in page.decode()
