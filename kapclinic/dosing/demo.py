"""Demo dosing floor: a day in progress at the main demo site.

Chairs at several stages (pre-dose checks, infusion running, observation, ready to
leave) with their readings, and one open urgent alert on the board. The alerts are
the ones `monitoring.alerts_for` raises with the site's thresholds. Like the other
demo modules it writes no audit rows (nobody did these things). Idempotent: nothing
is added once the site has a dosing session. All data synthetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.clinics.models import Chair, Site
from kapclinic.dosing.demo_plans import seeded_protocol, signed_demo_plan
from kapclinic.dosing.models import (
    Administration,
    DischargeAssessment,
    DissociationRating,
    DosingSession,
    PreDoseCheck,
    SessionAlert,
    SessionState,
    VitalReading,
)
from kapclinic.dosing.monitoring import alerts_for
from kapclinic.dosing.readings import VITAL_FIELDS, site_thresholds
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentType, TypeCode
from kapclinic.treatment.models import PlanStatus, Protocol, Route, TreatmentPlan

S = SessionState
# The ketamine lot the demo doses come from: the controlled-substance log demo
# receives it, so the log balances instead of flagging doses from an unknown lot.
KETAMINE_DEMO_LOT = "KET-DEMO-2610"
NORMAL: dict[str, Any] = {
    "systolic": 124,
    "diastolic": 78,
    "heart_rate": 74,
    "spo2": 98,
    "resp_rate": 14,
}


@dataclass(frozen=True)
class Stage:
    state: str
    started_minutes_ago: int
    # Minutes after the first dose at which readings were taken, each with changes.
    readings: tuple[tuple[int, dict[str, Any]], ...] = ()
    dosed_minutes_ago: int | None = None


# Most telling first: a small demo clinic may have few patients in the dosing phase.
STAGES = (
    Stage(
        S.OBSERVATION,
        70,
        (
            (15, {"systolic": 142, "diastolic": 86}),
            (30, {"systolic": 150, "diastolic": 90, "moaas": 4}),
            # The board's open alert: saturation down at the 40-minute check.
            (40, {"systolic": 146, "diastolic": 88, "spo2": 88, "moaas": 4}),
        ),
        dosed_minutes_ago=60,
    ),
    Stage(
        S.READY_FOR_DISCHARGE,
        150,
        (
            (15, {"systolic": 136}),
            (40, {"systolic": 140, "diastolic": 86, "moaas": 4}),
            (120, {"moaas": 5}),
        ),
        dosed_minutes_ago=135,
    ),
    Stage(S.DOSING, 30, ((15, {"systolic": 138, "diastolic": 84}),), dosed_minutes_ago=20),
    Stage(S.PRE_CHECKS, 10),
)


def build_demo_dosing(site: Site, staff: dict[str, User]) -> int:
    """Sessions for today's floor at `site`; returns how many were created."""
    if DosingSession.objects.filter(site=site).exists():
        return 0
    kind = AppointmentType.objects.filter(site=site, code=TypeCode.DOSING_IV).first()
    chairs = list(Chair.objects.filter(room__site=site).order_by("room__name", "name"))
    patients = list(
        Patient.objects.filter(
            site=site, stage__in=(PathwayStage.DOSING, PathwayStage.MAINTENANCE)
        ).order_by("-stage", "mrn")[:8]
    )
    clinicians = [staff[k] for k in ("nurse", "prescriber", "np") if k in staff]
    if kind is None or not chairs or not patients or not clinicians:
        return 0
    nurse, prescriber = staff["nurse"], staff["prescriber"]
    protocol = seeded_protocol(site, Route.IV)
    now = timezone.now().replace(second=0, microsecond=0)
    created = 0
    used_patients: set[int] = set()
    for stage in STAGES:
        start = now - dt.timedelta(minutes=stage.started_minutes_ago)
        end = start + dt.timedelta(minutes=160)
        placed = _place(kind, chairs, clinicians, patients, used_patients, start, end)
        if placed is None:
            continue
        appointment, patient = placed
        used_patients.add(patient.pk)
        _session(stage, appointment, patient, protocol, nurse, prescriber, now)
        created += 1
    return created


def _busy(field: str, pk: int, start: dt.datetime, end: dt.datetime) -> bool:
    return Appointment.objects.filter(
        Q(**{field: pk}),
        status__in=ACTIVE_STATUSES,
        hold_start__lt=end,
        hold_end__gt=start,
    ).exists()


def _place(
    kind: AppointmentType,
    chairs: list[Chair],
    clinicians: list[User],
    patients: list[Patient],
    used: set[int],
    start: dt.datetime,
    end: dt.datetime,
) -> tuple[Appointment, Patient] | None:
    """A visit on a free chair with a free clinician (the schedule's own visits and the
    PostgreSQL no-double-booking constraint both hold), or None if there is none."""
    chair = next((c for c in chairs if not _busy("chair_id", c.pk, start, end)), None)
    clinician = next((u for u in clinicians if not _busy("clinician_id", u.pk, start, end)), None)
    patient = next((p for p in patients if p.pk not in used), None)
    if chair is None or clinician is None or patient is None:
        return None
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                patient=patient,
                appointment_type=kind,
                site_id=kind.site_id,
                clinician=clinician,
                chair=chair,
                start=start,
                end=end,
                hold_start=start,
                hold_end=end,
                status="in_progress",
                status_changed_at=start,
            )
    except IntegrityError:
        return None
    return appointment, patient


def _plan(
    patient: Patient, protocol: Protocol, prescriber: User, now: dt.datetime
) -> TreatmentPlan:
    """The patient's signed plan in force (whatever its route: the demo floor shows the
    chair, not the drug), else a new IV one from the seeded protocol."""
    signed = (
        TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.SIGNED)
        .order_by("-version")
        .first()
    )
    if signed is not None:
        return signed
    return signed_demo_plan(
        patient, protocol, prescriber=prescriber, signed_at=now - dt.timedelta(days=5)
    )


def _session(
    stage: Stage,
    appointment: Appointment,
    patient: Patient,
    protocol: Protocol,
    nurse: User,
    prescriber: User,
    now: dt.datetime,
) -> DosingSession:
    plan = _plan(patient, protocol, prescriber, now)
    start = appointment.start
    session = DosingSession.objects.create(
        appointment=appointment,
        patient=patient,
        site_id=appointment.site_id,
        plan=plan,
        state=S.PRE_CHECKS,
        nurse=nurse,
        prescriber_on_site=prescriber,
        state_changed_at=start,
        created_at=start,
    )
    PreDoseCheck.objects.create(
        session=session,
        identity_confirmed=True,
        no_interacting_substances=stage.state != S.PRE_CHECKS,
        transport_name="" if stage.state == S.PRE_CHECKS else "Family member",
        transport_phone="" if stage.state == S.PRE_CHECKS else "+1 555 0100",
        updated_by=nurse,
        updated_at=start,
    )
    _store(session, [(start + dt.timedelta(minutes=5), NORMAL)], nurse, baseline=None)
    if stage.dosed_minutes_ago is None:
        return session
    first = now - dt.timedelta(minutes=stage.dosed_minutes_ago)
    infusion_end = first + dt.timedelta(minutes=40)
    Administration.objects.create(
        session=session,
        drug=plan.drug,
        route=plan.route,
        dose_mg=plan.dose_mg,
        lot_number=KETAMINE_DEMO_LOT,
        started_at=first,
        ended_at=infusion_end if infusion_end <= now else None,
        rate_mg_per_hour=(plan.dose_mg * Decimal("1.5")).quantize(Decimal("0.01")),
        given_by=nurse,
    )
    DosingSession.objects.filter(pk=session.pk).update(
        state=stage.state, first_dose_at=first, state_changed_at=now
    )
    session.refresh_from_db()
    readings = [
        (first + dt.timedelta(minutes=minute), {**NORMAL, **changes})
        for minute, changes in stage.readings
    ]
    _store(session, readings, nurse, baseline=NORMAL)
    if stage.state == S.READY_FOR_DISCHARGE:
        DissociationRating.objects.create(
            session=session, items=[0] * 6, total=0, resolved=True, rated_by=nurse
        )
        DischargeAssessment.objects.create(
            session=session,
            score_kind=DischargeAssessment.Score.ALDRETE,
            score=10,
            escort_confirmed=True,
            no_driving_advice_given=True,
            assessed_by=nurse,
        )
    return session


def _store(
    session: DosingSession,
    readings: list[tuple[dt.datetime, dict[str, Any]]],
    nurse: User,
    *,
    baseline: dict[str, Any] | None,
) -> None:
    """Readings with the alerts the rules raise (baseline None: these are the baseline)."""
    thresholds = site_thresholds(session.site_id)
    for taken_at, values in readings:
        row = VitalReading.objects.create(
            session=session,
            taken_at=taken_at,
            is_baseline=baseline is None,
            recorded_by=nurse,
            recorded_at=taken_at,
            **{k: values.get(k) for k in VITAL_FIELDS},
        )
        for alert in alerts_for(
            values, baseline=baseline, pre_dose=baseline is None, thresholds=thresholds
        ):
            SessionAlert.objects.create(
                session=session,
                reading=row,
                level=alert.level,
                rule=alert.rule,
                message=alert.message,
                raised_at=taken_at,
            )


def delete_demo_dosing() -> None:
    """Remove every dosing record and treatment plan, for tests that wipe the demo's
    appointments and patients to seed again (these rows protect both)."""
    from kapclinic.dosing import models as dosing
    from kapclinic.dosing.rems_models import RemsForm
    from kapclinic.treatment.models import CourseAppointment

    sessions = DosingSession.objects.all()
    RemsForm.objects.filter(session__in=sessions).delete()
    for model in (
        dosing.SessionAlert,
        dosing.VitalReading,
        dosing.Administration,
        dosing.DissociationRating,
        dosing.AdverseEvent,
        dosing.SessionNote,
        dosing.DischargeAssessment,
        dosing.PreDoseCheck,
    ):
        # Corrections point at the rows they correct: remove those first.
        if model in (dosing.VitalReading, dosing.Administration):
            model.objects.filter(session__in=sessions, corrects__isnull=False).delete()
        model.objects.filter(session__in=sessions).delete()
    sessions.delete()
    CourseAppointment.objects.all().delete()
    TreatmentPlan.objects.filter(supersedes__isnull=False).delete()
    TreatmentPlan.objects.all().delete()
