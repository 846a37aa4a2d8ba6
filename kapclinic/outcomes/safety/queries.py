"""The safety panel's data: one query per part, whatever the length of the history.

Sums, maxima and per-month totals are computed by the database; Python only words
the flags (rules.py) over the already-aggregated rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, DecimalField, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from kapclinic.clinics.models import SiteSettings
from kapclinic.dosing.models import Administration, DosingSession, VitalReading
from kapclinic.outcomes.safety import rules
from kapclinic.outcomes.safety.models import BladderCheck, MisuseSignal
from kapclinic.patients.models import Patient
from kapclinic.treatment.models import Drug


@dataclass
class Panel:
    months: list[dict[str, Any]]
    totals: dict[str, Decimal]
    sessions: list[dict[str, Any]]
    weeks: list[rules.WeekDoses]
    bladder: list[BladderCheck]
    misuse: list[MisuseSignal]
    flags: list[rules.Flag] = field(default_factory=list)

    @property
    def urgent(self) -> list[rules.Flag]:
        return [f for f in self.flags if f.level == "urgent"]


def _monthly_doses(patient: Patient, tz: dt.tzinfo) -> list[dict[str, Any]]:
    labels = dict(Drug.choices)
    rows = (
        Administration.objects.filter(session__patient=patient)
        .annotate(month=TruncMonth("started_at", tzinfo=tz))
        .values("month", "drug")
        .annotate(total_mg=Sum("dose_mg"), doses=Count("id"))
        .order_by("month", "drug")
    )
    running: dict[str, Decimal] = {}
    months = []
    for row in rows:
        running[row["drug"]] = running.get(row["drug"], Decimal(0)) + row["total_mg"]
        months.append(
            {
                **row,
                "drug_label": labels.get(row["drug"], row["drug"]),
                "cumulative_mg": running[row["drug"]],
            }
        )
    return months


def _sessions(patient: Patient) -> list[dict[str, Any]]:
    live = VitalReading.objects.filter(
        session=OuterRef("pk"), corrected_by__isnull=True, systolic__isnull=False
    ).order_by("-is_baseline", "taken_at", "id")
    given = (
        Administration.objects.filter(session=OuterRef("pk"))
        .values("session")
        .annotate(total=Sum("dose_mg"))
        .values("total")
    )
    uncorrected = Q(readings__corrected_by__isnull=True)
    return list(
        DosingSession.objects.filter(patient=patient, first_dose_at__isnull=False)
        .annotate(
            given_mg=Coalesce(
                Subquery(given, output_field=DecimalField()),
                Decimal(0),
                output_field=DecimalField(),
            ),
            baseline_systolic=Subquery(live.values("systolic")[:1]),
            baseline_diastolic=Subquery(live.values("diastolic")[:1]),
            peak_systolic=Max("readings__systolic", filter=uncorrected),
            peak_diastolic=Max("readings__diastolic", filter=uncorrected),
        )
        .order_by("first_dose_at")
        .values(
            "first_dose_at",
            "given_mg",
            "baseline_systolic",
            "baseline_diastolic",
            "peak_systolic",
            "peak_diastolic",
            "plan__dose_mg",
            "plan__max_doses_per_week",
        )
    )


def _weeks(sessions: list[dict[str, Any]], tz: dt.tzinfo) -> list[rules.WeekDoses]:
    """Doses per week (Monday first, in the site's time zone), with the strictest
    limit of the plans followed that week."""
    weeks: dict[dt.date, list[int]] = {}
    for s in sessions:
        day = s["first_dose_at"].astimezone(tz).date()
        monday = day - dt.timedelta(days=day.weekday())
        count, allowed = weeks.get(monday, [0, 0])
        limit = s["plan__max_doses_per_week"] or 0
        weeks[monday] = [count + 1, min(allowed, limit) if allowed else limit]
    return [rules.WeekDoses(w, c, a) for w, (c, a) in sorted(weeks.items())]


def thresholds_for(site_settings: SiteSettings | None) -> rules.Thresholds:
    """The site's safety thresholds; a site with no settings row uses the defaults."""
    if site_settings is None:
        return rules.Thresholds()
    return rules.Thresholds(
        recent_weeks=site_settings.safety_recent_weeks,
        sustained_sessions=site_settings.safety_sustained_sessions,
        dose_rise_fraction=Decimal(site_settings.safety_dose_rise_percent) / 100,
        bladder_check_days=site_settings.safety_bladder_check_days,
        request_pattern_count=site_settings.safety_request_pattern_count,
        request_pattern_days=site_settings.safety_request_pattern_days,
        dosing_window_days=site_settings.safety_dosing_window_days,
        resting_systolic=site_settings.predose_bp_warn_systolic,
        resting_diastolic=site_settings.predose_bp_warn_diastolic,
        rise_systolic=site_settings.bp_rise_warn_systolic,
        rise_diastolic=site_settings.bp_rise_warn_diastolic,
    )


def build_panel(patient: Patient) -> Panel:
    tz = ZoneInfo(patient.site.time_zone)
    today = timezone.now().astimezone(tz).date()
    thresholds = thresholds_for(SiteSettings.objects.filter(site_id=patient.site_id).first())
    months = _monthly_doses(patient, tz)
    sessions = _sessions(patient)
    weeks = _weeks(sessions, tz)
    bladder = list(BladderCheck.objects.filter(patient=patient).select_related("recorded_by")[:24])
    misuse = list(MisuseSignal.objects.filter(patient=patient).select_related("recorded_by")[:50])
    totals: dict[str, Decimal] = {}
    for row in months:
        totals[row["drug_label"]] = row["cumulative_mg"]
    flags = [
        *rules.dose_flags(
            [
                rules.SessionDose(s["first_dose_at"], s["given_mg"], s["plan__dose_mg"])
                for s in sessions
            ],
            thresholds,
        ),
        *rules.frequency_flags(weeks, today, thresholds),
        *rules.pressure_flags(
            [
                rules.SessionPressure(
                    s["first_dose_at"],
                    s["baseline_systolic"],
                    s["baseline_diastolic"],
                    s["peak_systolic"],
                    s["peak_diastolic"],
                )
                for s in sessions
            ],
            thresholds,
        ),
        *rules.bladder_flags(
            [
                rules.BladderAnswers(b.checked_on, b.urgency, b.frequency, b.pain, b.blood)
                for b in bladder
            ],
            today,
            thresholds,
            dosing=rules.being_dosed(
                sessions[-1]["first_dose_at"].astimezone(tz).date() if sessions else None,
                today,
                thresholds,
            ),
        ),
        *rules.misuse_flags(
            [(m.noted_on, m.kind, m.get_kind_display()) for m in misuse], today, thresholds
        ),
    ]
    flags.sort(key=lambda f: f.level != "urgent")
    return Panel(months, totals, sessions, weeks, bladder, misuse, flags)
