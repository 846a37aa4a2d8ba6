"""Clinic analytics: response, remission, time to response, durability and completion
by cohort, computed by the database.

One row per patient is never loaded: the cohort table is one aggregate query over
patients annotated with correlated subqueries (first dose, baseline, first
response, follow-up scores), and the median number of sessions to response is a
second aggregate that returns a histogram (cohort x number of sessions), whose
size is bounded by the cohorts, not by the patients.

Definitions, per patient with at least one dose (CLINICAL.md 5, as in the
trajectory page): baseline is the last score before the first dose; response and
remission are reached when any later score meets the criterion; sessions to
response counts the doses up to that score; durability asks whether the first
score at least 4 (or 12) weeks after the response still meets it, among those with
such a score; completion is reaching the number of sessions the first treatment
plan ordered. A cohort of fewer than 5 patients is suppressed, so nobody can be
recognised in a small group.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat, ExtractQuarter, ExtractYear

from kapclinic.dosing.models import DosingSession
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes import change
from kapclinic.outcomes.models import QuestionnaireResponse
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import (
    DOSING_CODES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    TypeCode,
)
from kapclinic.screening.models import ScreeningRecord
from kapclinic.screening.rules import INDICATIONS
from kapclinic.treatment.models import Route, TreatmentPlan

MIN_COHORT = 5
INSTRUMENTS = ("phq9", "gad7", "qids_sr16", "madrs", "ybocs", "pcl5")
DIMENSIONS = {
    "all": "All patients",
    "indication": "Indication",
    "route": "Route",
    "protocol": "Protocol",
    "site": "Site",
    "period": "Quarter of first dose",
}
NONE_LABEL = "Not recorded"
VISIT_ROUTES = {
    TypeCode.DOSING_IV: Route.IV,
    TypeCode.DOSING_IM: Route.IM,
    TypeCode.DOSING_ORAL: Route.ORAL,
    TypeCode.DOSING_ESKETAMINE: Route.INTRANASAL,
}


@dataclass(frozen=True)
class Benchmark:
    source: str
    response: str = ""
    remission: str = ""
    note: str = ""


# CLINICAL.md section 6.
BENCHMARKS: dict[str, list[Benchmark]] = {
    "phq9": [
        Benchmark(
            "At-home sublingual ketamine, 4 weeks, n = 1,247 (Hull 2022, J Affect Disord)",
            "62.8%",
            "32.6%",
        ),
        Benchmark(
            "Six IV infusions over 12 days (Murrough 2013, Biol Psychiatry)",
            "70.8%",
            note="median 18 days to relapse after the course",
        ),
    ],
    "gad7": [
        Benchmark(
            "At-home sublingual ketamine, 4 weeks, n = 1,247 (Hull 2022, J Affect Disord)",
            "62.9%",
            "31.3%",
        )
    ],
    "madrs": [
        Benchmark(
            "Six IV infusions over 12 days (Murrough 2013, Biol Psychiatry)",
            "70.8%",
            note="median 18 days to relapse after the course",
        )
    ],
}


@dataclass
class Cohort:
    label: str
    patients: int
    responders: int = 0
    remitters: int = 0
    followed_4: int = 0
    held_4: int = 0
    followed_12: int = 0
    held_12: int = 0
    with_plan: int = 0
    completed: int = 0
    sessions_histogram: dict[int, int] = field(default_factory=dict)

    @property
    def suppressed(self) -> bool:
        return self.patients < MIN_COHORT

    @staticmethod
    def _rate(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f}%" if whole else "—"

    @property
    def response_rate(self) -> str:
        return self._rate(self.responders, self.patients)

    @property
    def remission_rate(self) -> str:
        return self._rate(self.remitters, self.patients)

    @property
    def held_4_rate(self) -> str:
        return self._rate(self.held_4, self.followed_4)

    @property
    def held_12_rate(self) -> str:
        return self._rate(self.held_12, self.followed_12)

    @property
    def completion_rate(self) -> str:
        return self._rate(self.completed, self.with_plan)

    @property
    def median_sessions(self) -> float | None:
        return median_of_histogram(self.sessions_histogram)


def median_of_histogram(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}."""
    total = sum(histogram.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        for position in middle:
            if seen <= position < seen + count:
                found.append(value)
        seen += count
    return sum(found) / len(found)


def _doses(patient_ref: str = "pk") -> QuerySet[Any]:
    """Dose events, as in trajectory_queries.dose_times, for the outer patient."""
    doses: QuerySet[Any] = (
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
    return doses


def _patients(
    by: str,
    *,
    sites: QuerySet[Any] | None,
    since: dt.date | None,
    until: dt.date | None,
) -> QuerySet[Any]:
    """Patients with a dose: their first dose, cohort, planned sessions and dose count."""
    first_dose = Subquery(_doses().order_by("dosed_at").values("dosed_at")[:1])
    patients: QuerySet[Any] = Patient.objects.annotate(first_dose=first_dose).filter(
        first_dose__isnull=False
    )
    if sites is not None:
        patients = patients.filter(site__in=sites)
    if since is not None:
        patients = patients.filter(first_dose__date__gte=since)
    if until is not None:
        patients = patients.filter(first_dose__date__lte=until)
    first_plan = TreatmentPlan.objects.filter(patient=OuterRef("pk")).order_by("version", "id")
    dose_count = _doses().values("patient").annotate(n=Count("pk")).values("n").order_by()
    annotated: QuerySet[Any] = patients.annotate(
        cohort=_cohort_expression(by),
        planned=Subquery(first_plan.values("sessions_planned")[:1]),
        doses=Subquery(dose_count, output_field=IntegerField()),
    ).values("pk", "first_dose", "cohort", "planned", "doses")
    return annotated


def _after(vendor: str, column: str, days: int) -> str:
    """SQL for `column` plus `days` days (datetimes are text in SQLite)."""
    if vendor == "postgresql":
        return f"{column} + INTERVAL '{int(days)} days'"
    return f"datetime({column}, '+{int(days)} days')"


def _outcomes_sql(code: str, inner: str, vendor: str, remission_limit: int | None) -> str:
    """One row per patient with baseline, response time, remission, follow-up scores
    and sessions to response, each layer reading the one below as plain columns so
    no subquery is repeated. Only integers and table names are formatted in; values
    are parameters."""
    responses = QuestionnaireResponse._meta.db_table
    appointments = Appointment._meta.db_table
    sessions = DosingSession._meta.db_table
    kinds = AppointmentType._meta.db_table
    score = (
        f"FROM {responses} r WHERE r.patient_id = t.pk AND r.instrument = %s "  # noqa: S608
        f"AND r.total IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {responses} c WHERE c.replaces_id = r.id)"
    )
    if code == "pcl5":
        responding = f"r.total <= t.baseline - {int(change.PCL5_RESPONSE_POINTS)}"
    else:
        # Whole numbers, as change.response_level: total * 100 <= baseline * (100 - percent).
        keep = 100 - int(change.RESPONSE_PERCENT[code])
        responding = f"r.total * 100 <= t.baseline * {keep}"
    remitted = (
        f"EXISTS (SELECT 1 {score} AND r.completed_at >= t.first_dose "
        f"AND r.total <= {int(remission_limit)})"
        if remission_limit is not None
        else "0 = 1"
    )
    codes = ", ".join(f"'{c}'" for c in sorted(DOSING_CODES))
    later = {
        weeks: (
            f"(SELECT r.total {score} AND r.completed_at >= "
            f"{_after(vendor, 't.responded_at', 7 * weeks)} "
            "ORDER BY r.completed_at, r.id LIMIT 1)"
        )
        for weeks in (4, 12)
    }
    # Only table names and integers are formatted in (S608); values are parameters.
    # MATERIALIZED keeps each layer computed once: without it both databases may
    # inline a layer's subqueries into every later reference and repeat them.
    return f"""
    WITH base AS MATERIALIZED ({inner}),
    with_baseline AS MATERIALIZED (
      SELECT t.*,
        (SELECT r.total {score} AND r.completed_at < t.first_dose
         ORDER BY r.completed_at DESC, r.id DESC LIMIT 1) AS baseline
      FROM base t
    ),
    with_response AS MATERIALIZED (
      SELECT t.*,
        (SELECT MIN(r.completed_at) {score} AND r.completed_at >= t.first_dose
           AND {responding}) AS responded_at,
        {remitted} AS remitted
      FROM with_baseline t
      WHERE t.baseline IS NOT NULL
    ),
    per_patient AS MATERIALIZED (
      SELECT t.*, {later[4]} AS later_4, {later[12]} AS later_12,
        (SELECT COUNT(*) FROM {appointments} a
           LEFT JOIN {sessions} s ON s.appointment_id = a.id
           JOIN {kinds} k ON k.id = a.appointment_type_id
         WHERE a.patient_id = t.pk AND t.responded_at IS NOT NULL
           AND (s.first_dose_at IS NOT NULL
                OR (s.id IS NULL AND k.code IN ({codes}) AND a.status = 'completed'))
           AND COALESCE(s.first_dose_at, a.start) <= t.responded_at) AS to_response
      FROM with_response t
    )
    """  # noqa: S608


def _held(code: str, column: str) -> str:
    if code == "pcl5":
        return f"{column} <= baseline - {int(change.PCL5_RESPONSE_POINTS)}"
    return f"{column} * 100 <= baseline * {100 - int(change.RESPONSE_PERCENT[code])}"


def _cohort_expression(by: str) -> Any:
    first_plan = TreatmentPlan.objects.filter(patient=OuterRef("pk")).order_by("version", "id")
    if by == "indication":
        signed = ScreeningRecord.objects.filter(
            patient=OuterRef("pk"), status=ScreeningRecord.Status.SIGNED
        ).order_by("-signed_at", "-id")
        return Subquery(
            signed.annotate(ind=KeyTextTransform("indication", "facts")).values("ind")[:1],
            output_field=CharField(),
        )
    if by == "route":
        # The plan's route; before plans are recorded, the route of the dosing visits.
        visit_route = Subquery(
            _doses()
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
        return Coalesce(
            Subquery(first_plan.values("route")[:1], output_field=CharField()), visit_route
        )
    if by == "protocol":
        return Subquery(first_plan.values("protocol__name")[:1], output_field=CharField())
    if by == "site":
        return F("site__name")
    if by == "period":
        first = Cast(F("first_dose"), DateTimeField())
        return Concat(
            Cast(ExtractYear(first), CharField()),
            Value(" Q"),
            Cast(ExtractQuarter(first), CharField()),
            output_field=CharField(),
        )
    return Value("All patients", output_field=CharField())


def _label(by: str, key: str | None) -> str:
    if key is None or key == "":
        return NONE_LABEL
    if by == "indication":
        name = INDICATIONS.get(key, key)
        return name[:1].upper() + name[1:]
    if by == "route":
        return dict(Route.choices).get(key, key)
    return key


def cohorts(
    code: str,
    by: str,
    *,
    sites: QuerySet[Any] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    madrs_remission_at_or_below: int = 10,
) -> list[Cohort]:
    """The cohort table: two aggregate queries, whatever the number of patients."""
    if code not in INSTRUMENTS or by not in DIMENSIONS:
        raise FieldValueError("code" if code not in INSTRUMENTS else "by", "not a choice")
    inner, inner_params = _patients(
        by, sites=sites, since=since, until=until
    ).query.sql_with_params()
    vendor = connection.vendor
    limit = {**change.REMISSION_AT_OR_BELOW, "madrs": madrs_remission_at_or_below}.get(code)
    per_patient = _outcomes_sql(code, inner, vendor, limit)
    # The instrument parameter appears once per score subquery, in SQL text order.
    uses = per_patient.count("r.instrument = %s")
    before_inner = per_patient[: per_patient.index(inner)].count("r.instrument = %s")
    params = [code] * before_inner + list(inner_params) + [code] * (uses - before_inner)
    rows_sql = f"""{per_patient}
    SELECT cohort, COUNT(*),
      SUM(CASE WHEN responded_at IS NOT NULL THEN 1 ELSE 0 END),
      SUM(CASE WHEN remitted THEN 1 ELSE 0 END),
      SUM(CASE WHEN later_4 IS NOT NULL THEN 1 ELSE 0 END),
      SUM(CASE WHEN {_held(code, "later_4")} THEN 1 ELSE 0 END),
      SUM(CASE WHEN later_12 IS NOT NULL THEN 1 ELSE 0 END),
      SUM(CASE WHEN {_held(code, "later_12")} THEN 1 ELSE 0 END),
      SUM(CASE WHEN planned IS NOT NULL THEN 1 ELSE 0 END),
      SUM(CASE WHEN planned IS NOT NULL AND doses >= planned THEN 1 ELSE 0 END),
      to_response
    FROM per_patient
    GROUP BY cohort, to_response
    """  # noqa: S608
    # One query: grouped by cohort and sessions to response, so the histogram for the
    # median comes with the counts; the cohorts are summed from these rows.
    found: dict[str | None, Cohort] = {}
    with connection.cursor() as cursor:
        cursor.execute(rows_sql, params)
        for key, n, resp, remit, f4, h4, f12, h12, plan, done, to_response in cursor.fetchall():
            cohort = found.setdefault(key, Cohort(_label(by, key), 0))
            cohort.patients += n
            cohort.responders += resp or 0
            cohort.remitters += remit or 0
            cohort.followed_4 += f4 or 0
            cohort.held_4 += h4 or 0
            cohort.followed_12 += f12 or 0
            cohort.held_12 += h12 or 0
            cohort.with_plan += plan or 0
            cohort.completed += done or 0
            if resp and to_response:
                cohort.sessions_histogram[int(to_response)] = resp
    return sorted(found.values(), key=lambda c: (c.label == NONE_LABEL, c.label))


def total_of(rows: list[Cohort]) -> Cohort:
    """All cohorts together (the histograms add up, so the median is exact)."""
    total = Cohort("All patients in these cohorts", 0)
    for c in rows:
        total.patients += c.patients
        total.responders += c.responders
        total.remitters += c.remitters
        total.followed_4 += c.followed_4
        total.held_4 += c.held_4
        total.followed_12 += c.followed_12
        total.held_12 += c.held_12
        total.with_plan += c.with_plan
        total.completed += c.completed
        for k, v in c.sessions_histogram.items():
            total.sessions_histogram[k] = total.sessions_histogram.get(k, 0) + v
    return total
