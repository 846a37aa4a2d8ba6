"""From the database to `outcomes.schedules` and back: which rules apply to a patient,
what phase they are in, their dosing sessions, and the assignments that creates.

Derived from data only (appointments of a dosing type, and their `DosingSession`
when one exists), so a dosing session discharged by any code path schedules its
24-hour questionnaire at the next planning run. Planning is idempotent: each
occasion has a key unique per patient (a database constraint), so two workers
planning at once create it once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site
from kapclinic.dosing.models import DosingSession
from kapclinic.outcomes import schedules
from kapclinic.outcomes.models import QuestionnaireAssignment, SchedulePause, ScheduleRule
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.scheduling.models import DOSING_CODES, Appointment, AppointmentStatus
from kapclinic.treatment.models import PlanStatus, TreatmentPlan

S = AppointmentStatus
UPCOMING = (S.BOOKED, S.CONFIRMED, S.CHECKED_IN)
HAPPENED_OR_AHEAD = (*UPCOMING, S.IN_PROGRESS, S.COMPLETED)
# Patients the schedule never writes to: not yet in care, or out of the pathway.
UNSCHEDULED_STAGES = (PathwayStage.ENQUIRY, PathwayStage.INELIGIBLE, PathwayStage.WITHDRAWN)


def ensure_site_defaults(site: Site, *, audit: bool = True) -> None:
    """Give a site the default rules the first time it is planned for or edited.

    A site's rules are switched off rather than deleted, so a site with no rows at
    all has never had a schedule: rules an admin switched off stay off."""
    if ScheduleRule.objects.filter(site=site).exists():
        return
    with transaction.atomic():
        for rule in schedules.DEFAULT_RULES:
            ScheduleRule.objects.get_or_create(
                site=site,
                trigger=rule.trigger,
                instrument=rule.instrument,
                defaults={"weeks_after_course": rule.weeks_after_course},
            )
        if audit:
            record(
                actor=None,
                action=AuditAction.CREATE,
                object_type="outcomes.schedulerule",
                detail={"site": site.pk, "defaults": len(schedules.DEFAULT_RULES)},
            )


def effective_rules(
    site_rules: Iterable[ScheduleRule], patient_rules: Iterable[ScheduleRule]
) -> list[schedules.Rule]:
    """The site's active rules, with the patient's own rules added or switched off."""
    merged: dict[tuple[str, str], ScheduleRule] = {}
    for rule in site_rules:
        merged[(rule.trigger, rule.instrument)] = rule
    for rule in patient_rules:
        merged[(rule.trigger, rule.instrument)] = rule
    return [
        schedules.Rule(r.trigger, r.instrument, int(r.weeks_after_course))
        for r in merged.values()
        if r.is_active
    ]


def dose_of(appointment: Appointment, session: DosingSession | None) -> schedules.Dose:
    """A dosing appointment as the planner sees it: it ended at discharge, or at its
    end once the visit is marked completed."""
    ended_at: dt.datetime | None = None
    if session is not None and session.discharged_at is not None:
        ended_at = session.discharged_at
    elif appointment.status == S.COMPLETED:
        ended_at = appointment.end
    return schedules.Dose(
        ref=appointment.pk,
        start=appointment.start,
        ended_at=ended_at,
        upcoming=appointment.status in UPCOMING,
    )


def dosing_appointments(patient_ids: Sequence[int]) -> QuerySet[Appointment]:
    return Appointment.objects.filter(
        patient_id__in=patient_ids,
        appointment_type__code__in=DOSING_CODES,
        status__in=HAPPENED_OR_AHEAD,
    ).select_related("dosing_session")


def _session(appointment: Appointment) -> DosingSession | None:
    try:
        return appointment.dosing_session
    except DosingSession.DoesNotExist:
        return None


def reachable() -> Q:
    """Patients a questionnaire can reach: an active portal account (it waits there),
    or an e-mail address or phone number on the record (the signed link needs no
    account). The patient record has no contact opt-out to honour."""
    return Q(user__isnull=False, user__is_active=True) | ~Q(email="") | ~Q(phone="")


def is_reachable(patient: Patient) -> bool:
    """`reachable()` for one loaded patient (its portal account must be loaded)."""
    account = patient.user
    return bool((account is not None and account.is_active) or patient.email or patient.phone)


def candidates() -> QuerySet[Patient]:
    """Patients the schedule may write to: active, reachable, in care, not paused,
    with a dosing session booked. A patient nobody can reach is left out (the care
    team sees why on the patient's schedule page) rather than asked in silence."""
    dosing = Appointment.objects.filter(
        patient=OuterRef("pk"), appointment_type__code__in=DOSING_CODES
    )
    return (
        Patient.objects.filter(reachable(), is_active=True)
        .exclude(stage__in=UNSCHEDULED_STAGES)
        .filter(Exists(dosing))
        .exclude(Exists(SchedulePause.objects.filter(patient=OuterRef("pk"))))
    )


def due_for(
    patients: Sequence[Patient], *, now: dt.datetime
) -> list[tuple[Patient, schedules.Due, int | None]]:
    """What falls due now for `patients` and is not asked yet (a batch, read only: a
    fixed number of queries). The sites' rules must exist (`ensure_site_defaults`).

    The third item is None for a questionnaire to create, or the id of the same
    questionnaire already open (asked before this baseline's window, by the intake
    or an earlier occasion) for the baseline to take over rather than doubling it."""
    if not patients:
        return []
    ids = [p.pk for p in patients]
    site_rules: dict[int, list[ScheduleRule]] = defaultdict(list)
    for rule in ScheduleRule.objects.filter(site_id__in={p.site_id for p in patients}):
        assert rule.site_id is not None
        site_rules[rule.site_id].append(rule)
    patient_rules: dict[int, list[ScheduleRule]] = defaultdict(list)
    for rule in ScheduleRule.objects.filter(patient_id__in=ids):
        assert rule.patient_id is not None
        patient_rules[rule.patient_id].append(rule)
    doses: dict[int, list[schedules.Dose]] = defaultdict(list)
    for appointment in dosing_appointments(ids):
        doses[appointment.patient_id].append(dose_of(appointment, _session(appointment)))
    plan_phase = dict(
        TreatmentPlan.objects.filter(patient_id__in=ids, status=PlanStatus.SIGNED).values_list(
            "patient_id", "phase"
        )
    )
    taken: set[tuple[int, str]] = set()
    # When each questionnaire was last answered for an occasion (the intake's
    # baseline questionnaires included): a baseline answered since its window
    # opened is fresh, and asking it again would only tire the patient.
    answered: dict[tuple[int, str], dt.datetime] = {}
    for patient_id, key, instrument, completed_at in (
        QuestionnaireAssignment.objects.filter(patient_id__in=ids)
        .exclude(schedule_key="")
        .values_list("patient_id", "schedule_key", "instrument", "completed_at")
    ):
        taken.add((patient_id, key))
        if completed_at is not None:
            last = answered.get((patient_id, instrument))
            answered[(patient_id, instrument)] = max(completed_at, last or completed_at)
    # The open (unanswered, unexpired) copy of each questionnaire asked last.
    open_copies: dict[tuple[int, str], tuple[dt.datetime, int]] = {}
    for patient_id, instrument, due_at, pk in QuestionnaireAssignment.objects.filter(
        patient_id__in=ids, completed_at__isnull=True, expires_at__gt=now
    ).values_list("patient_id", "instrument", "due_at", "pk"):
        open_copies[(patient_id, instrument)] = max(
            (due_at, pk), open_copies.get((patient_id, instrument), (due_at, pk))
        )
    waiting = set(open_copies)
    found: list[tuple[Patient, schedules.Due, int | None]] = []
    for patient in patients:
        rules = effective_rules(site_rules[patient.site_id], patient_rules[patient.pk])
        phase = schedules.phase_for(patient.stage, plan_phase.get(patient.pk))
        for due in schedules.due_now(rules, phase, doses[patient.pk], now):
            if (patient.pk, due.key) in taken:
                continue
            # Only an answer counts as "a fresh baseline is in"; a copy asked and
            # left unanswered does not.
            fresh = answered.get((patient.pk, due.instrument))
            if due.trigger == schedules.BASELINE and fresh is not None and fresh >= due.due_at:
                continue
            # The same questionnaire still waiting to be answered: one at a time,
            # never a pile. A baseline takes over a copy asked before its window
            # opened (an intake questionnaire opened weeks ago and left), so the
            # patient is asked again in the week before the first dose, in that one
            # copy; a copy asked inside the window already is that request.
            if (patient.pk, due.instrument) in waiting:
                copy = open_copies.get((patient.pk, due.instrument))
                if due.trigger == schedules.BASELINE and copy is not None and copy[0] < due.due_at:
                    found.append((patient, due, copy[1]))
                continue
            waiting.add((patient.pk, due.instrument))
            found.append((patient, due, None))
    return found


def plan(
    patients: Sequence[Patient], *, now: dt.datetime | None = None
) -> list[QuestionnaireAssignment]:
    """Create the assignments now due for `patients`, or take over an open copy for a
    baseline (a batch: a fixed number of queries, plus a write and one audit row per
    assignment created or taken over); returns them."""
    now = now or timezone.now()
    for site in {p.site_id: p.site for p in patients}.values():
        ensure_site_defaults(site)
    created: list[QuestionnaireAssignment] = []
    for patient, due, reuse in due_for(patients, now=now):
        assignment = _create(patient, due) if reuse is None else _take_over(patient, due, reuse)
        if assignment is not None:
            created.append(assignment)
    return created


def _take_over(patient: Patient, due: schedules.Due, pk: int) -> QuestionnaireAssignment | None:
    """Make the open copy `pk` this baseline's request: due in the baseline's window,
    open at least until the first dose, and sent again (its link and one reminder,
    by `outcomes.sends`); its draft and its occasion key are kept."""
    with transaction.atomic():
        copy = (
            QuestionnaireAssignment.objects.select_for_update()
            .filter(pk=pk, patient=patient, completed_at__isnull=True, due_at__lt=due.due_at)
            .first()
        )
        if copy is None:
            # Answered, or taken over by another worker, a moment ago.
            return None
        copy.due_at = due.due_at
        copy.expires_at = max(copy.expires_at, due.expires_at)
        copy.sent_at = copy.reminded_at = None
        fields = ["due_at", "expires_at", "sent_at", "reminded_at"]
        copy.save(update_fields=fields)
        record(
            actor=None,
            action=AuditAction.UPDATE,
            patient=patient,
            obj=copy,
            detail={"instrument": due.instrument, "schedule": due.trigger, "fields": fields},
        )
    return copy


def _create(patient: Patient, due: schedules.Due) -> QuestionnaireAssignment | None:
    try:
        with transaction.atomic():
            assignment = QuestionnaireAssignment.objects.create(
                patient=patient,
                instrument=due.instrument,
                due_at=due.due_at,
                expires_at=due.expires_at,
                schedule_key=due.key,
            )
            record(
                actor=None,
                action=AuditAction.CREATE,
                patient=patient,
                obj=assignment,
                detail={"instrument": due.instrument, "schedule": due.trigger},
            )
    except IntegrityError:
        # Another worker planned the same occasion a moment ago.
        return None
    return assignment


def plan_all(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Plan every candidate patient in batches; the number of assignments created."""
    count = 0
    ids = list(candidates().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = list(
            Patient.objects.select_related("site").filter(pk__in=ids[start : start + batch])
        )
        count += len(plan(chunk, now=now))
    return count
