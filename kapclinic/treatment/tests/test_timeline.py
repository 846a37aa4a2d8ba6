"""The pathway timeline: every kind of record, newest first, constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kapclinic.consent import actions as consent_actions
from kapclinic.consent.tests.helpers import patient_signs
from kapclinic.patients.models import CareTeamMember, PathwayStage
from kapclinic.preparation import actions as preparation_actions
from kapclinic.preparation.checklist import PATIENT_ITEMS, STAFF_ITEMS
from kapclinic.preparation.walk import FILLED
from kapclinic.scheduling.models import TypeCode
from kapclinic.scheduling.tests.helpers import make_appointment
from kapclinic.test import Cast, login
from kapclinic.treatment.plan_actions import save_draft, sign_plan
from kapclinic.treatment.tests.helpers import make_eligible, plan_data, protocol, weigh
from kapclinic.treatment.timeline import next_dose, timeline
from kapclinic.treatment.walk import walk_to

# Dosing visits are IV sessions with the cast's nurse.
IV = TypeCode.DOSING_IV


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


def _consent_and_preparation(cast: Cast, time_machine, start: dt.datetime) -> None:
    """The patient signs and the prescriber countersigns; the patient writes their
    preparation and a therapist on the care team marks it complete; the patient
    then withdraws that consent. Each step a minute after the one before."""
    CareTeamMember.objects.get_or_create(
        patient=cast.patient, user=cast.therapist, defaults={"role": "therapist"}
    )
    steps = iter(range(1, 100))

    def step() -> None:
        time_machine.move_to(start + dt.timedelta(minutes=next(steps)), tick=False)

    step()
    consent = patient_signs(cast)
    step()
    consent_actions.countersign(consent, actor=cast.prescriber)
    step()
    preparation_actions.save_patient_part(
        cast.patient, actor=cast.patient_user, values={"warning_signs": "Bad nights"}
    )
    step()
    preparation_actions.save_patient_part(
        cast.patient,
        actor=cast.patient_user,
        values={**FILLED, "checklist": [code for code, _ in PATIENT_ITEMS]},
    )
    step()
    # A later change to the intentions does not move the day they were first written.
    preparation_actions.save_patient_part(
        cast.patient, actor=cast.patient_user, values={"intentions": "To sleep again."}
    )
    step()
    preparation_actions.save_staff_checklist(
        cast.patient, actor=cast.nurse, ticked=[code for code, _ in STAFF_ITEMS]
    )
    step()
    preparation_actions.mark_complete(cast.patient, actor=cast.therapist)
    step()
    consent_actions.withdraw(consent, actor=cast.patient_user, reason="I want to wait a month.")


def test_consent_and_preparation_join_the_timeline_in_order_and_in_words(
    cast: Cast, time_machine
) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70")
    _signed_version(cast, "0.5")
    _consent_and_preparation(cast, time_machine, start)
    entries = [e for e in timeline(cast.patient) if e.kind in {"consent", "preparation"}]
    form = "Consent to ketamine-assisted therapy by intravenous infusion, version 1"
    assert [(e.title, e.detail) for e in entries] == [
        ("Consent withdrawn", f"{form} by the patient: I want to wait a month."),
        ("Preparation marked complete", "by Theo Therapist"),
        ("Intentions written by the patient", ""),
        ("Preparation started", ""),
        ("Consent countersigned", f"{form} by Priya Prescriber"),
        ("Consent signed by the patient", form),
    ]
    assert entries[2].at == start + dt.timedelta(minutes=4)
    everything = timeline(cast.patient)
    assert [e.at for e in everything] == sorted((e.at for e in everything), reverse=True)
    # Among the other entries: the plan was signed before any of it, and marking the
    # preparation complete moved the pathway to the dosing phase.
    titles = [e.title for e in everything]
    assert titles.index("Consent signed by the patient") < titles.index("Plan version 1 signed")
    stage_moves = [e for e in everything if e.kind == "stage"]
    assert stage_moves[0].title.endswith("→ Dosing phase")


def test_a_staff_withdrawal_names_who_withdrew(cast: Cast) -> None:
    make_eligible(cast.patient, cast.prescriber)
    consent = patient_signs(cast)
    consent_actions.withdraw(consent, actor=cast.prescriber, reason="Started a new medicine.")
    [withdrawn] = [e for e in timeline(cast.patient) if e.title == "Consent withdrawn"]
    assert withdrawn.detail.endswith("by Priya Prescriber: Started a new medicine.")


def test_next_dose_names_what_is_missing_on_its_day(cast: Cast, client: Client) -> None:
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70")
    _signed_version(cast, "0.5")  # re-evaluate in 42 days
    soon = timezone.now() + dt.timedelta(days=10)
    make_appointment(
        cast, start=soon - dt.timedelta(days=20), status="completed", code=IV
    )  # past: not next
    make_appointment(cast, start=soon + dt.timedelta(days=1), status="cancelled", code=IV)
    make_appointment(cast, start=soon, code=IV)
    dose = next_dose(cast.patient)
    assert dose is not None and dose.start == soon and dose.kind == "IV ketamine session"
    assert [step.step for step in dose.readiness.missing] == [
        "consent",
        "preparation",
        "contact",
        "stage",
    ]
    login(client, cast.prescriber)
    page = client.get(reverse("treatment:timeline", kwargs={"pk": cast.patient.pk})).content
    assert "Not ready for dosing: consent" in page.decode()


def test_next_dose_is_ready_once_every_step_is_done(cast: Cast, client: Client) -> None:
    assert next_dose(cast.patient) is None
    walk_to(cast.patient, PathwayStage.DOSING, actor=cast.prescriber)
    make_appointment(cast, start=timezone.now() + dt.timedelta(days=5), code=IV)
    dose = next_dose(cast.patient)
    assert dose is not None and dose.readiness.ready
    login(client, cast.prescriber)
    page = client.get(reverse("treatment:timeline", kwargs={"pk": cast.patient.pk})).content
    assert "Ready to be dosed that day" in page.decode()


def test_timeline_page_queries_stay_constant(cast: Cast, client: Client, time_machine) -> None:
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70")
    _signed_version(cast, "0.5")
    make_appointment(cast)
    make_appointment(cast, start=timezone.now() + dt.timedelta(days=30), code=IV)
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
    _consent_and_preparation(cast, time_machine, timezone.now())
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=1), tick=True)
    # A second signature, countersigned, after the first was withdrawn.
    consent_actions.countersign(patient_signs(cast), actor=cast.prescriber)
    client.get(url)  # the clock moved on: this request records the session's activity
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    text = page.content.decode()
    assert "Consent withdrawn" in text and "Intentions written by the patient" in text
    assert (len(few), len(many)) == (TIMELINE_QUERIES, TIMELINE_QUERIES)


# 16 before consent and preparation (the nurse's sites for the scope of today's
# dosing visits among them), plus consents, preparations and the patient's saves (3),
# and the next dosing visit with readiness on its day (1 + 8, as the dosing session's
# pre-dose check reads it).
TIMELINE_QUERIES = 29


def test_therapist_outside_the_care_team_gets_404(cast: Cast, client: Client) -> None:
    login(client, cast.therapist)
    url = reverse("treatment:timeline", kwargs={"pk": cast.patient.pk})
    assert client.get(url).status_code == 404
