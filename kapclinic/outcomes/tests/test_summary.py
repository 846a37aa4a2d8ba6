"""outcomes.summary: the per-patient outcome summary equals the definitions after any
sequence of writes, and every action that changes an input refreshes it."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kapclinic.dosing.models import DosingSession
from kapclinic.dosing.tests.helpers import dosing_session, give
from kapclinic.outcomes import actions, analytics, change
from kapclinic.outcomes.models import OutcomeSummary, QuestionnaireResponse
from kapclinic.outcomes.summary import COLUMNS, INSTRUMENTS, VISIT_ROUTES, refresh_summary
from kapclinic.outcomes.tests.history import (
    NOW,
    add_score,
    days_ago,
    dosing_appointment,
    make_plan,
    make_protocol,
)
from kapclinic.patients.actions import record_no_known_allergies
from kapclinic.patients.merge import merge_records
from kapclinic.patients.models import CareTeamMember, PathwayStage, Patient
from kapclinic.patients.tests.test_merge import make_duplicate
from kapclinic.scheduling import actions as scheduling
from kapclinic.scheduling.models import DOSING_CODES, Appointment
from kapclinic.screening import actions as screening
from kapclinic.screening.models import ScreeningRecord
from kapclinic.screening.tests.test_actions import clear_facts
from kapclinic.test import Cast, make_patient
from kapclinic.treatment.models import Route
from kapclinic.treatment.plan_actions import discard_draft, save_draft
from kapclinic.treatment.tests.helpers import make_eligible, plan_data, protocol, weigh
from kapclinic.treatment.walk import walk_to


def _stored(patient: Patient | None = None) -> list[tuple[Any, ...]]:
    rows = OutcomeSummary.objects.order_by("patient_id", "instrument")
    if patient is not None:
        rows = rows.filter(patient=patient)
    return list(rows.values_list(*COLUMNS))


def _row(patient: Patient, code: str = "phq9") -> OutcomeSummary:
    return OutcomeSummary.objects.get(patient=patient, instrument=code)


def _expected(patient: Patient) -> list[tuple[Any, ...]]:
    """The summary rows of one patient, computed row by row in Python from the
    definitions in the module docstring (the oracle for the set-based SQL)."""
    doses: list[tuple[dt.datetime, str]] = []
    for visit in Appointment.objects.filter(patient=patient).select_related("appointment_type"):
        session = DosingSession.objects.filter(appointment=visit).first()
        if session is not None and session.first_dose_at is not None:
            doses.append((session.first_dose_at, visit.appointment_type.code))
        elif (
            session is None
            and visit.appointment_type.code in DOSING_CODES
            and visit.status == "completed"
        ):
            doses.append((visit.start, visit.appointment_type.code))
    doses.sort(key=lambda d: d[0])
    first = doses[0][0] if doses else None
    plan = patient.treatment_plans.order_by("version", "id").first()
    screened = (
        ScreeningRecord.objects.filter(patient=patient, status="signed")
        .order_by("-signed_at", "-id")
        .first()
    )
    indication = str(screened.facts.get("indication") or "") if screened else ""
    route = plan.route if plan else (VISIT_ROUTES.get(doses[0][1], "") if doses else "")
    current = [
        r
        for r in QuestionnaireResponse.objects.filter(
            patient=patient, total__isnull=False
        ).order_by("completed_at", "id")
        if not QuestionnaireResponse.objects.filter(replaces=r).exists()
    ]
    rows = []
    for code in sorted({r.instrument for r in current} & set(INSTRUMENTS)):
        scores = [r for r in current if r.instrument == code]
        assert all(s.total is not None for s in scores)
        before = [s for s in scores if first is not None and s.completed_at < first]
        since = [s for s in scores if first is not None and s.completed_at >= first]
        baseline = before[-1] if before else None
        responded = None
        if baseline is not None:
            b = baseline.total or 0
            for s in since:
                # The trajectory's own rule is the oracle: one definition of a response.
                if change.is_response(code, b, s.total or 0):
                    responded = s.completed_at
                    break
        later = {}
        for weeks in (4, 12):
            due = responded + dt.timedelta(weeks=weeks) if responded else None
            found = [s.total for s in scores if due is not None and s.completed_at >= due]
            later[weeks] = found[0] if found else None
        rows.append(
            (
                patient.pk,
                code,
                first,
                len(doses),
                plan.sessions_planned if plan else None,
                indication,
                route,
                plan.protocol_id if plan else None,
                baseline.total if baseline else None,
                baseline.completed_at if baseline else None,
                scores[-1].total,
                scores[-1].completed_at,
                min((s.total or 0) for s in since) if since else None,
                responded,
                len([d for d in doses if d[0] <= responded]) if responded else None,
                later[4],
                later[12],
            )
        )
    return rows


def test_summary_matches_the_definitions_after_random_writes(cast: Cast) -> None:
    rng = random.Random(11)
    patients = [make_patient(cast.site, f"MRN-S{n}", "Test", f"Summary{n}") for n in range(3)]
    protocols = [
        make_protocol(cast.site),
        make_protocol(cast.site, route=Route.IM, name="IM ketamine"),
    ]
    # Each visit takes its own 2-hour slot: one nurse's visits never overlap.
    slots = iter(rng.sample(range(2000), 200))

    def when() -> dt.datetime:
        return days_ago(200) + dt.timedelta(hours=2 * next(slots))

    for _ in range(80):
        patient = rng.choice(patients)
        step = rng.choice(["score", "score", "score", "correct", "dose", "visit", "plan", "screen"])
        if step == "score":
            code = rng.choice(["phq9", "phq9", "phq9", "gad7", "pcl5"])
            total = rng.randint(0, 27) if code != "pcl5" else rng.randint(0, 80)
            add_score(patient, code, total, when(), by=cast.prescriber)
        elif step == "correct":
            old = QuestionnaireResponse.objects.filter(
                patient=patient, replaced_by__isnull=True
            ).first()
            if old is not None:
                QuestionnaireResponse.objects.create(
                    patient=patient,
                    instrument=old.instrument,
                    answers=[],
                    total=rng.randint(0, 20),
                    entered_by="staff",
                    entered_by_user=cast.prescriber,
                    completed_at=old.completed_at,
                    replaces=old,
                )
        elif step == "dose":
            plan = patient.treatment_plans.first() or make_plan(
                patient, cast.prescriber, protocols[0]
            )
            visit = dosing_appointment(patient, cast.nurse, when(), status="completed")
            given = rng.random() < 0.8
            DosingSession.objects.create(
                appointment=visit,
                patient=patient,
                site=patient.site,
                plan=plan,
                state="discharged" if given else "aborted",
                nurse=cast.nurse,
                first_dose_at=visit.start + dt.timedelta(minutes=5) if given else None,
            )
        elif step == "visit":
            status = rng.choice(["completed", "completed", "booked", "cancelled"])
            dosing_appointment(patient, cast.nurse, when(), status=status)
        elif step == "plan":
            make_plan(
                patient,
                cast.prescriber,
                rng.choice(protocols),
                sessions_planned=rng.randint(2, 8),
            )
        else:
            ScreeningRecord.objects.create(
                patient=patient,
                status="signed",
                facts={"indication": rng.choice(["depression", "ptsd", ""])},
                signed_at=days_ago(rng.randint(0, 300)),
                signed_by=cast.prescriber,
                created_by=cast.prescriber,
                decision="eligible",
                rules_outcome="eligible",
            )
        # The writes above bypass the actions; refresh as the actions do, and only
        # this patient: the other patients' rows must stay right as they are.
        refresh_summary([patient.pk])
        for someone in patients:
            assert _stored(someone) == _expected(someone)
    incremental = _stored()
    assert len({row[1] for row in incremental}) == 3  # every scale came up
    assert any(row[13] is not None for row in incremental)  # and some responses
    refresh_summary(None)
    assert _stored() == incremental


def _cared_for(cast: Cast) -> Patient:
    """The cast's patient, with a baseline score long before any dose."""
    add_score(cast.patient, "phq9", 20, days_ago(30), by=cast.prescriber)
    return cast.patient


def test_a_stored_questionnaire_refreshes_the_summary(cast: Cast) -> None:
    patient = _cared_for(cast)
    actions.submit(actor=cast.prescriber, patient=patient, instrument="phq9", answers=[1] * 9)
    row = _row(patient)
    assert (row.latest, row.latest_at is not None and row.latest_at > days_ago(1)) == (9, True)


def test_a_dose_given_refreshes_the_summary(cast: Cast) -> None:
    patient = _cared_for(cast)
    session = dosing_session(cast)
    assert (_row(patient).doses, _row(patient).first_dose_at) == (0, None)
    give(cast, session, "10")
    session.refresh_from_db()
    row = _row(patient)
    assert (row.doses, row.first_dose_at) == (1, session.first_dose_at)
    assert row.baseline == 20  # the score before the first dose


def test_a_completed_dosing_visit_refreshes_the_summary(cast: Cast) -> None:
    patient = _cared_for(cast)
    visit = dosing_appointment(patient, cast.nurse, days_ago(1), status="in_progress")
    assert _row(patient).doses == 0
    scheduling.change_status(actor=cast.nurse, appointment=visit, to="completed")
    row = _row(patient)
    assert (row.doses, row.first_dose_at, row.baseline) == (1, visit.start, 20)


def test_drafting_and_discarding_the_first_plan_refresh_the_summary(cast: Cast) -> None:
    patient = _cared_for(cast)
    make_eligible(patient, cast.prescriber)
    weigh(patient, "70")
    draft = save_draft(
        patient,
        actor=cast.prescriber,
        protocol=protocol(patient, Route.IM),
        data=plan_data(sessions_planned=5),
    )
    assert (_row(patient).sessions_planned, _row(patient).route) == (5, Route.IM)
    save_draft(
        patient,
        actor=cast.prescriber,
        protocol=protocol(patient, Route.IM),
        data=plan_data(sessions_planned=3),
    )
    assert _row(patient).sessions_planned == 3
    discard_draft(draft, actor=cast.prescriber)
    assert (_row(patient).sessions_planned, _row(patient).protocol_id) == (None, None)


def test_signing_a_screening_refreshes_the_indication(cast: Cast) -> None:
    patient = _cared_for(cast)
    walk_to(patient, PathwayStage.SCREENING, actor=cast.prescriber)
    record_no_known_allergies(actor=cast.prescriber, patient=patient)
    draft = screening.start_screening(
        patient, actor=cast.prescriber, facts=clear_facts(indication="ptsd")
    )
    assert _row(patient).indication == ""
    screening.sign_screening(draft, actor=cast.prescriber, decision="eligible")
    assert _row(patient).indication == "ptsd"


def test_a_merge_moves_the_summary_with_the_scores(cast: Cast) -> None:
    kept = cast.other_patient
    duplicate = make_duplicate(cast, kept)
    CareTeamMember.objects.create(patient=duplicate, user=cast.prescriber, role="prescriber")
    add_score(duplicate, "phq9", 12, days_ago(3), by=cast.prescriber)
    merge_records(actor=cast.front_desk, kept=kept, duplicate=duplicate)
    assert [row[0] for row in _stored()] == [kept.pk]
    assert _row(kept).latest == 12


def test_the_rebuild_command_recomputes_every_row(cast: Cast) -> None:
    add_score(cast.patient, "phq9", 18, days_ago(40), by=cast.prescriber)
    make_plan(cast.patient, cast.prescriber, sessions_planned=4)
    dosing_appointment(cast.patient, cast.nurse, days_ago(30))
    add_score(cast.patient, "phq9", 6, days_ago(20), by=cast.prescriber)
    before = _stored()
    OutcomeSummary.objects.all().delete()
    call_command("rebuild_outcome_summaries", verbosity=0)
    assert _stored() == before and before[0][13] == days_ago(20)


def test_analytics_reads_only_the_summary(cast: Cast) -> None:
    add_score(cast.patient, "phq9", 18, days_ago(40), by=cast.prescriber)
    dosing_appointment(cast.patient, cast.nurse, days_ago(30))
    with CaptureQueriesContext(connection) as ctx:
        analytics.cohorts("phq9", "protocol", sites=None, since=NOW.date() - dt.timedelta(60))
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    assert OutcomeSummary._meta.db_table in sql
    assert QuestionnaireResponse._meta.db_table not in sql
