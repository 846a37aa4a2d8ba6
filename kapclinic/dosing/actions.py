"""Every write to a dosing session: its state machine, checklist, doses and discharge.

State machine (models.SessionState): scheduled -> pre_checks -> dosing ->
observation -> ready_for_discharge -> discharged, or aborted with a reason from any
state before discharged. Each action is atomic, takes a keyword-only `actor`,
re-reads the session under a row lock and checks the state it starts from, refuses
an illegal move with a message for clinic staff (changing nothing), and writes its
audit event in the same transaction. Vital signs are stored only through
`readings.record_readings`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site
from kapclinic.dosing import discharge as discharge_rules
from kapclinic.dosing import recovery_scores
from kapclinic.dosing.models import (
    Administration,
    AdverseEvent,
    DischargeAssessment,
    DissociationRating,
    DosingSession,
    DosingSitePolicy,
    PreDoseCheck,
    PregnancyTest,
    SessionAlert,
    SessionNote,
    SessionState,
    VitalReading,
)
from kapclinic.dosing.readings import baseline_for
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes.instruments import score
from kapclinic.outcomes.summary import refresh_summary
from kapclinic.patients.access import AccessBasis, clinical_write_basis
from kapclinic.scheduling import actions as scheduling
from kapclinic.scheduling.models import (
    ACTIVE_STATUSES,
    DOSING_CODES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    TypeCode,
)
from kapclinic.treatment.models import Drug, PlanStatus, Route, TreatmentPlan
from kapclinic.treatment.readiness import dosing_readiness

S = SessionState
# Who runs a session: the nurse and the prescriber on site.
SESSION_ROLES = frozenset({Role.NURSE, Role.PRESCRIBER})
OPEN_STATES = frozenset({S.SCHEDULED, S.PRE_CHECKS, S.DOSING, S.OBSERVATION, S.READY_FOR_DISCHARGE})
# Esketamine: one 28 mg device at a time, at least 5 minutes apart (Spravato label).
ESKETAMINE_DEVICE_MG = Decimal("28")
ESKETAMINE_DEVICE_GAP = dt.timedelta(minutes=5)
# Esketamine label fasting: no food 2 hours, no liquids 30 minutes before the dose.
ESKETAMINE_NO_FOOD = dt.timedelta(hours=2)
ESKETAMINE_NO_LIQUIDS = dt.timedelta(minutes=30)
CLOCK_SKEW = dt.timedelta(minutes=2)
INTEGRATION_SEARCH_DAYS = 7


class DosingRefused(Exception):
    """An action refused; `message` says why, `reasons` lists each missing step."""

    def __init__(self, message: str, reasons: Iterable[str] = ()) -> None:
        self.message = message
        self.reasons = list(reasons)
        super().__init__(message)


def _basis(actor: User, session: DosingSession, roles: frozenset[str]) -> AccessBasis:
    if actor.role not in roles:
        raise DosingRefused("Your role cannot do this in a dosing session.")
    basis = clinical_write_basis(actor, session.patient)
    if basis is None:
        raise DosingRefused("You cannot change this patient's record.")
    return basis


def _lock(session: DosingSession) -> DosingSession:
    return (
        DosingSession.objects.select_for_update(of=("self",))
        .select_related("patient", "site", "plan", "appointment")
        .get(pk=session.pk)
    )


def _require_state(session: DosingSession, *states: str) -> None:
    if session.state not in states:
        label = S(session.state).label.lower()
        raise DosingRefused(f"The session is at “{label}”; this step is not possible now.")


def _audit(
    actor: User,
    session: DosingSession,
    basis: AccessBasis,
    action: AuditAction,
    what: str,
    **detail: Any,
) -> None:
    record(
        actor=actor,
        action=action,
        patient=session.patient,
        obj=session,
        flagged=basis.via_break_glass,
        detail={
            **({"break_glass_grant": basis.grant_id} if basis.grant_id else {}),
            "what": what,
            **detail,
        },
    )


def _move(
    actor: User,
    session: DosingSession,
    basis: AccessBasis,
    to: str,
    now: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> DosingSession:
    before = session.state
    session.state = to
    session.state_changed_at = now
    fields = ["state", "state_changed_at"]
    for name, value in (extra or {}).items():
        setattr(session, name, value)
        fields.append(name)
    session.save(update_fields=fields)
    _audit(actor, session, basis, AuditAction.UPDATE, "state", to=to, **{"from": before})
    return session


def _appointment_to(actor: User, appointment: Appointment, to: str) -> None:
    """Move the visit along with the session, through the scheduling actions."""
    if appointment.status == to:
        return
    steps = [to]
    if to == AppointmentStatus.COMPLETED and appointment.status == AppointmentStatus.CHECKED_IN:
        # A visit is completed only from in progress; a session opened on a visit
        # that skipped that step passes through it.
        steps.insert(0, AppointmentStatus.IN_PROGRESS)
    try:
        for step in steps:
            appointment = scheduling.change_status(actor=actor, appointment=appointment, to=step)
    except scheduling.SchedulingError as refused:
        raise DosingRefused(f"The appointment could not be updated: {refused.message}") from None


def _zone(site: Site) -> ZoneInfo:
    return ZoneInfo(site.time_zone)


def local_date(session: DosingSession) -> dt.date:
    """The session's day in its site's time zone."""
    return timezone.localtime(session.appointment.start, _zone(session.site)).date()


# Opening and the pre-dose checks.


@transaction.atomic
def open_session(
    *,
    actor: User,
    appointment: Appointment,
    prescriber: User | None,
    now: dt.datetime | None = None,
) -> DosingSession:
    """Open the session for a checked-in dosing visit today, on the patient's signed plan."""
    now = now or timezone.now()
    current = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("appointment_type", "site", "patient")
        .get(pk=appointment.pk)
    )
    if actor.role not in SESSION_ROLES:
        raise DosingRefused("Only a nurse or a prescriber opens a dosing session.")
    if not actor.sites.filter(pk=current.site_id).exists():
        raise DosingRefused("You do not work at this visit's site.")
    if current.appointment_type.code not in DOSING_CODES:
        raise DosingRefused("This visit is not a dosing session.")
    if current.status != AppointmentStatus.CHECKED_IN:
        raise DosingRefused("Check the patient in before opening the session.")
    zone = _zone(current.site)
    if timezone.localtime(current.start, zone).date() != timezone.localtime(now, zone).date():
        raise DosingRefused("A session is opened on the day of the visit.")
    if DosingSession.objects.filter(appointment=current).exists():
        raise DosingRefused("A session is already open for this visit.")
    plan = (
        TreatmentPlan.objects.filter(patient=current.patient, status=PlanStatus.SIGNED)
        .order_by("-version")
        .first()
    )
    if plan is None:
        raise DosingRefused("The patient has no signed treatment plan.")
    if prescriber is not None and not (
        prescriber.role == Role.PRESCRIBER
        and prescriber.is_active
        and prescriber.sites.filter(pk=current.site_id).exists()
    ):
        raise DosingRefused("Choose a prescriber who works at this site.")
    if prescriber is None and actor.role == Role.PRESCRIBER:
        prescriber = actor
    session = DosingSession(
        appointment=current,
        patient=current.patient,
        site=current.site,
        plan=plan,
        state=S.SCHEDULED,
        nurse=actor if actor.role == Role.NURSE else None,
        prescriber_on_site=prescriber,
        state_changed_at=now,
        created_at=now,
    )
    basis = _basis(actor, session, SESSION_ROLES)
    session.save()
    PreDoseCheck.objects.create(session=session, updated_at=now)
    _audit(actor, session, basis, AuditAction.CREATE, "session", plan=plan.pk)
    return session


@transaction.atomic
def start_checks(*, actor: User, session: DosingSession) -> DosingSession:
    """scheduled -> pre-dose checks; the visit is now in progress."""
    current = _lock(session)
    basis = _basis(actor, current, SESSION_ROLES)
    _require_state(current, S.SCHEDULED)
    _appointment_to(actor, current.appointment, AppointmentStatus.IN_PROGRESS)
    extra: dict[str, Any] = {}
    if actor.role == Role.NURSE and current.nurse_id is None:
        extra["nurse"] = actor
    return _move(actor, current, basis, S.PRE_CHECKS, timezone.now(), extra)


CHECKLIST_FIELDS = (
    "identity_confirmed",
    "last_food_at",
    "last_liquid_at",
    "no_interacting_substances",
    "transport_name",
    "transport_phone",
    "pregnancy_test",
)


@transaction.atomic
def save_checklist(*, actor: User, session: DosingSession, **values: Any) -> PreDoseCheck:
    """Save the pre-dose checklist (any of CHECKLIST_FIELDS) during the pre-dose checks."""
    current = _lock(session)
    basis = _basis(actor, current, SESSION_ROLES)
    _require_state(current, S.PRE_CHECKS)
    unknown = set(values) - set(CHECKLIST_FIELDS)
    if unknown:
        raise DosingRefused("Unknown checklist item.")
    check, _ = PreDoseCheck.objects.select_for_update().get_or_create(session=current)
    changed = [name for name, value in values.items() if getattr(check, name) != value]
    if not changed:
        return check
    for name in changed:
        setattr(check, name, values[name])
    check.updated_by = actor
    check.updated_at = timezone.now()
    check.save(update_fields=[*changed, "updated_by", "updated_at"])
    _audit(actor, current, basis, AuditAction.UPDATE, "pre_dose_check", fields=sorted(changed))
    return check


def holding_alerts(session: DosingSession, check: PreDoseCheck | None) -> list[SessionAlert]:
    """Pre-dose alerts not covered by a prescriber's override: each holds the dose."""
    alerts = SessionAlert.objects.filter(session=session)
    if check is not None and check.override_at is not None:
        alerts = alerts.filter(raised_at__gt=check.override_at)
    return list(alerts.order_by("raised_at", "id"))


@transaction.atomic
def override_pre_dose_alerts(*, actor: User, session: DosingSession, reason: str) -> PreDoseCheck:
    """A prescriber lets the dose go ahead despite the pre-dose alerts, with a reason."""
    current = _lock(session)
    basis = _basis(actor, current, frozenset({Role.PRESCRIBER}))
    _require_state(current, S.PRE_CHECKS)
    reason = reason.strip()
    if not reason:
        raise DosingRefused("Give the clinical reason for going ahead despite the alerts.")
    check, _ = PreDoseCheck.objects.select_for_update().get_or_create(session=current)
    held = holding_alerts(current, check)
    if not held:
        raise DosingRefused("No pre-dose alert is holding the dose.")
    check.override_by = actor
    check.override_at = max(alert.raised_at for alert in held)
    check.override_reason = reason
    check.save(update_fields=["override_by", "override_at", "override_reason"])
    _audit(
        actor,
        current,
        basis,
        AuditAction.UPDATE,
        "pre_dose_override",
        alerts=[alert.pk for alert in held],
    )
    return check


def _policy(session: DosingSession) -> DosingSitePolicy:
    found = DosingSitePolicy.objects.filter(site_id=session.site_id).first()
    return found or DosingSitePolicy(site_id=session.site_id)


def fasting_limits(route: str, policy: DosingSitePolicy) -> tuple[dt.timedelta, dt.timedelta]:
    """Minimum time since food and since liquids for the route."""
    if route == Route.INTRANASAL:
        return ESKETAMINE_NO_FOOD, ESKETAMINE_NO_LIQUIDS
    return (
        dt.timedelta(minutes=policy.other_routes_no_food_minutes),
        dt.timedelta(minutes=policy.other_routes_no_liquids_minutes),
    )


def checklist_problems(session: DosingSession, check: PreDoseCheck, now: dt.datetime) -> list[str]:
    """Every item of the pre-dose checklist not yet satisfied, in words for the nurse."""
    problems: list[str] = []
    if not check.identity_confirmed:
        problems.append("identity not confirmed")
    food, liquids = fasting_limits(session.plan.route, _policy(session))
    for limit, when, what in (
        (food, check.last_food_at, "food"),
        (liquids, check.last_liquid_at, "liquids"),
    ):
        if not limit:
            continue
        if when is None:
            problems.append(f"time of last {what} not recorded")
        elif now - when < limit:
            problems.append(f"last {what} less than {_duration(limit)} ago")
    if not check.no_interacting_substances:
        problems.append("no interacting substances today not confirmed")
    if not (check.transport_name.strip() and check.transport_phone.strip()):
        problems.append("transport home not confirmed (who and their phone)")
    if _policy(session).pregnancy_test_required and check.pregnancy_test != PregnancyTest.NEGATIVE:
        if check.pregnancy_test == PregnancyTest.POSITIVE:
            problems.append("pregnancy test positive")
        else:
            problems.append("pregnancy test result not recorded")
    baseline = baseline_for(session)
    if baseline is None or any(
        baseline.get(k) is None for k in ("systolic", "diastolic", "heart_rate", "spo2")
    ):
        problems.append("baseline vital signs (blood pressure, heart rate, SpO2) not taken")
    if session.prescriber_on_site_id is None:
        problems.append("no prescriber named as on site")
    return problems


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"


@transaction.atomic
def start_dosing(
    *, actor: User, session: DosingSession, now: dt.datetime | None = None
) -> DosingSession:
    """pre-dose checks -> dosing, only if the patient may be dosed today, the checklist
    is complete and no pre-dose alert holds the dose; else refuse listing every gap."""
    now = now or timezone.now()
    current = _lock(session)
    basis = _basis(actor, current, SESSION_ROLES)
    _require_state(current, S.PRE_CHECKS)
    readiness = dosing_readiness(current.patient, local_date(current))
    reasons = [step.message for step in readiness.missing]
    check, _ = PreDoseCheck.objects.get_or_create(session=current)
    reasons += checklist_problems(current, check, now)
    held = holding_alerts(current, check)
    if held:
        reasons.append(
            f"{len(held)} pre-dose alert{'s' if len(held) != 1 else ''} "
            "need a prescriber's override"
        )
    if reasons:
        raise DosingRefused("Dosing cannot start yet.", reasons)
    return _move(actor, current, basis, S.DOSING, now)


# Administration.


def effective_administrations(session: DosingSession) -> list[Administration]:
    """The doses that count: every row not replaced by a correction."""
    return list(
        Administration.objects.filter(session=session, corrected_by__isnull=True).order_by(
            "started_at", "id"
        )
    )


@dataclass(frozen=True)
class DoseEntry:
    dose_mg: Decimal
    lot_number: str
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    rate_mg_per_hour: Decimal | None = None


@transaction.atomic
def record_administration(
    *,
    actor: User,
    session: DosingSession,
    entry: DoseEntry,
    corrects: Administration | None = None,
    now: dt.datetime | None = None,
) -> Administration:
    """Record one dose given (one esketamine device is one row), or a correction of one.

    Drug and route are the signed plan's. Refused: above the plan's dose (also summed
    over the session), an esketamine device other than 28 mg or sooner than 5 minutes
    after the previous one, times in the future or ending before they start.
    """
    now = now or timezone.now()
    current = _lock(session)
    basis = _basis(actor, current, SESSION_ROLES)
    if corrects is None:
        _require_state(current, S.DOSING)
    else:
        _require_state(current, S.DOSING, S.OBSERVATION, S.READY_FOR_DISCHARGE)
        if corrects.session_id != current.pk:
            raise DosingRefused("That dose belongs to another session.")
        if Administration.objects.filter(corrects=corrects).exists():
            raise DosingRefused("That dose has already been corrected.")
    plan = current.plan
    dose = entry.dose_mg
    if dose <= 0:
        raise DosingRefused("The dose must be more than 0 mg.")
    lot = entry.lot_number.strip()
    if not lot:
        raise DosingRefused("Enter the lot number.")
    if entry.started_at > now + CLOCK_SKEW:
        raise DosingRefused("The start time is in the future.")
    if entry.ended_at is not None and entry.ended_at < entry.started_at:
        raise DosingRefused("The end time is before the start time.")
    if entry.ended_at is not None and entry.ended_at > now + CLOCK_SKEW:
        raise DosingRefused("The end time is in the future.")
    rate = entry.rate_mg_per_hour
    if plan.route == Route.IV:
        if rate is None and entry.ended_at is not None and entry.ended_at > entry.started_at:
            hours = Decimal((entry.ended_at - entry.started_at).total_seconds()) / Decimal(3600)
            rate = (dose / hours).quantize(Decimal("0.01"))
        if rate is None:
            raise DosingRefused("For an infusion, enter the rate or the end time.")
    earlier = [
        a for a in effective_administrations(current) if a.pk != getattr(corrects, "pk", None)
    ]
    total = sum((a.dose_mg for a in earlier), Decimal(0)) + dose
    if total > plan.dose_mg:
        raise DosingRefused(
            f"Refused: {_mg(total)} mg in this session would exceed the plan's "
            f"{_mg(plan.dose_mg)} mg."
        )
    if plan.drug == Drug.ESKETAMINE:
        if dose != ESKETAMINE_DEVICE_MG:
            raise DosingRefused("Record each esketamine device (28 mg) as its own dose.")
        for other in earlier:
            if abs(entry.started_at - other.started_at) < ESKETAMINE_DEVICE_GAP:
                raise DosingRefused("Esketamine devices must be at least 5 minutes apart.")
    row = Administration.objects.create(
        session=current,
        drug=plan.drug,
        route=plan.route,
        dose_mg=dose,
        lot_number=lot[:40],
        started_at=entry.started_at,
        ended_at=entry.ended_at,
        rate_mg_per_hour=rate,
        given_by=actor,
        recorded_at=now,
        corrects=corrects,
    )
    first = min([row.started_at, *(a.started_at for a in earlier)])
    if current.first_dose_at != first:
        current.first_dose_at = first
        current.save(update_fields=["first_dose_at"])
        # The first dose counts towards sessions to response and completion.
        refresh_summary([current.patient_id])
    _audit(
        actor,
        current,
        basis,
        AuditAction.CREATE,
        "administration",
        administration=row.pk,
        **({"corrects": corrects.pk} if corrects else {}),
    )
    return row


def _mg(value: Decimal) -> str:
    return f"{value.normalize():f}"


@transaction.atomic
def finish_dose(*, actor: User, session: DosingSession) -> DosingSession:
    """dosing -> observation, once at least one dose is recorded."""
    current = _lock(session)
    basis = _basis(actor, current, SESSION_ROLES)
    _require_state(current, S.DOSING)
    if not Administration.objects.filter(session=current).exists():
        raise DosingRefused("Record the dose given before moving to observation.")
    return _move(actor, current, basis, S.OBSERVATION, timezone.now())


# Ratings, adverse events, notes and the vitals schedule.

CLINICAL_STATES = (S.PRE_CHECKS, S.DOSING, S.OBSERVATION, S.READY_FOR_DISCHARGE)


@transaction.atomic
def rate_dissociation(
    *, actor: User, session: DosingSession, items: list[int], resolved: bool
) -> DissociationRating:
    """A CADSS-6 rating (six items 0-4) and the clinician's call on resolution."""
    current = _lock(session)
    basis = _basis(actor, current, SESSION_ROLES)
    _require_state(current, S.DOSING, S.OBSERVATION, S.READY_FOR_DISCHARGE)
    try:
        result = score("cadss6", items)
    except FieldValueError as exc:
        raise DosingRefused(f"CADSS-6: {exc.problem}") from exc
    assert result.total is not None
    rating = DissociationRating.objects.create(
        session=current, items=list(items), total=result.total, resolved=resolved, rated_by=actor
    )
    _audit(actor, current, basis, AuditAction.CREATE, "dissociation_rating", rating=rating.pk)
    return rating


@transaction.atomic
def record_adverse_event(
    *,
    actor: User,
    session: DosingSession,
    kind: str,
    severity: str,
    action_taken: str,
    description: str = "",
    occurred_at: dt.datetime | None = None,
) -> AdverseEvent:
    current = _lock(session)
    basis = _basis(actor, current, SESSION_ROLES)
    _require_state(current, *CLINICAL_STATES)
    if kind not in AdverseEvent.Kind.values or severity not in AdverseEvent.Severity.values:
        raise DosingRefused("Choose the kind of event and its severity.")
    if kind == AdverseEvent.Kind.OTHER and not description.strip():
        raise DosingRefused("Describe the event.")
    if not action_taken.strip():
        raise DosingRefused("Say what was done.")
    now = timezone.now()
    when = occurred_at or now
    if when > now + CLOCK_SKEW:
        raise DosingRefused("The time of the event is in the future.")
    event = AdverseEvent.objects.create(
        session=current,
        kind=kind,
        severity=severity,
        description=description.strip()[:300],
        action_taken=action_taken.strip(),
        occurred_at=when,
        recorded_by=actor,
    )
    _audit(actor, current, basis, AuditAction.CREATE, "adverse_event", event=event.pk, kind=kind)
    return event


@transaction.atomic
def add_session_note(*, actor: User, session: DosingSession, text: str) -> SessionNote:
    """A therapist's in-session note."""
    current = _lock(session)
    basis = _basis(actor, current, frozenset({Role.THERAPIST}))
    _require_state(current, *CLINICAL_STATES)
    text = text.strip()
    if not text:
        raise DosingRefused("Write the note before saving it.")
    note = SessionNote.objects.create(session=current, text=text, author=actor)
    _audit(actor, current, basis, AuditAction.CREATE, "session_note", note=note.pk)
    return note


@transaction.atomic
def set_vitals_schedule(
    *, actor: User, session: DosingSession, minutes: list[int]
) -> DosingSession:
    """Change when this session's vital signs are due (minutes after the first dose)."""
    current = _lock(session)
    basis = _basis(actor, current, SESSION_ROLES)
    _require_state(current, *OPEN_STATES)
    if current.vitals_schedule != minutes:
        current.vitals_schedule = minutes
        current.save(update_fields=["vitals_schedule"])
        _audit(actor, current, basis, AuditAction.UPDATE, "vitals_schedule")
    return current


@transaction.atomic
def acknowledge_alert(*, actor: User, alert: SessionAlert, note: str = "") -> SessionAlert:
    """The named clinician has seen the alert (once; a second acknowledgement is refused)."""
    current = _lock(alert.session)
    basis = _basis(actor, current, SESSION_ROLES)
    now = timezone.now()
    updated = SessionAlert.objects.filter(
        pk=alert.pk, session=current, acknowledged_at__isnull=True
    ).update(acknowledged_by=actor, acknowledged_at=now, acknowledgement_note=note.strip())
    if not updated:
        raise DosingRefused("This alert has already been acknowledged.")
    _audit(actor, current, basis, AuditAction.UPDATE, "alert_acknowledged", alert=alert.pk)
    alert.refresh_from_db()
    return alert


# Discharge.


@transaction.atomic
def assess_for_discharge(
    *,
    actor: User,
    session: DosingSession,
    score_kind: str,
    items: Mapping[str, int | None],
    escort_confirmed: bool,
    no_driving_advice_given: bool,
) -> DischargeAssessment:
    """Record the nurse's answers to each item of the recovery score; the total is
    computed from them (``recovery_scores.total``), never typed."""
    current = _lock(session)
    basis = _basis(actor, current, SESSION_ROLES)
    _require_state(current, S.OBSERVATION, S.READY_FOR_DISCHARGE)
    try:
        total_score = recovery_scores.total(score_kind, items)
    except FieldValueError as wrong:
        raise DosingRefused(wrong.problem[:1].upper() + wrong.problem[1:] + ".") from wrong
    kept = {item.code: items[item.code] for item in recovery_scores.items_of(score_kind)}
    row = DischargeAssessment.objects.create(
        session=current,
        score_kind=score_kind,
        score=total_score,
        items=kept,
        escort_confirmed=escort_confirmed,
        no_driving_advice_given=no_driving_advice_given,
        assessed_by=actor,
    )
    _audit(
        actor,
        current,
        basis,
        AuditAction.CREATE,
        "discharge_assessment",
        assessment=row.pk,
        score_kind=score_kind,
        score=total_score,
    )
    return row


def unmet_for(session: DosingSession, now: dt.datetime) -> list[str]:
    """The discharge criteria not met now, with the site's thresholds (the same
    computation as the live board's)."""
    from kapclinic.dosing.board import annotated_sessions, thresholds_for, unmet_of

    annotated = annotated_sessions(DosingSession.objects.filter(pk=session.pk)).get()
    wanted = [getattr(annotated, "last_vitals_id", None), getattr(annotated, "baseline_id", None)]
    readings = VitalReading.objects.in_bulk([pk for pk in wanted if pk is not None])
    return unmet_of(annotated, readings, thresholds_for(session.site_id), now)


def _waivable(session: DosingSession, unmet: list[str]) -> list[str]:
    """Criteria a prescriber's exception cannot waive: esketamine's REMS 2 hours."""
    if session.plan.drug == Drug.ESKETAMINE:
        return [c for c in unmet if c == "observation_time"]
    return []


def _check_discharge(session: DosingSession, now: dt.datetime) -> None:
    unmet = unmet_for(session, now)
    if session.discharge_exception_reason and not _waivable(session, unmet):
        return
    if unmet:
        raise DosingRefused(
            "Not ready to leave yet.", [discharge_rules.MESSAGES[code] for code in unmet]
        )


@transaction.atomic
def mark_ready(
    *, actor: User, session: DosingSession, now: dt.datetime | None = None
) -> DosingSession:
    """observation -> ready for discharge, once every criterion holds (or is excepted)."""
    now = now or timezone.now()
    current = _lock(session)
    basis = _basis(actor, current, SESSION_ROLES)
    _require_state(current, S.OBSERVATION)
    _check_discharge(current, now)
    return _move(actor, current, basis, S.READY_FOR_DISCHARGE, now)


@transaction.atomic
def document_discharge_exception(
    *, actor: User, session: DosingSession, reason: str
) -> DosingSession:
    """A prescriber documents why the patient may leave with criteria unmet."""
    current = _lock(session)
    basis = _basis(actor, current, frozenset({Role.PRESCRIBER}))
    _require_state(current, S.OBSERVATION, S.READY_FOR_DISCHARGE)
    reason = reason.strip()
    if not reason:
        raise DosingRefused("Give the clinical reason for the exception.")
    current.discharge_exception_reason = reason
    current.discharge_exception_by = actor
    current.save(update_fields=["discharge_exception_reason", "discharge_exception_by"])
    unmet = unmet_for(current, timezone.now())
    _audit(actor, current, basis, AuditAction.UPDATE, "discharge_exception", unmet=unmet)
    return current


@transaction.atomic
def discharge(
    *, actor: User, session: DosingSession, now: dt.datetime | None = None
) -> DosingSession:
    """ready for discharge -> discharged, re-checking every criterion; the visit is
    completed and the plan's integration session booked if none is."""
    now = now or timezone.now()
    current = _lock(session)
    basis = _basis(actor, current, SESSION_ROLES)
    _require_state(current, S.READY_FOR_DISCHARGE)
    _check_discharge(current, now)
    _move(actor, current, basis, S.DISCHARGED, now, {"discharged_at": now})
    _appointment_to(actor, current.appointment, AppointmentStatus.COMPLETED)
    if current.plan.integration_after_each_dose:
        _book_integration(actor, current, now)
    return current


def _book_integration(actor: User, session: DosingSession, now: dt.datetime) -> None:
    """Book the integration session after this dose, or leave a task saying why not."""
    from kapclinic.scheduling.calendar import find_slots

    booked = Appointment.objects.filter(
        patient=session.patient,
        appointment_type__code=TypeCode.INTEGRATION,
        start__gte=now,
        status__in=ACTIVE_STATUSES,
    ).first()
    if booked is not None:
        session.integration_appointment = booked
        session.save(update_fields=["integration_appointment"])
        return
    kind = AppointmentType.objects.filter(
        site_id=session.site_id, code=TypeCode.INTEGRATION, is_active=True
    ).first()
    problem = ""
    appointment = None
    if kind is None:
        problem = "No integration session could be booked: the site offers none."
    else:
        first = timezone.localtime(now, _zone(session.site)).date() + dt.timedelta(days=1)
        last = first + dt.timedelta(days=INTEGRATION_SEARCH_DAYS - 1)
        slots = find_slots(kind, first, last, now=now)
        if not slots:
            problem = (
                f"No integration session free in the next {INTEGRATION_SEARCH_DAYS} days: "
                "please book one."
            )
        else:
            slot = slots[0]
            try:
                with transaction.atomic():
                    appointment = scheduling.book_appointment(
                        actor=actor,
                        patient=session.patient,
                        appointment_type=kind,
                        start=slot.start,
                        clinician=slot.clinician,
                        room=slot.room,
                        chair=slot.chair,
                        now=now,
                    )
            except scheduling.SchedulingError as refused:
                problem = f"The integration session could not be booked: {refused.message}"
    session.integration_appointment = appointment
    session.integration_task = problem[:300]
    session.save(update_fields=["integration_appointment", "integration_task"])


@transaction.atomic
def abort_session(*, actor: User, session: DosingSession, reason: str) -> DosingSession:
    """Stop the session with a reason, from any state before discharged."""
    current = _lock(session)
    basis = _basis(actor, current, SESSION_ROLES)
    _require_state(current, *OPEN_STATES)
    reason = reason.strip()
    if not reason:
        raise DosingRefused("Give the reason for stopping the session.")
    _move(actor, current, basis, S.ABORTED, timezone.now(), {"abort_reason": reason})
    if current.appointment.status == AppointmentStatus.IN_PROGRESS:
        _appointment_to(actor, current.appointment, AppointmentStatus.COMPLETED)
    return current


def total_given(session: DosingSession) -> Decimal:
    total = Administration.objects.filter(session=session, corrected_by__isnull=True).aggregate(
        total=Sum("dose_mg")
    )["total"]
    return total or Decimal(0)
