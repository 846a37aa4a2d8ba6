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

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat, ExtractQuarter, ExtractYear
from django.db.models.lookups import LessThanOrEqual

from kapclinic.outcomes import change
from kapclinic.outcomes.models import QuestionnaireResponse
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import DOSING_CODES, Appointment, AppointmentStatus
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


def _scores(code: str) -> QuerySet[QuestionnaireResponse]:
    return QuestionnaireResponse.objects.filter(
        patient=OuterRef("pk"), instrument=code, total__isnull=False, replaced_by__isnull=True
    )


def _response_q(code: str, total: str) -> Any:
    """Whether the patient annotation `total` is a response from their baseline."""
    if code == "pcl5":
        return LessThanOrEqual(F(total), F("baseline") - change.PCL5_RESPONSE_POINTS)
    percent = change.RESPONSE_PERCENT[code]
    # Whole numbers, as change.response_level: total * 100 <= baseline * (100 - percent).
    return LessThanOrEqual(F(total) * 100, F("baseline") * (100 - percent))


def _responding(code: str, queryset: QuerySet[Any], total: str, baseline: Any) -> QuerySet[Any]:
    """Filter `queryset` to rows whose `total` is a response from `baseline`."""
    if code == "pcl5":
        return queryset.filter(**{f"{total}__lte": baseline - change.PCL5_RESPONSE_POINTS})
    percent = change.RESPONSE_PERCENT[code]
    # Whole numbers, as change.response_level: total * 100 <= baseline * (100 - percent).
    return queryset.filter(LessThanOrEqual(F(total) * 100, baseline * (100 - percent)))


def patients_with_outcomes(
    code: str,
    *,
    sites: QuerySet[Any] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    madrs_remission_at_or_below: int = 10,
) -> QuerySet[Any]:
    """Patients with a dose and a baseline, annotated with their outcomes (lazy)."""
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
    patients = patients.annotate(
        baseline=Subquery(
            _scores(code)
            .filter(completed_at__lt=OuterRef("first_dose"))
            .order_by("-completed_at", "-id")
            .values("total")[:1]
        )
    ).filter(baseline__isnull=False)
    after = _scores(code).filter(completed_at__gte=OuterRef("first_dose"))
    patients = patients.annotate(
        responded_at=Subquery(
            _responding(code, after, "total", OuterRef("baseline"))
            .order_by("completed_at", "id")
            .values("completed_at")[:1]
        )
    )
    limit = {**change.REMISSION_AT_OR_BELOW, "madrs": madrs_remission_at_or_below}.get(code)
    if limit is not None:
        patients = patients.annotate(remitted=Exists(after.filter(total__lte=limit)))
    else:
        patients = patients.annotate(remitted=Value(False))
    for weeks in (4, 12):
        # The first score at least `weeks` after the response, and whether it still is one.
        later = (
            _scores(code)
            .filter(completed_at__gte=OuterRef("responded_at") + dt.timedelta(weeks=weeks))
            .order_by("completed_at", "id")
            .values("total")[:1]
        )
        patients = patients.annotate(**{f"later_{weeks}": Subquery(later)})
        patients = patients.annotate(
            **{
                f"followed_{weeks}": ExpressionWrapper(
                    Q(**{f"later_{weeks}__isnull": False}), output_field=BooleanField()
                ),
                f"held_{weeks}": _response_q(code, f"later_{weeks}"),
            }
        )
    first_plan = TreatmentPlan.objects.filter(patient=OuterRef("pk")).order_by("version", "id")
    dose_count = _doses().values("patient").annotate(n=Count("pk")).values("n").order_by()
    annotated: QuerySet[Any] = patients.annotate(
        planned=Subquery(first_plan.values("sessions_planned")[:1]),
        doses=Subquery(dose_count, output_field=IntegerField()),
    )
    return annotated


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
        return Subquery(first_plan.values("route")[:1], output_field=CharField())
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
        return INDICATIONS.get(key, key).capitalize()
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
    base = patients_with_outcomes(
        code,
        sites=sites,
        since=since,
        until=until,
        madrs_remission_at_or_below=madrs_remission_at_or_below,
    ).annotate(cohort=_cohort_expression(by))
    rows = (
        base.values("cohort")
        .annotate(
            n=Count("pk"),
            responders=Count("pk", filter=Q(responded_at__isnull=False)),
            remitters=Count("pk", filter=Q(remitted=True)),
            followed_4=Count("pk", filter=Q(followed_4=True)),
            held_4=Count("pk", filter=Q(held_4=True)),
            followed_12=Count("pk", filter=Q(followed_12=True)),
            held_12=Count("pk", filter=Q(held_12=True)),
            with_plan=Count("pk", filter=Q(planned__isnull=False)),
            completed=Count("pk", filter=Q(planned__isnull=False, doses__gte=F("planned"))),
        )
        .order_by("cohort")
    )
    found: dict[str | None, Cohort] = {}
    for row in rows:
        found[row["cohort"]] = Cohort(
            label=_label(by, row["cohort"]),
            patients=row["n"],
            responders=row["responders"],
            remitters=row["remitters"],
            followed_4=row["followed_4"],
            held_4=row["held_4"],
            followed_12=row["followed_12"],
            held_12=row["held_12"],
            with_plan=row["with_plan"],
            completed=row["completed"],
        )
    to_response = (
        _doses()
        .filter(dosed_at__lte=OuterRef("responded_at"))
        .values("patient")
        .annotate(n=Count("pk"))
        .values("n")
        .order_by()
    )
    histogram = (
        base.filter(responded_at__isnull=False)
        .annotate(sessions=Subquery(to_response, output_field=IntegerField()))
        .values("cohort", "sessions")
        .annotate(k=Count("pk"))
        .order_by()
    )
    for row in histogram:
        cohort = found.get(row["cohort"])
        if cohort is not None and row["sessions"] is not None:
            cohort.sessions_histogram[row["sessions"]] = row["k"]
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
