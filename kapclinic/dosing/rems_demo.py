"""Demo data for the device feed and the REMS form (rows made directly: seeding
writes no audit trail): a monitor's token at the first
site (its secret is never printed: make a usable one with create_device_token), and a
finished esketamine session on a past demo appointment, with its REMS form completed.
Safe to repeat: each part is made once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from kapclinic.accounts.models import Role, User
from kapclinic.clinics.models import Site
from kapclinic.dosing.demo_plans import seeded_protocol, signed_demo_plan
from kapclinic.dosing.device_tokens import PREFIX_SHOWN, DeviceToken, digest, new_token
from kapclinic.dosing.models import Administration, DosingSession, SessionState, VitalReading
from kapclinic.dosing.rems import rems_facts
from kapclinic.dosing.rems_models import RemsForm
from kapclinic.scheduling.models import Appointment, TypeCode
from kapclinic.treatment.models import Drug, Route

DEMO_MONITOR = "Chair 1 monitor (demo)"
DEMO_LOT = "ESK-DEMO-2611"


@transaction.atomic
def build_demo_rems(site: Site) -> int:
    """Make the demo monitor token and finished esketamine session; return how many
    REMS forms were made (0 when already there or no past visit to use)."""
    if not DeviceToken.objects.filter(site=site, label=DEMO_MONITOR).exists():
        # Made directly, like all demo rows (seeding writes no audit trail); the token
        # itself is thrown away: create_device_token makes one someone can use.
        text = new_token()
        DeviceToken.objects.create(
            site=site, label=DEMO_MONITOR, token_hash=digest(text), prefix=text[:PREFIX_SHOWN]
        )
    if RemsForm.objects.filter(session__site=site).exists():
        return 0
    appointment = (
        Appointment.objects.filter(
            site=site,
            appointment_type__code=TypeCode.DOSING_ESKETAMINE,
            status="completed",
            dosing_session__isnull=True,
        )
        .select_related("patient")
        .order_by("-start")
        .first()
    )
    nurse = User.objects.filter(role=Role.NURSE, sites=site, is_active=True).first()
    prescriber = User.objects.filter(role=Role.PRESCRIBER, sites=site, is_active=True).first()
    if appointment is None or nurse is None or prescriber is None:
        return 0
    patient = appointment.patient
    start = appointment.start
    # The esketamine plan replaces the plan in force, as a new signed version would.
    plan = signed_demo_plan(
        patient,
        seeded_protocol(site, Route.INTRANASAL),
        prescriber=prescriber,
        signed_at=start - dt.timedelta(days=3),
        replace_in_force=True,
    )
    first = start + dt.timedelta(minutes=15)
    session = DosingSession.objects.create(
        appointment=appointment,
        patient=patient,
        site=site,
        plan=plan,
        state=SessionState.DISCHARGED,
        nurse=nurse,
        prescriber_on_site=prescriber,
        first_dose_at=first,
        discharged_at=first + dt.timedelta(minutes=130),
        state_changed_at=first + dt.timedelta(minutes=130),
        created_at=start,
    )
    for n in range(2):
        Administration.objects.create(
            session=session,
            drug=Drug.ESKETAMINE,
            route=Route.INTRANASAL,
            dose_mg=Decimal("28"),
            lot_number=DEMO_LOT,
            started_at=first + dt.timedelta(minutes=5 * n),
            given_by=nurse,
            recorded_at=first + dt.timedelta(minutes=5 * n),
        )
    for minutes, systolic, diastolic, baseline in (
        (-10, 126, 80, True),
        (40, 148, 88, False),
        (125, 130, 82, False),
    ):
        VitalReading.objects.create(
            session=session,
            taken_at=first + dt.timedelta(minutes=minutes),
            is_baseline=baseline,
            systolic=systolic,
            diastolic=diastolic,
            heart_rate=76,
            spo2=98,
            resp_rate=14,
            moaas=5 if minutes != 40 else 4,
            recorded_by=nurse,
        )
    RemsForm.objects.create(
        session=session,
        status=RemsForm.Status.COMPLETED,
        first_treatment=plan.version == 1,
        rems_enrolled_on=(start - dt.timedelta(days=10)).date(),
        ready_to_leave_at=first + dt.timedelta(minutes=125),
        vitals_ok_before_dosing=True,
        vitals_ok_at_completion=True,
        sedation=True,
        sedation_resolved=True,
        dissociation=True,
        dissociation_resolved=True,
        respiratory_depression=False,
        adverse_events="Mild nausea at 30 minutes; settled without treatment.",
        facts=rems_facts(session),
        completed_by=nurse,
        completed_at=first + dt.timedelta(minutes=135),
    )
    return 1
