"""A patient reads times on their clinic's clock. The server keeps UTC, so at 23:30 UTC
a patient in New York (18:30) was told an entry was saved at 23:30, on the wrong day
after 19:00."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from kapclinic.journal import actions
from kapclinic.test import Cast, login

pytestmark = pytest.mark.django_db

LATE_EVENING_IN_NEW_YORK = dt.datetime(2030, 1, 8, 3, 30, tzinfo=dt.UTC)  # 7 Jan, 22:30


def test_a_saved_entry_shows_the_clinic_day_and_time(cast: Cast, client: Client) -> None:
    cast.site.time_zone = "America/New_York"
    cast.site.save()
    with time_machine.travel(LATE_EVENING_IN_NEW_YORK - dt.timedelta(minutes=5), tick=False):
        entry = actions.start_entry(actor=cast.patient_user, patient=cast.patient, session=None)
    with time_machine.travel(LATE_EVENING_IN_NEW_YORK, tick=False):
        login(client, cast.patient_user)
        url = reverse("journal:entry", args=[entry.pk])
        saved = client.post(url, {"body": "Calmer today.", "session": ""}, HTTP_HX_REQUEST="true")
        page = client.get(url).content.decode()
    assert saved.content.decode() == "Saved at 22:30."
    assert "Last saved 7 January, 22:30." in page
