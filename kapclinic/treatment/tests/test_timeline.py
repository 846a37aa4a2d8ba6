"""The pathway timeline: every kind of record, newest first, constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kapclinic.scheduling.tests.helpers import make_appointment
from kapclinic.test import Cast, login
from kapclinic.treatment.plan_actions import save_draft, sign_plan
from kapclinic.treatment.tests.helpers import make_eligible, plan_data, protocol, weigh
from kapclinic.treatment.timeline import timeline


def _signed_version(cast: Cast, amount: str) -> None:
    plan = save_draft(
        cast.patient,
        actor=cast.prescriber,
        protocol=protocol(cast.patient),
        data=plan_data(amount=Decimal(amount)),
    )
    sign_plan(plan, actor=cast.prescriber)


def test_timeline_holds_each_kind_newest_first(cast: Cast) -> None:
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70")
    _signed_version(cast, "0.5")
    make_appointment(cast)
    entries = timeline(cast.patient)
    kinds = {entry.kind for entry in entries}
    assert kinds == {"stage", "screening", "plan", "booking"}
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    titles = [e.title for e in entries]
    assert "Plan version 1 signed" in titles and "Screening signed: eligible" in titles
    assert sum("→" in t for t in titles) == 4  # consultation to plan signed


def test_timeline_page_queries_stay_constant(cast: Cast, client: Client) -> None:
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70")
    _signed_version(cast, "0.5")
    make_appointment(cast)
    login(client, cast.nurse)
    url = reverse("treatment:timeline", kwargs={"pk": cast.patient.pk})
    client.get(url)  # the session's first request records the sign-in's activity
    with CaptureQueriesContext(connection) as few:
        page = client.get(url)
    assert page.status_code == 200 and "Plan version 1 signed" in page.content.decode()
    for day, amount in enumerate(("0.4", "0.45", "0.3")):
        _signed_version(cast, amount)
        # A day apart: PostgreSQL refuses overlapping visits for one clinician.
        make_appointment(cast, start=timezone.now() + dt.timedelta(days=40 + day))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many) == TIMELINE_QUERIES


TIMELINE_QUERIES = 16  # 15, plus the nurse's sites for the scope of today's dosing visits


def test_therapist_outside_the_care_team_gets_404(cast: Cast, client: Client) -> None:
    login(client, cast.therapist)
    url = reverse("treatment:timeline", kwargs={"pk": cast.patient.pk})
    assert client.get(url).status_code == 404
