"""Clinic analytics: response, remission, time to response, durability and completion
by cohort, computed by the database.

One row per patient is never loaded: the cohort table is one aggregate query over
the per-patient outcome summary (`OutcomeSummary`, kept current by
`outcomes.summary` as scores, doses and plans are recorded), grouped by cohort and
number of sessions to response, so the median comes as a histogram whose size is
bounded by the cohorts, not by the patients.

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
from django.db.models import CharField, DateTimeField, F, QuerySet, Value
from django.db.models.functions import Cast, Concat, ExtractQuarter, ExtractYear

from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes import change
from kapclinic.outcomes.models import OutcomeSummary
from kapclinic.outcomes.summary import INSTRUMENTS as INSTRUMENTS
from kapclinic.outcomes.summary import response_sql
from kapclinic.screening.rules import INDICATIONS
from kapclinic.treatment.models import Route

MIN_COHORT = 5
DIMENSIONS = {
    "all": "All patients",
    "indication": "Indication",
    "route": "Route",
    "protocol": "Protocol",
    "site": "Site",
    "period": "Quarter of first dose",
}
NONE_LABEL = "Not recorded"


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


def _rows(
    by: str,
    code: str,
    *,
    sites: QuerySet[Any] | None,
    since: dt.date | None,
    until: dt.date | None,
) -> QuerySet[Any]:
    """The summary rows analytics counts: patients with a first dose and a baseline
    on this scale, with their cohort."""
    rows: QuerySet[Any] = OutcomeSummary.objects.filter(
        instrument=code, first_dose_at__isnull=False, baseline__isnull=False
    )
    if sites is not None:
        rows = rows.filter(patient__site__in=sites)
    if since is not None:
        rows = rows.filter(first_dose_at__date__gte=since)
    if until is not None:
        rows = rows.filter(first_dose_at__date__lte=until)
    found: QuerySet[Any] = rows.annotate(cohort=_cohort_expression(by)).values(
        "cohort",
        "baseline",
        "responded_at",
        "best_since_dose",
        "later_4",
        "later_12",
        "sessions_planned",
        "doses",
        "sessions_to_response",
    )
    return found


def _held(code: str, column: str) -> str:
    """SQL: the later score still meets the response criterion (the summary's rule,
    so a response and its durability never disagree; `code` is one of INSTRUMENTS)."""
    return response_sql(column, "baseline", f"'{code}'")


def _cohort_expression(by: str) -> Any:
    """The cohort key of a summary row (indication, route and protocol come from the
    first plan and the latest signed screening, kept on the row)."""
    if by == "indication":
        return F("indication")
    if by == "route":
        return F("route")
    if by == "protocol":
        return F("protocol__name")
    if by == "site":
        return F("patient__site__name")
    if by == "period":
        first = Cast(F("first_dose_at"), DateTimeField())
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
    """The cohort table: one aggregate query, whatever the number of patients."""
    if code not in INSTRUMENTS or by not in DIMENSIONS:
        raise FieldValueError("code" if code not in INSTRUMENTS else "by", "not a choice")
    inner, params = _rows(by, code, sites=sites, since=since, until=until).query.sql_with_params()
    limit = {**change.REMISSION_AT_OR_BELOW, "madrs": madrs_remission_at_or_below}.get(code)
    remitted = f"best_since_dose <= {int(limit)}" if limit is not None else "0 = 1"
    rows_sql = f"""
    SELECT cohort, COUNT(*),
      SUM(CASE WHEN responded_at IS NOT NULL THEN 1 ELSE 0 END),
      SUM(CASE WHEN {remitted} THEN 1 ELSE 0 END),
      SUM(CASE WHEN later_4 IS NOT NULL THEN 1 ELSE 0 END),
      SUM(CASE WHEN {_held(code, "later_4")} THEN 1 ELSE 0 END),
      SUM(CASE WHEN later_12 IS NOT NULL THEN 1 ELSE 0 END),
      SUM(CASE WHEN {_held(code, "later_12")} THEN 1 ELSE 0 END),
      SUM(CASE WHEN sessions_planned IS NOT NULL THEN 1 ELSE 0 END),
      SUM(CASE WHEN sessions_planned IS NOT NULL AND doses >= sessions_planned
          THEN 1 ELSE 0 END),
      sessions_to_response
    FROM ({inner}) per_patient
    GROUP BY cohort, sessions_to_response
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
