"""The session's state machine and its actions: legal moves, refusals that change
nothing, the pre-dose gate, doses against the plan, discharge criteria, audit rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kapclinic.audit.models import AuditEvent
from kapclinic.dosing import actions
from kapclinic.dosing.actions import DoseEntry, DosingRefused
from kapclinic.dosing.models import (
    Administration,
    DosingSession,
    DosingSitePolicy,
    PregnancyTest,
    SessionAlert,
    SessionState,
)
from kapclinic.dosing.readings import record_readings
from kapclinic.dosing.tests.factories import make_session
from kapclinic.dosing.tests.helpers import (
    ALDRETE_10,
    NORMAL,
    checked_in_visit,
    complete_checks,
    dosing_session,
    give,
    make_ready,
)
from kapclinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Resource,
    TypeCode,
    WorkingHours,
)
from kapclinic.test import Cast
from kapclinic.treatment.models import Drug, Route

pytestmark = pytest.mark.django_db
S = SessionState


def _snapshot(session: DosingSession) -> tuple[object, ...]:
    session.refresh_from_db()
    return (
        session.state,
        session.first_dose_at,
        Administration.objects.filter(session=session).count(),
        session.appointment.status,
    )


def _audit_max() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


# Opening.


def test_nurse_opens_a_session_for_a_checked_in_visit_on_the_signed_plan(cast: Cast) -> None:
    visit = checked_in_visit(cast)
    session = actions.open_session(actor=cast.nurse, appointment=visit, prescriber=cast.prescriber)
    assert session.state == S.SCHEDULED
    assert session.plan.status == "signed"
    assert session.nurse == cast.nurse and session.prescriber_on_site == cast.prescriber
    assert AuditEvent.objects.filter(object_type="dosing.dosingsession", action="create").exists()


def test_open_is_refused_twice(cast: Cast) -> None:
    visit = checked_in_visit(cast)
    actions.open_session(actor=cast.nurse, appointment=visit, prescriber=None)
    with pytest.raises(DosingRefused, match="already open"):
        actions.open_session(actor=cast.nurse, appointment=visit, prescriber=None)
    assert DosingSession.objects.count() == 1


def test_open_is_refused_for_a_visit_not_checked_in(cast: Cast) -> None:
    visit = checked_in_visit(cast)
    Appointment.objects.filter(pk=visit.pk).update(status="booked")
    with pytest.raises(DosingRefused, match="Check the patient in"):
        actions.open_session(actor=cast.nurse, appointment=visit, prescriber=None)
    assert not DosingSession.objects.exists()


def test_open_is_refused_to_a_nurse_at_another_site_and_without_a_signed_plan(
    cast: Cast,
) -> None:
    visit = checked_in_visit(cast)
    with pytest.raises(DosingRefused, match="site"):
        actions.open_session(actor=cast.outsider, appointment=visit, prescriber=None)
    visit.patient.treatment_plans.update(status="superseded")
    with pytest.raises(DosingRefused, match="no signed treatment plan"):
        actions.open_session(actor=cast.nurse, appointment=visit, prescriber=None)
    assert not DosingSession.objects.exists()


def test_start_checks_puts_the_visit_in_progress(cast: Cast) -> None:
    session = make_session(cast, state=S.SCHEDULED)
    actions.start_checks(actor=cast.nurse, session=session)
    assert _snapshot(session)[::3] == (S.PRE_CHECKS, "in_progress")


# The pre-dose gate.


def test_start_without_readiness_lists_every_missing_step_and_changes_nothing(cast: Cast) -> None:
    session = make_session(cast)
    before, marker = _snapshot(session), _audit_max()
    with pytest.raises(DosingRefused) as refused:
        actions.start_dosing(actor=cast.nurse, session=session)
    reasons = refused.value.reasons
    assert "screening not approved by a prescriber" in reasons
    assert "treatment plan not signed" in reasons
    assert "identity not confirmed" in reasons
    assert any("baseline vital signs" in r for r in reasons)
    assert any("transport home" in r for r in reasons)
    assert _snapshot(session) == before
    assert not AuditEvent.objects.filter(id__gt=marker).exists()


def test_start_with_readiness_and_complete_checks_moves_to_dosing(cast: Cast) -> None:
    session = dosing_session(cast)
    assert session.state == S.DOSING
    assert AuditEvent.objects.filter(detail__what="state", detail__to="dosing").exists()


def test_baseline_alert_holds_the_dose_until_a_prescriber_overrides(cast: Cast) -> None:
    make_ready(cast)
    session = make_session(cast)
    complete_checks(cast, session, baseline={**NORMAL, "systolic": 150})
    with pytest.raises(DosingRefused) as refused:
        actions.start_dosing(actor=cast.nurse, session=session)
    assert refused.value.reasons == ["1 pre-dose alert need a prescriber's override"]
    with pytest.raises(DosingRefused, match="role"):
        actions.override_pre_dose_alerts(actor=cast.nurse, session=session, reason="fine")
    with pytest.raises(DosingRefused, match="reason"):
        actions.override_pre_dose_alerts(actor=cast.prescriber, session=session, reason=" ")
    actions.override_pre_dose_alerts(
        actor=cast.prescriber, session=session, reason="Anxious on arrival; repeat was lower."
    )
    assert AuditEvent.objects.filter(detail__what="pre_dose_override").exists()
    actions.start_dosing(actor=cast.nurse, session=session)
    session.refresh_from_db()
    assert session.state == S.DOSING


def test_a_new_alert_after_the_override_holds_the_dose_again(cast: Cast) -> None:
    make_ready(cast)
    session = make_session(cast)
    complete_checks(cast, session, baseline={**NORMAL, "systolic": 150})
    actions.override_pre_dose_alerts(actor=cast.prescriber, session=session, reason="Known.")
    later = timezone.now() + dt.timedelta(seconds=1)
    record_readings(session=session, readings=[{**NORMAL, "spo2": 89}], actor=cast.nurse)
    SessionAlert.objects.filter(rule="spo2").update(raised_at=later)
    with pytest.raises(DosingRefused):
        actions.start_dosing(actor=cast.nurse, session=session)


def test_esketamine_fasting_and_site_pregnancy_test(cast: Cast) -> None:
    make_ready(cast)
    session = make_session(cast)
    session.plan.route, session.plan.drug = Route.INTRANASAL, Drug.ESKETAMINE
    DosingSitePolicy.objects.create(site=cast.site, pregnancy_test_required=True)
    complete_checks(cast, session)
    actions.save_checklist(
        actor=cast.nurse,
        session=session,
        last_liquid_at=timezone.now() - dt.timedelta(minutes=10),
    )
    problems = actions.checklist_problems(session, session.pre_dose_check, timezone.now())
    assert problems == [
        "last liquids less than 30 minutes ago",
        "pregnancy test result not recorded",
    ]
    actions.save_checklist(actor=cast.nurse, session=session, pregnancy_test=PregnancyTest.NEGATIVE)
    session.pre_dose_check.refresh_from_db()
    later = timezone.now() + dt.timedelta(minutes=25)
    assert actions.checklist_problems(session, session.pre_dose_check, later) == []


# Administration.


def test_dose_within_the_plan_sets_first_dose_time(cast: Cast) -> None:
    session = dosing_session(cast)
    row = give(cast, session, "20", minutes_ago=3)
    give(cast, session, "15")
    session.refresh_from_db()
    assert session.first_dose_at == row.started_at
    assert actions.total_given(session) == Decimal("35")


def test_dose_above_the_plan_is_refused_also_summed_and_changes_nothing(cast: Cast) -> None:
    session = dosing_session(cast)
    before, marker = _snapshot(session), _audit_max()
    with pytest.raises(DosingRefused, match=r"36 mg .* plan's 35 mg"):
        give(cast, session, "36")
    assert _snapshot(session) == before
    assert not AuditEvent.objects.filter(id__gt=marker).exists()
    give(cast, session, "30")
    with pytest.raises(DosingRefused, match="exceed"):
        give(cast, session, "5.01")
    assert actions.total_given(session) == Decimal("30")


def test_a_correction_replaces_the_dose_it_corrects(cast: Cast) -> None:
    session = dosing_session(cast)
    wrong = give(cast, session, "30")
    now = timezone.now()
    actions.record_administration(
        actor=cast.nurse,
        session=session,
        entry=DoseEntry(Decimal("35"), "LOT-42", now, rate_mg_per_hour=Decimal("52.5")),
        corrects=wrong,
    )
    assert actions.total_given(session) == Decimal("35")
    assert Administration.objects.filter(session=session).count() == 2
    with pytest.raises(DosingRefused, match="already been corrected"):
        actions.record_administration(
            actor=cast.nurse,
            session=session,
            entry=DoseEntry(Decimal("1"), "LOT-42", now, rate_mg_per_hour=Decimal("1")),
            corrects=wrong,
        )


def test_infusion_needs_rate_or_end_and_computes_the_rate(cast: Cast) -> None:
    session = dosing_session(cast)
    start = timezone.now() - dt.timedelta(minutes=40)
    with pytest.raises(DosingRefused, match="rate or the end time"):
        actions.record_administration(
            actor=cast.nurse, session=session, entry=DoseEntry(Decimal("35"), "L1", start)
        )
    row = actions.record_administration(
        actor=cast.nurse,
        session=session,
        entry=DoseEntry(Decimal("35"), "L1", start, ended_at=start + dt.timedelta(minutes=40)),
    )
    assert row.rate_mg_per_hour == Decimal("52.50")


def test_esketamine_devices_are_28_mg_and_5_minutes_apart(cast: Cast) -> None:
    session = dosing_session(cast)
    plan = session.plan
    type(plan).objects.filter(pk=plan.pk).update(
        route=Route.INTRANASAL, drug=Drug.ESKETAMINE, dose_mg=Decimal("56")
    )
    start = timezone.now() - dt.timedelta(minutes=10)
    first = DoseEntry(Decimal("28"), "ESK-1", start)
    actions.record_administration(actor=cast.nurse, session=session, entry=first)
    with pytest.raises(DosingRefused, match="5 minutes apart"):
        actions.record_administration(
            actor=cast.nurse,
            session=session,
            entry=DoseEntry(Decimal("28"), "ESK-1", start + dt.timedelta(minutes=4)),
        )
    with pytest.raises(DosingRefused, match="28 mg"):
        actions.record_administration(
            actor=cast.nurse,
            session=session,
            entry=DoseEntry(Decimal("14"), "ESK-1", start + dt.timedelta(minutes=6)),
        )
    actions.record_administration(
        actor=cast.nurse,
        session=session,
        entry=DoseEntry(Decimal("28"), "ESK-1", start + dt.timedelta(minutes=5)),
    )
    assert actions.total_given(session) == Decimal("56")


def test_dose_refused_before_dosing_starts(cast: Cast) -> None:
    session = make_session(cast)
    with pytest.raises(DosingRefused, match="pre-dose checks"):
        give(cast, session, "10")


# Observation and discharge.


def _observed(cast: Cast, minutes_ago: int = 130) -> DosingSession:
    session = dosing_session(cast)
    give(cast, session, "35", minutes_ago=minutes_ago)
    actions.finish_dose(actor=cast.nurse, session=session)
    session.refresh_from_db()
    return session


def _all_criteria(cast: Cast, session: DosingSession) -> None:
    record_readings(session=session, readings=[{**NORMAL, "moaas": 5}], actor=cast.nurse)
    actions.rate_dissociation(actor=cast.nurse, session=session, items=[0] * 6, resolved=True)
    actions.assess_for_discharge(
        actor=cast.nurse,
        session=session,
        score_kind="aldrete",
        items=ALDRETE_10,
        escort_confirmed=True,
        no_driving_advice_given=True,
    )


def test_discharge_before_120_minutes_is_refused_and_changes_nothing(cast: Cast) -> None:
    session = _observed(cast, minutes_ago=100)
    _all_criteria(cast, session)
    before, marker = _snapshot(session), _audit_max()
    with pytest.raises(DosingRefused) as refused:
        actions.mark_ready(actor=cast.nurse, session=session)
    assert refused.value.reasons == ["Not yet the minimum observation time since the first dose."]
    assert _snapshot(session) == before
    assert not AuditEvent.objects.filter(id__gt=marker).exists()


def test_unmet_criteria_are_all_listed(cast: Cast) -> None:
    session = _observed(cast)
    with pytest.raises(DosingRefused) as refused:
        actions.mark_ready(actor=cast.nurse, session=session)
    # All but the observation time and the vitals (the normal baseline is the last set).
    assert len(refused.value.reasons) == 5


def test_discharge_after_all_criteria_completes_the_visit(cast: Cast) -> None:
    session = _observed(cast)
    _all_criteria(cast, session)
    actions.mark_ready(actor=cast.nurse, session=session)
    actions.discharge(actor=cast.nurse, session=session)
    session.refresh_from_db()
    assert session.state == S.DISCHARGED and session.discharged_at is not None
    assert session.appointment.status == "completed"
    # No integration type at the site: a task is left on the board.
    assert "site offers none" in session.integration_task


def test_prescriber_exception_lets_a_patient_leave_but_not_before_rems_time(cast: Cast) -> None:
    session = _observed(cast)
    with pytest.raises(DosingRefused, match="role"):
        actions.document_discharge_exception(actor=cast.nurse, session=session, reason="x")
    actions.document_discharge_exception(
        actor=cast.prescriber, session=session, reason="Collected by paramedic escort."
    )
    assert AuditEvent.objects.filter(detail__what="discharge_exception").exists()
    actions.mark_ready(actor=cast.nurse, session=session)
    session.refresh_from_db()
    assert session.state == S.READY_FOR_DISCHARGE


def test_abort_needs_a_reason_and_is_impossible_after_discharge(cast: Cast) -> None:
    session = dosing_session(cast)
    with pytest.raises(DosingRefused, match="reason"):
        actions.abort_session(actor=cast.nurse, session=session, reason="")
    actions.abort_session(actor=cast.nurse, session=session, reason="Vomiting, patient asked.")
    session.refresh_from_db()
    assert session.state == S.ABORTED and session.abort_reason
    with pytest.raises(DosingRefused):
        actions.abort_session(actor=cast.nurse, session=session, reason="again")


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (S.SCHEDULED, "start_dosing"),
        (S.PRE_CHECKS, "finish_dose"),
        (S.DOSING, "mark_ready"),
        (S.OBSERVATION, "discharge"),
        (S.DISCHARGED, "start_checks"),
    ],
)
def test_illegal_moves_are_refused(cast: Cast, state: str, action: str) -> None:
    session = make_session(cast, state=state)
    with pytest.raises(DosingRefused, match="not possible now"):
        getattr(actions, action)(actor=cast.nurse, session=session)
    session.refresh_from_db()
    assert session.state == state


def test_outsiders_cannot_act(cast: Cast) -> None:
    session = make_session(cast)
    for user in (cast.outsider, cast.front_desk, cast.therapist):
        with pytest.raises(DosingRefused):
            actions.abort_session(actor=user, session=session, reason="no")
    session.refresh_from_db()
    assert session.state == S.PRE_CHECKS


def test_alert_acknowledged_once_by_name(cast: Cast) -> None:
    session = dosing_session(cast)
    record_readings(session=session, readings=[{**NORMAL, "spo2": 85}], actor=cast.nurse)
    alert = SessionAlert.objects.get(rule="spo2")
    actions.acknowledge_alert(actor=cast.prescriber, alert=alert, note="Oxygen on.")
    assert alert.acknowledged_by == cast.prescriber and alert.acknowledged_at is not None
    with pytest.raises(DosingRefused, match="already"):
        actions.acknowledge_alert(actor=cast.nurse, alert=alert)
    assert AuditEvent.objects.filter(detail__what="alert_acknowledged").count() == 1


def test_therapist_notes_only_by_therapists_on_the_care_team(cast: Cast) -> None:
    session = dosing_session(cast)
    with pytest.raises(DosingRefused):
        actions.add_session_note(actor=cast.therapist, session=session, text="Calm.")
    from kapclinic.patients.models import CareTeamMember

    CareTeamMember.objects.create(patient=cast.patient, user=cast.therapist, role="therapist")
    note = actions.add_session_note(actor=cast.therapist, session=session, text="Calm.")
    assert note.author == cast.therapist


def test_adverse_event_needs_action_and_description_for_other(cast: Cast) -> None:
    session = dosing_session(cast)
    with pytest.raises(DosingRefused, match="Describe"):
        actions.record_adverse_event(
            actor=cast.nurse, session=session, kind="other", severity="mild", action_taken="x"
        )
    with pytest.raises(DosingRefused, match="done"):
        actions.record_adverse_event(
            actor=cast.nurse, session=session, kind="nausea", severity="mild", action_taken=""
        )
    event = actions.record_adverse_event(
        actor=cast.nurse,
        session=session,
        kind="nausea",
        severity="mild",
        action_taken="Ondansetron",
    )
    assert event.get_kind_display() == "Nausea"


def test_cadss6_is_scored_and_impossible_items_refused(cast: Cast) -> None:
    session = dosing_session(cast)
    rating = actions.rate_dissociation(
        actor=cast.nurse, session=session, items=[1, 2, 0, 0, 4, 1], resolved=False
    )
    assert rating.total == 8
    with pytest.raises(DosingRefused, match="CADSS-6"):
        actions.rate_dissociation(
            actor=cast.nurse, session=session, items=[5, 0, 0, 0, 0, 0], resolved=False
        )


def test_discharge_books_the_integration_session_the_plan_calls_for(cast: Cast) -> None:
    AppointmentType.objects.create(
        site=cast.site,
        code=TypeCode.INTEGRATION,
        name="Integration session",
        duration_minutes=50,
        provider_roles=["therapist"],
        resource=Resource.NONE,
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(
            staff=cast.therapist,
            site=cast.site,
            weekday=day,
            start_time=dt.time(9),
            end_time=dt.time(17),
        )
        for day in range(7)
    )
    session = _observed(cast)
    _all_criteria(cast, session)
    actions.mark_ready(actor=cast.nurse, session=session)
    actions.discharge(actor=cast.nurse, session=session)
    session.refresh_from_db()
    booked = session.integration_appointment
    assert booked is not None and session.integration_task == ""
    assert booked.appointment_type.code == TypeCode.INTEGRATION
    assert booked.patient == cast.patient and booked.start > timezone.now()
