"""The portal home names the patient's next visit, in its site's time, or says there
is none; before, it listed next steps but never when the patient was next expected."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from kapclinic.scheduling import actions
from kapclinic.scheduling.tests.conftest import MONDAY, Schedule, at
from kapclinic.test import login

pytestmark = pytest.mark.django_db


def _book(schedule: Schedule, hour: int) -> None:
    actions.book_appointment(
        actor=schedule.cast.front_desk,
        patient=schedule.cast.patient,
        appointment_type=schedule.consultation,
        start=at(MONDAY, hour),
        clinician=schedule.cast.prescriber.pk,
        room=schedule.consulting_room.pk,
    )


def test_the_portal_home_names_the_next_visit(client: Client, schedule: Schedule) -> None:
    with time_machine.travel(at(MONDAY, 9) - dt.timedelta(days=3), tick=False):
        _book(schedule, 14)
        _book(schedule, 10)
        login(client, schedule.cast.patient_user)
        body = client.get(reverse("patients:portal")).content.decode()
    assert "Your next visit:" in body
    assert "Initial consultation, Monday 7 January 2030, 10:00</a> (Site A time)" in body
    assert "14:00" not in body


def test_without_a_visit_the_portal_home_says_so(client: Client, schedule: Schedule) -> None:
    login(client, schedule.cast.patient_user)
    body = client.get(reverse("patients:portal")).content.decode()
    assert "You have no visit booked." in body
