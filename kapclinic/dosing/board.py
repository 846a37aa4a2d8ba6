"""The live board of one site: every occupied chair at a glance.

Built in a fixed number of queries however many chairs and readings there are (the
latest values come from subqueries, not one query per chair), so polling it every
few seconds stays cheap. Pinned in tests/test_board.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Field, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from kapclinic.clinics.models import Site, SiteSettings
from kapclinic.dosing import discharge as discharge_rules
from kapclinic.dosing import schedule
from kapclinic.dosing.models import (
    DischargeAssessment,
    DissociationRating,
    DosingSession,
    SessionAlert,
    SessionState,
    VitalReading,
)
from kapclinic.dosing.monitoring import DEFAULT_THRESHOLDS
from kapclinic.dosing.schedule import Due, default_schedule, next_due
from kapclinic.lib.field_error import FieldValueError
from kapclinic.scheduling.models import DOSING_CODES, Appointment, AppointmentStatus

S = SessionState
ON_THE_FLOOR = (S.SCHEDULED, S.PRE_CHECKS, S.DOSING, S.OBSERVATION, S.READY_FOR_DISCHARGE)
AFTER_DOSE = (S.OBSERVATION, S.READY_FOR_DISCHARGE)
MEASURED = Q(systolic__isnull=False) | Q(heart_rate__isnull=False) | Q(spo2__isnull=False)


@dataclass
class ChairRow:
    session: DosingSession
    minutes_since_dose: int | None
    next_due: Due | None
    last: VitalReading | None
    alerts: list[SessionAlert] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    baseline_due: bool = False

    @property
    def urgent(self) -> list[SessionAlert]:
        return [a for a in self.alerts if a.level == SessionAlert.Level.URGENT]

    @property
    def ready_to_leave(self) -> bool:
        return self.session.state in AFTER_DOSE and not self.unmet


@dataclass
class Board:
    site: Site
    chairs: list[ChairRow]
    waiting: list[Appointment]
    tasks: list[DosingSession]
    now: dt.datetime

    @property
    def urgent(self) -> list[tuple[ChairRow, SessionAlert]]:
        return [(row, alert) for row in self.chairs for alert in row.urgent]

    def signature(self) -> str:
        """A digest of everything the live board shows.

        The page polls often and sends back the signature of the copy it shows; an
        unchanged board is answered with no content, so the copy on screen (an open
        menu, the keyboard focus, a screen reader's place) is replaced only when
        something on it changed. Anything time-dependent that is shown (minutes since
        the dose, overdue times) is in it; so is a five-minute clock, so a detail left
        out here (a prescriber's name in a menu) is never more than minutes stale.
        """
        parts: list[object] = [int(self.now.timestamp()) // 300]
        for row in self.chairs:
            s = row.session
            due = row.next_due
            parts.append(
                (
                    s.pk,
                    s.state,
                    s.appointment.chair.label if s.appointment.chair else "",
                    s.patient.display_name,
                    s.plan.route,
                    str(s.plan.dose_mg),
                    row.minutes_since_dose,
                    row.baseline_due,
                    (due.minutes, due.at.isoformat(), due.overdue) if due else None,
                    row.last.pk if row.last else None,
                    [(a.pk, a.level, a.message) for a in row.alerts],
                    row.unmet,
                )
            )
        parts.append([(v.pk, v.patient.display_name, v.start.isoformat()) for v in self.waiting])
        parts.append(
            [(v.appointment_type.name, v.chair.label if v.chair else "") for v in self.waiting]
        )
        parts.append([(t.pk, t.patient.display_name, t.integration_task) for t in self.tasks])
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _latest(model: Any, value: str, order: str, **filters: Any) -> Subquery:
    rows = model.objects.filter(session=OuterRef("pk"), **filters).order_by(f"-{order}", "-id")
    return Subquery(rows.values(value)[:1])


def annotated_sessions(queryset: QuerySet[DosingSession]) -> QuerySet[DosingSession]:
    """Sessions with the latest facts the board and the discharge rules need."""
    live = {"corrected_by__isnull": True}
    return queryset.select_related("patient", "appointment__chair__room", "plan").annotate(
        last_vitals_id=Subquery(
            VitalReading.objects.filter(MEASURED, session=OuterRef("pk"), **live)
            .order_by("-taken_at", "-id")
            .values("id")[:1]
        ),
        baseline_id=_latest(VitalReading, "id", "taken_at", is_baseline=True, **live),
        last_moaas=_latest(VitalReading, "moaas", "taken_at", moaas__isnull=False, **live),
        dissociation_resolved=_latest(DissociationRating, "resolved", "rated_at"),
        recovery_score=_latest(DischargeAssessment, "score", "assessed_at"),
        escort_confirmed=_latest(DischargeAssessment, "escort_confirmed", "assessed_at"),
        no_driving_advice_given=_latest(
            DischargeAssessment, "no_driving_advice_given", "assessed_at"
        ),
    )


def thresholds_for(site_id: int) -> dict[str, Any]:
    """Alert and discharge thresholds of the site (one query)."""
    names = [*DEFAULT_THRESHOLDS, "min_observation_minutes", "min_discharge_score"]
    row = SiteSettings.objects.filter(site_id=site_id).values(*names).first()
    return dict(row) if row else dict(DEFAULT_THRESHOLDS)


def schedule_of(session: DosingSession) -> list[int]:
    return list(session.vitals_schedule) or default_schedule(
        session.plan.route, session.plan.infusion_minutes
    )


def unmet_of(
    session: Any,
    readings: dict[int, VitalReading],
    thresholds: dict[str, Any],
    now: dt.datetime,
) -> list[str]:
    """The unmet discharge criteria of an annotated session."""
    last = readings.get(session.last_vitals_id)
    baseline = readings.get(session.baseline_id)
    minutes = None
    if session.first_dose_at is not None:
        minutes = max(0, int((now - session.first_dose_at).total_seconds() // 60))
    facts = {
        "minutes_since_first_dose": minutes,
        "moaas": session.last_moaas,
        "dissociation_resolved": session.dissociation_resolved,
        "last_reading": last.as_reading() if last else None,
        "baseline": baseline.as_reading() if baseline else None,
        "recovery_score": session.recovery_score,
        "escort_confirmed": session.escort_confirmed,
        "no_driving_advice_given": session.no_driving_advice_given,
    }
    try:
        return discharge_rules.unmet_criteria(facts, thresholds=thresholds)
    except FieldValueError:
        # Stored readings were checked on the way in; a threshold a site saved out of
        # range keeps the patient in the chair rather than breaking the board.
        return ["vitals"]


# Windows checked per query: SQLite allows 500 terms in one compound SELECT.
COVERAGE_CHUNK = 100


def _coverage_sql(count: int, bounded: list[bool]) -> str:
    """`SELECT k WHERE EXISTS (a live reading of the session in window k)` for each
    window, joined with UNION ALL. Written by hand: the same checks built with the ORM
    cost more to compile (about 15 ms for four chairs) than the database takes to
    answer them, and the board runs this twice a second."""
    meta = VitalReading._meta
    table = connection.ops.quote_name(meta.db_table)

    def column(name: str) -> str:
        field = meta.get_field(name)
        assert isinstance(field, Field) and field.column  # concrete columns only
        return connection.ops.quote_name(field.column)

    session, taken, baseline = column("session"), column("taken_at"), column("is_baseline")
    corrects, pk = column("corrects"), column("id")
    # Only integers and quoted names from the model go into the text; every value is
    # a parameter.
    live = f"NOT EXISTS (SELECT 1 FROM {table} c WHERE c.{corrects} = r.{pk})"  # noqa: S608
    check = f"""SELECT {{index}} WHERE EXISTS (SELECT 1 FROM {table} r WHERE r.{session} = %s
        AND r.{taken} >= %s{{closes}} AND r.{baseline} = %s AND {live})"""  # noqa: S608
    parts = [
        check.format(index=index, closes=f" AND r.{taken} < %s" if bounded[index] else "")
        for index in range(count)
    ]
    return " UNION ALL ".join(parts)


def covered_windows(spans: dict[int, list[schedule.Window]]) -> dict[int, set[int]]:
    """Which scheduled times (minutes) of each session a live reading covers.

    Each window is one EXISTS over the (session, taken_at) index, so the cost grows
    with the chairs and their scheduled times, never with the readings: a monitor
    posting every few seconds leaves thousands of rows per session, and loading them
    all (as dosing/schedule.due_times does) made every poll slower as the day went on.
    One query for up to COVERAGE_CHUNK windows (a dozen chairs). The answer is the
    same as due_times' (tests/test_board_coverage.py).
    """
    covered: dict[int, set[int]] = {pk: set() for pk in spans}
    windows = [(pk, w) for pk, ws in spans.items() for w in ws]
    adapt = connection.ops.adapt_datetimefield_value
    for start in range(0, len(windows), COVERAGE_CHUNK):
        chunk = windows[start : start + COVERAGE_CHUNK]
        params: list[Any] = []
        for session_id, window in chunk:
            params += [session_id, adapt(window.opens)]
            if window.closes is not None:
                params.append(adapt(window.closes))
            params.append(False)
        sql = _coverage_sql(len(chunk), [w.closes is not None for _, w in chunk])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for (index,) in cursor.fetchall():
                session_id, window = chunk[index]
                covered[session_id].add(window.minutes)
    return covered


def _today_bounds(site: Site, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(site.time_zone)
    today = timezone.localtime(now, zone).date()
    start = dt.datetime.combine(today, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def build_board(site: Site, *, now: dt.datetime | None = None) -> Board:
    now = now or timezone.now()
    sessions = list(
        annotated_sessions(
            DosingSession.objects.filter(site=site, state__in=ON_THE_FLOOR)
        ).order_by("appointment__chair__name", "appointment__start", "id")
    )
    ids = [s.pk for s in sessions]
    wanted = {
        pk
        for s in sessions
        for pk in (getattr(s, "last_vitals_id", None), getattr(s, "baseline_id", None))
        if pk is not None
    }
    readings = VitalReading.objects.in_bulk(wanted) if wanted else {}
    spans = {
        s.pk: schedule.windows(s.first_dose_at, schedule_of(s))
        for s in sessions
        if s.first_dose_at is not None
    }
    covered = covered_windows(spans)
    alerts: dict[int, list[SessionAlert]] = {pk: [] for pk in ids}
    if ids:
        for alert in SessionAlert.objects.filter(
            session_id__in=ids, acknowledged_at__isnull=True
        ).order_by("-level", "raised_at", "id"):
            alerts[alert.session_id].append(alert)
    thresholds = thresholds_for(site.pk)
    rows: list[ChairRow] = []
    for session in sessions:
        dues = (
            schedule.dues(spans[session.pk], covered[session.pk], now=now)
            if session.pk in spans
            else []
        )
        minutes = (
            None
            if session.first_dose_at is None
            else max(0, int((now - session.first_dose_at).total_seconds() // 60))
        )
        rows.append(
            ChairRow(
                session=session,
                minutes_since_dose=minutes,
                next_due=next_due(dues),
                last=readings.get(getattr(session, "last_vitals_id", None) or 0),
                alerts=alerts[session.pk],
                unmet=(
                    unmet_of(session, readings, thresholds, now)
                    if session.state in AFTER_DOSE
                    else []
                ),
                baseline_due=session.state == S.PRE_CHECKS
                and getattr(session, "baseline_id", None) is None,
            )
        )
    start, end = _today_bounds(site, now)
    waiting = list(
        Appointment.objects.filter(
            site=site,
            appointment_type__code__in=DOSING_CODES,
            status=AppointmentStatus.CHECKED_IN,
            start__gte=start,
            start__lt=end,
            dosing_session__isnull=True,
        )
        .select_related("patient", "chair__room", "appointment_type")
        .order_by("start", "id")
    )
    tasks = list(
        DosingSession.objects.filter(
            site=site, state=S.DISCHARGED, discharged_at__gte=start, discharged_at__lt=end
        )
        .exclude(integration_task="")
        .select_related("patient")
        .order_by("discharged_at", "id")
    )
    return Board(site=site, chairs=rows, waiting=waiting, tasks=tasks, now=now)
