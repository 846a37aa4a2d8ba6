"""The per-patient outcome summary (`OutcomeSummary`): recomputed from the scores,
visits and plans by one set-based statement, so clinic analytics reads one row per
patient and scale instead of searching every score.

`refresh_summary(patient_ids)` is called, in the same transaction, by every action
that changes an input: a questionnaire stored (`outcomes.actions.submit`), a dose
given (`dosing.actions`), a dosing visit completed without a dosing record
(`scheduling.actions.change_status`), a plan drafted or discarded (the first plan
gives the route, protocol and sessions planned) and a screening signed (the
indication). `rebuild_outcome_summaries` calls it for everyone (the migration that
filled the table keeps its own frozen copy of this statement: a change here does
not change what it does).

Definitions (CLINICAL.md 5, as the trajectory page): doses are dosing records with a
first dose, or completed dosing visits without a record, at the first dose's time
or else the visit's start; baseline is the last score before the first dose; the
response is the first later score meeting the scale's criterion; sessions to
response counts the doses up to it; durability looks at the first score at least 4
(or 12) weeks after it; a corrected score counts only through its correction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce

from kapclinic.dosing.models import DosingSession
from kapclinic.outcomes import change
from kapclinic.outcomes.models import OutcomeSummary, QuestionnaireResponse
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import (
    DOSING_CODES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    TypeCode,
)
from kapclinic.screening.models import ScreeningRecord
from kapclinic.treatment.models import Route, TreatmentPlan

# The scales analytics reports on: each has a response definition (change.py).
INSTRUMENTS = ("phq9", "gad7", "qids_sr16", "madrs", "ybocs", "pcl5")
VISIT_ROUTES: dict[str, str] = {
    TypeCode.DOSING_IV: Route.IV,
    TypeCode.DOSING_IM: Route.IM,
    TypeCode.DOSING_ORAL: Route.ORAL,
    TypeCode.DOSING_ESKETAMINE: Route.INTRANASAL,
}
COLUMNS = (
    "patient_id",
    "instrument",
    "first_dose_at",
    "doses",
    "sessions_planned",
    "indication",
    "route",
    "protocol_id",
    "baseline",
    "baseline_at",
    "latest",
    "latest_at",
    "best_since_dose",
    "responded_at",
    "sessions_to_response",
    "later_4",
    "later_12",
)


def doses(patient_ref: str = "pk") -> QuerySet[Any]:
    """Dose events, as in trajectory_queries.dose_times, for the outer patient."""
    found: QuerySet[Any] = (
        Appointment.objects.filter(patient=OuterRef(patient_ref))
        .filter(
            Q(dosing_session__first_dose_at__isnull=False)
            | Q(
                dosing_session__isnull=True,
                appointment_type__code__in=DOSING_CODES,
                status=AppointmentStatus.COMPLETED,
            )
        )
        .annotate(dosed_at=Coalesce("dosing_session__first_dose_at", "start"))
    )
    return found


def _courses(patient_ids: list[int] | None) -> QuerySet[Any]:
    """Per patient: first dose, dose count and the cohort keys of the first plan."""
    first_plan = TreatmentPlan.objects.filter(patient=OuterRef("pk")).order_by("version", "id")
    dose_count = doses().values("patient").annotate(n=Count("pk")).values("n").order_by()
    signed = ScreeningRecord.objects.filter(
        patient=OuterRef("pk"), status=ScreeningRecord.Status.SIGNED
    ).order_by("-signed_at", "-id")
    # The plan's route; before plans are recorded, the route of the dosing visits.
    visit_route = Subquery(
        doses()
        .order_by("dosed_at")
        .annotate(
            visit_route=Case(
                *(
                    When(appointment_type__code=code, then=Value(route))
                    for code, route in VISIT_ROUTES.items()
                ),
                output_field=CharField(),
            )
        )
        .values("visit_route")[:1],
        output_field=CharField(),
    )
    patients = Patient.objects.all()
    if patient_ids is not None:
        patients = patients.filter(pk__in=patient_ids)
    courses: QuerySet[Any] = patients.annotate(
        first_dose=Subquery(doses().order_by("dosed_at").values("dosed_at")[:1]),
        dose_count=Coalesce(Subquery(dose_count, output_field=IntegerField()), 0),
        planned=Subquery(first_plan.values("sessions_planned")[:1]),
        indication_key=Coalesce(
            Subquery(
                signed.annotate(ind=KeyTextTransform("indication", "facts")).values("ind")[:1],
                output_field=CharField(),
            ),
            Value(""),
        ),
        route_key=Coalesce(
            Subquery(first_plan.values("route")[:1], output_field=CharField()),
            visit_route,
            Value(""),
        ),
        protocol_key=Subquery(first_plan.values("protocol_id")[:1]),
    ).values(
        "id", "first_dose", "dose_count", "planned", "indication_key", "route_key", "protocol_key"
    )
    return courses


def _after(column: str, days: int) -> str:
    """SQL for `column` plus `days` days (datetimes are text in SQLite)."""
    if connection.vendor == "postgresql":
        return f"{column} + INTERVAL '{int(days)} days'"
    return f"datetime({column}, '+{int(days)} days')"


def response_sql(score: str, baseline: str, instrument: str = "t.instrument") -> str:
    """SQL: `score` meets the response criterion of the scale `instrument` (a column,
    or a quoted code) against `baseline`; the one SQL form of change.response_level,
    used by this summary and by analytics' durability. Whole numbers, as there: a
    percent scale responds when total * 100 <= baseline * (100 - %) from a baseline
    above 0 (nothing can fall by half from 0, so a baseline of 0 never responds);
    PCL-5 when it falls by the response points."""
    keep = " ".join(
        f"WHEN '{code}' THEN {100 - int(percent)}"
        for code, percent in sorted(change.RESPONSE_PERCENT.items())
    )
    return (
        f"(({instrument} = 'pcl5' AND {score} <= {baseline} - "
        f"{int(change.PCL5_RESPONSE_POINTS)}) OR ({instrument} <> 'pcl5' AND "
        f"{baseline} > 0 AND {score} * 100 <= {baseline} * (CASE {instrument} {keep} END)))"
    )


def _insert_sql(courses_sql: str) -> str:
    """INSERT ... SELECT computing the summary rows of the patients in `courses_sql`.
    Only table names, scale codes and integers are formatted in; values are
    parameters. MATERIALIZED keeps each layer computed once (without it, both
    databases may inline a layer's subqueries into every later reference)."""
    responses = QuestionnaireResponse._meta.db_table
    appointments = Appointment._meta.db_table
    sessions = DosingSession._meta.db_table
    kinds = AppointmentType._meta.db_table
    summary = OutcomeSummary._meta.db_table
    replaced = f"SELECT 1 FROM {responses} c WHERE c.replaces_id = r.id"  # noqa: S608
    current = f"r.total IS NOT NULL AND NOT EXISTS ({replaced})"
    score = (
        f"FROM {responses} r WHERE r.patient_id = t.id "
        f"AND r.instrument = t.instrument AND {current}"
    )
    scales = ", ".join(f"'{c}'" for c in INSTRUMENTS)
    codes = ", ".join(f"'{c}'" for c in sorted(DOSING_CODES))
    later = {
        weeks: (
            f"(SELECT r.total {score} AND r.completed_at >= "
            f"{_after('t.responded_at', 7 * weeks)} ORDER BY r.completed_at, r.id LIMIT 1)"
        )
        for weeks in (4, 12)
    }
    last_before = (
        f"{score} AND r.completed_at < t.first_dose ORDER BY r.completed_at DESC, r.id DESC LIMIT 1"
    )
    last = f"{score} ORDER BY r.completed_at DESC, r.id DESC LIMIT 1"
    return f"""
    INSERT INTO {summary} ({", ".join(COLUMNS)})
    WITH courses AS MATERIALIZED ({courses_sql}),
    scales AS MATERIALIZED (
      SELECT DISTINCT r.patient_id, r.instrument FROM {responses} r
      WHERE r.patient_id IN (SELECT id FROM courses) AND r.instrument IN ({scales})
        AND {current}
    ),
    with_baseline AS MATERIALIZED (
      SELECT t.*,
        (SELECT r.total {last_before}) AS baseline,
        (SELECT r.completed_at {last_before}) AS baseline_at,
        (SELECT r.total {last}) AS latest,
        (SELECT r.completed_at {last}) AS latest_at,
        (SELECT MIN(r.total) {score} AND r.completed_at >= t.first_dose) AS best_since_dose
      FROM (SELECT c.*, s.instrument FROM courses c JOIN scales s ON s.patient_id = c.id) t
    ),
    with_response AS MATERIALIZED (
      SELECT t.*,
        CASE WHEN t.baseline IS NULL THEN NULL ELSE
          (SELECT MIN(r.completed_at) {score} AND r.completed_at >= t.first_dose
             AND {response_sql("r.total", "t.baseline")})
        END AS responded_at
      FROM with_baseline t
    )
    SELECT t.id, t.instrument, t.first_dose, t.dose_count, t.planned,
      SUBSTR(t.indication_key, 1, 100), t.route_key, t.protocol_key, t.baseline,
      t.baseline_at, t.latest, t.latest_at,
      t.best_since_dose, t.responded_at,
      CASE WHEN t.responded_at IS NULL THEN NULL ELSE
        (SELECT COUNT(*) FROM {appointments} a
           LEFT JOIN {sessions} s ON s.appointment_id = a.id
           JOIN {kinds} k ON k.id = a.appointment_type_id
         WHERE a.patient_id = t.id
           AND (s.first_dose_at IS NOT NULL
                OR (s.id IS NULL AND k.code IN ({codes}) AND a.status = 'completed'))
           AND COALESCE(s.first_dose_at, a.start) <= t.responded_at)
      END,
      CASE WHEN t.responded_at IS NULL THEN NULL ELSE {later[4]} END,
      CASE WHEN t.responded_at IS NULL THEN NULL ELSE {later[12]} END
    FROM with_response t
    """  # noqa: S608


def refresh_summary(patient_ids: Iterable[int] | None) -> None:
    """Recompute the summary rows of these patients (everyone for None) from the
    source tables: two statements, whatever the number of scores. Call it inside
    the transaction that changed an input."""
    ids = None if patient_ids is None else sorted(set(patient_ids))
    if ids is not None and not ids:
        return
    with transaction.atomic():
        _refresh(ids)


# The class of the summary's advisory locks (the first of PostgreSQL's two keys),
# so they can never be mistaken for another feature's.
SUMMARY_LOCK_CLASS = 0x4F53  # "OS": outcome summary


def _serialise(ids: list[int]) -> None:
    """Make two refreshes of one patient run one after the other, so the later one
    sees what the earlier one committed (PostgreSQL; SQLite runs one writer at a time).

    Lock order: the calling action's own rows first (a dose locks its dosing
    session; a merge locks both patient records FOR NO KEY UPDATE, then every row it
    moves), the refresh last, in the same transaction. So the refresh takes no row
    lock: locking the patient row here made a dose (session, then patient) and a
    merge of that patient (patient, then session) wait for each other until
    PostgreSQL failed one. What it takes instead is a transaction-level advisory
    lock per patient, which no other code takes, in ascending order, held to
    commit; inserting the summary rows takes only a key-share lock on the patient
    row, which the merge's lock allows. (A refresh with no lock at all, writing
    with INSERT ... ON CONFLICT, would let the later of two refreshes overwrite the
    earlier's rows with a computation made before the earlier committed, losing
    its score or dose.)
    """
    if connection.vendor != "postgresql":
        return
    # Two 32-bit keys: patient ids past 2^31 share a key with a smaller id, which
    # only makes two unrelated refreshes wait for each other, never deadlock (the
    # keys, not the ids, are taken in ascending order).
    keys = sorted({pk % 2**31 for pk in ids})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, k) FROM "
            "(SELECT k FROM unnest(%s::integer[]) AS k ORDER BY k) AS ordered",
            [SUMMARY_LOCK_CLASS, keys],
        )


def _refresh(ids: list[int] | None) -> None:
    if ids is not None:
        _serialise(ids)
    if ids is None:
        courses_sql, params = _courses(None).query.sql_with_params()
        sql, values = _insert_sql(courses_sql), list(params)
    else:
        sql, constants = _statement_for(connection.vendor, len(ids))
        values = [*constants, *ids]
    old = OutcomeSummary.objects.all()
    if ids is not None:
        old = old.filter(patient_id__in=ids)
    old.delete()
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


@functools.lru_cache(maxsize=16)
def _statement_for(vendor: str, count: int) -> tuple[str, tuple[Any, ...]]:
    """The refresh statement for `count` patients and its parameters before their
    ids. Building it is most of a one-patient refresh's cost (several ms), so it is
    built once per count: the ids are the statement's last parameters, checked here
    with stand-in ids that no patient has."""
    stand_ins = [-1 - n for n in range(count)]
    courses_sql, params = _courses(stand_ins).query.sql_with_params()
    params = tuple(params)
    if list(params[-count:]) != stand_ins or any(p in stand_ins for p in params[:-count]):
        raise RuntimeError("The outcome summary statement no longer ends with the ids.")
    return _insert_sql(courses_sql), params[:-count]
