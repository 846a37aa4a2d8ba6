"""The audit log browser, its CSV export and the break-glass grant page.

Clinic admins only (404 for anyone else). Reading the audit trail is itself
audited: one LIST row per page shown, one EXPORT row per download, one VIEW row per
grant opened.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kapclinic.audit import breakglass, labels
from kapclinic.audit.access import (
    get_grant,
    grant_events,
    require_audit_reader,
    unreviewed_grants,
)
from kapclinic.audit.actions import record
from kapclinic.audit.filters import AuditFilterForm, clinic_time_zone, filtered_events
from kapclinic.audit.forms import GrantReviewForm
from kapclinic.audit.models import AuditAction, AuditEvent, BreakGlassGrant

PAGE_SIZE = 50
CSV_COLUMNS = [
    "id",
    "occurred_at",
    "actor_id",
    "actor",
    "actor_role",
    "action",
    "outcome",
    "patient_id",
    "object_type",
    "object_id",
    "ip_address",
    "request_id",
    "path",
    "flagged",
    "grant_id",
    "detail",
    "hash",
]


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    admin = require_audit_reader(request)
    tz = clinic_time_zone()
    form = AuditFilterForm(request.GET)
    context: dict[str, Any] = {"form": form, "tz": tz, "page": None}
    if not form.is_valid():
        return render(request, "audit/log.html", context, status=400)
    page_param = request.GET.get("page", "1")[:10]
    record(
        actor=admin,
        action=AuditAction.LIST,
        object_type="audit.auditevent",
        detail={"filters": form.summary(), "page": page_param},
    )
    events = filtered_events(form.cleaned_data, tz)
    page = Paginator(events, PAGE_SIZE).get_page(page_param)
    page.object_list = list(page.object_list)  # evaluated once, then described
    _describe(page.object_list)
    context["page"] = page
    context["unreviewed"] = unreviewed_grants()
    return render(request, "audit/log.html", context)


def _describe(events: Iterable[AuditEvent]) -> None:
    """Give each event its record's readable name and its changes, for the page."""
    rows = list(events)
    names = labels.record_names((e.object_type, e.object_id) for e in rows)
    for e in rows:
        kind = labels.kind(e.object_type) if e.object_type else ""
        e.object_label = names.get((e.object_type, e.object_id), kind)  # type: ignore[attr-defined]
        e.changes = labels.changes(e.object_type, e.detail)  # type: ignore[attr-defined]
        e.changed_fields = labels.changed_fields(e.object_type, e.detail)  # type: ignore[attr-defined]


class _Echo:
    """A file-like object whose write returns the line, for streaming csv."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Keep spreadsheets from running a cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_lines(events: Iterable[AuditEvent], tz: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for e in events:
        # Patients' names are not shown in the audit log; their account id is.
        name = "" if e.actor is None or e.actor.is_patient else e.actor.full_name
        values = [
            e.pk,
            e.occurred_at.astimezone(tz).isoformat(),
            e.actor_id,
            name,
            e.actor_role,
            e.action,
            e.outcome,
            e.patient_id,
            e.object_type,
            e.object_id,
            e.ip_address,
            e.request_id,
            e.path,
            "yes" if e.flagged else "no",
            getattr(e, "grant_id", None),
            json.dumps(e.detail, sort_keys=True),
            e.hash,
        ]
        yield writer.writerow([_cell(v) for v in values])


@require_GET
def audit_export(request: HttpRequest) -> HttpResponseBase:
    admin = require_audit_reader(request)
    tz = clinic_time_zone()
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/log.html", {"form": form, "tz": tz, "page": None}, status=400)
    record(
        actor=admin,
        action=AuditAction.EXPORT,
        object_type="audit.auditevent",
        detail={"filters": form.summary(), "format": "csv"},
    )
    events = filtered_events(form.cleaned_data, tz).iterator(chunk_size=2000)
    response = StreamingHttpResponse(_csv_lines(events, tz), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response


def _grant_page(
    request: HttpRequest, grant: BreakGlassGrant, form: GrantReviewForm, status: int = 200
) -> HttpResponse:
    events = list(grant_events(grant))
    _describe(events)
    context = {
        "grant": grant,
        "events": events,
        "tz": clinic_time_zone(),
        "review_form": form,
    }
    return render(request, "audit/grant.html", context, status=status)


@require_GET
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    admin = require_audit_reader(request)
    grant = get_grant(pk)
    record(actor=admin, action=AuditAction.VIEW, obj=grant, detail={"patient_id": grant.patient_id})
    return _grant_page(request, grant, GrantReviewForm())


@require_POST
def grant_review(request: HttpRequest, pk: int) -> HttpResponse:
    admin = require_audit_reader(request)
    grant = get_grant(pk)
    if grant.reviewed_at is not None:
        messages.info(request, "This grant was already reviewed.")
        return redirect("audit:grant", pk=grant.pk)
    form = GrantReviewForm(request.POST)
    if not form.is_valid():
        return _grant_page(request, grant, form, status=400)
    breakglass.review_grant(actor=admin, grant=grant, note=form.cleaned_data["note"])
    messages.success(request, f"Break-glass grant #{grant.pk} marked as reviewed.")
    return redirect("audit:grant", pk=grant.pk)
