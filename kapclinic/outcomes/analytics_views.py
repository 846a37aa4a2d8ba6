"""Clinic analytics pages for prescribers and clinic admins: the cohort table beside
the published benchmarks, and its CSV export.

No patient is named or counted below 5 (analytics.MIN_COHORT), so these pages show
no protected record; the export is still audited, as every export is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site
from kapclinic.outcomes import analytics
from kapclinic.outcomes.instruments import INSTRUMENTS


def _sites_for(user: User) -> QuerySet[Site]:
    """A clinic admin sees every site; a prescriber the sites they work at."""
    if user.role == Role.CLINIC_ADMIN:
        return Site.objects.all()
    return user.sites.all()


class AnalyticsForm(forms.Form):
    instrument = forms.ChoiceField(
        label="Scale",
        choices=[(c, INSTRUMENTS[c].name) for c in analytics.INSTRUMENTS],
        required=False,
    )
    by = forms.ChoiceField(
        label="Cohorts by", choices=list(analytics.DIMENSIONS.items()), required=False
    )
    site = forms.ModelChoiceField(
        label="Site", queryset=Site.objects.none(), required=False, empty_label="All my sites"
    )
    since = forms.DateField(
        label="First dose from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="First dose until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be on or after the start date.")
        return data


def _analyse(request: HttpRequest) -> tuple[AnalyticsForm, dict[str, Any] | None]:
    user = current_user(request)
    if user.role not in (Role.PRESCRIBER, Role.CLINIC_ADMIN):
        raise Http404("No such page")
    sites = _sites_for(user)
    form = AnalyticsForm(request.GET or None, sites=sites)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {}
    code = data.get("instrument") or "phq9"
    by = data.get("by") or "indication"
    chosen: Site | None = data.get("site")
    since: dt.date | None = data.get("since")
    until: dt.date | None = data.get("until")
    rows = analytics.cohorts(
        code,
        by,
        sites=sites.filter(pk=chosen.pk) if chosen is not None else sites,
        since=since,
        until=until,
    )
    result = {
        "code": code,
        "instrument": INSTRUMENTS[code],
        "by": by,
        "by_label": analytics.DIMENSIONS[by],
        "rows": rows,
        "total": analytics.total_of(rows),
        "benchmarks": analytics.BENCHMARKS.get(code, []),
        "min_cohort": analytics.MIN_COHORT,
        "filters": {
            "site": chosen.name if chosen is not None else "",
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
        },
    }
    return form, result


@require_GET
def clinic_analytics(request: HttpRequest) -> HttpResponse:
    form, result = _analyse(request)
    status = 400 if result is None else 200
    context = {"form": form, "result": result, "query": request.GET.urlencode()}
    return render(request, "outcomes/analytics.html", context, status=status)


CSV_COLUMNS = [
    "cohort",
    "patients",
    "response_rate",
    "remission_rate",
    "median_sessions_to_response",
    "response_held_4_weeks",
    "response_held_12_weeks",
    "completion_rate",
]


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Keep spreadsheets from running a cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(rows: list[analytics.Cohort]) -> list[list[str]]:
    out = []
    for c in rows:
        if c.suppressed:
            values: list[object] = [c.label, f"fewer than {analytics.MIN_COHORT}"]
            values += [""] * (len(CSV_COLUMNS) - 2)
        else:
            values = [
                c.label,
                c.patients,
                c.response_rate,
                c.remission_rate,
                c.median_sessions,
                f"{c.held_4_rate} of {c.followed_4}",
                f"{c.held_12_rate} of {c.followed_12}",
                c.completion_rate,
            ]
        out.append([_cell(v) for v in values])
    return out


@require_GET
def analytics_export(request: HttpRequest) -> HttpResponse:
    form, result = _analyse(request)
    if result is None:
        context = {"form": form, "result": None, "query": request.GET.urlencode()}
        return render(request, "outcomes/analytics.html", context, status=400)
    record(
        actor=current_user(request),
        action=AuditAction.EXPORT,
        object_type="outcomes.analytics",
        detail={
            "instrument": result["code"],
            "by": result["by"],
            **result["filters"],
            "format": "csv",
        },
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows([*result["rows"], result["total"]]))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv")
    filename = f"clinic-analytics-{result['code']}-by-{result['by']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
