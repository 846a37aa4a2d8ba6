"""Controlled-substance log pages: the site's log (balances, flags, entries), one
form per kind of entry for nurses and prescribers, and a CSV export."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kapclinic.accounts.access import current_user
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site
from kapclinic.controlled import actions
from kapclinic.controlled.access import get_site_for_log, log_sites, may_record
from kapclinic.controlled.forms import (
    CorrectionForm,
    CountForm,
    FlagReviewForm,
    ReceiptForm,
    WasteForm,
)
from kapclinic.controlled.ledger import balances, flags, site_flags, unlogged_lots, unreviewed
from kapclinic.controlled.models import FlagReview, StockEntry
from kapclinic.dosing.models import Administration

RECENT = 50


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not may_record(user) and not user.is_clinic_admin:
        raise Http404("No such page")
    sites = list(log_sites(user))
    if len(sites) == 1:
        return redirect("controlled:site", pk=sites[0].pk)
    return render(request, "controlled/index.html", {"sites": sites})


@require_GET
def site_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's balances per lot, what needs review, the reviews made, and the
    latest entries."""
    site = get_site_for_log(request, pk)
    user = current_user(request)
    rows = list(balances(site.pk))
    unlogged = list(unlogged_lots(site.pk))
    entries = StockEntry.objects.filter(site=site).select_related("recorded_by", "witness")
    doses = (
        Administration.objects.filter(session__site=site)
        .select_related("given_by")
        .order_by("-started_at", "-id")
    )
    record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="controlled.stockentry",
        detail={"view": "controlled_log", "site_id": site.pk},
    )
    return render(
        request,
        "controlled/site.html",
        {
            "site": site,
            "zone": ZoneInfo(site.time_zone),
            "rows": rows,
            "flags": unreviewed(site.pk, flags(rows, unlogged)),
            "reviews": FlagReview.objects.filter(site=site).select_related("reviewed_by")[:RECENT],
            "entries": entries[:RECENT],
            "doses": doses[:RECENT],
            "may_record": may_record(user),
            "may_review": actions.may_review(user, site),
        },
    )


def _entry_view(
    form_class: type[Any], title: str, save: Callable[..., StockEntry]
) -> Callable[[HttpRequest, int], HttpResponse]:
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        site = get_site_for_log(request, pk, to_record=True)
        user = current_user(request)
        form = form_class(request.POST if request.method == "POST" else None, site=site, actor=user)
        if request.method == "POST" and form.is_valid():
            try:
                save(actor=user, site=site, **form.cleaned_data)
            except actions.LogRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, f"{title}: recorded.")
                return redirect("controlled:site", pk=site.pk)
        status = 400 if request.method == "POST" else 200
        return render(
            request,
            "controlled/entry.html",
            {"site": site, "form": form, "title": title},
            status=status,
        )

    return view


receive = _entry_view(ReceiptForm, "Stock received", actions.record_receipt)
waste = _entry_view(WasteForm, "Waste", actions.record_waste)
count = _entry_view(CountForm, "Physical count", actions.record_count)
correct = _entry_view(CorrectionForm, "Correction", actions.record_correction)


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """A clinic admin of the site marks an open flag reviewed, with what they found."""
    site = get_site_for_log(request, pk)
    user = current_user(request)
    if not actions.may_review(user, site):
        raise Http404("No such page")
    open_flags = unreviewed(site.pk, site_flags(site.pk))
    chosen = request.GET.get("flag", "")
    form = FlagReviewForm(
        request.POST if request.method == "POST" else None,
        open_flags=open_flags,
        initial={"flag": chosen} if any(f.key == chosen for f in open_flags) else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.review_flag(
                actor=user,
                site=site,
                flag_key=form.cleaned_data["flag"],
                note=form.cleaned_data["note"],
            )
        except actions.LogRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Flag marked reviewed.")
            return redirect("controlled:site", pk=site.pk)
    record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="controlled.flagreview",
        detail={"view": "controlled_flag_review", "site_id": site.pk},
    )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "controlled/review.html",
        {"site": site, "form": form, "open_flags": open_flags},
        status=status,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Keep spreadsheets from running a cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_COLUMNS = [
    "when",
    "entry",
    "drug",
    "strength",
    "lot",
    "mg",
    "log said (counts)",
    "supplier",
    "recorded or given by",
    "witness",
    "reason",
]


def _csv_lines(site: Site) -> Iterator[str]:
    zone = ZoneInfo(site.time_zone)
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    entries = StockEntry.objects.filter(site=site).select_related("recorded_by", "witness")
    for e in entries.order_by("occurred_at", "id").iterator(chunk_size=2000):
        values = [
            e.occurred_at.astimezone(zone).isoformat(),
            e.get_kind_display(),
            e.drug,
            e.strength,
            e.lot_number,
            e.quantity_mg,
            e.expected_mg,
            e.supplier,
            e.recorded_by.full_name,
            e.witness.full_name if e.witness else "",
            e.reason,
        ]
        yield writer.writerow([_cell(v) for v in values])
    doses = Administration.objects.filter(session__site=site).select_related("given_by")
    for d in doses.order_by("started_at", "id").iterator(chunk_size=2000):
        values = [
            d.started_at.astimezone(zone).isoformat(),
            "Dose given",
            d.drug,
            "",
            d.lot_number,
            d.dose_mg,
            "",
            "",
            d.given_by.full_name,
            "",
            "",
        ]
        yield writer.writerow([_cell(v) for v in values])


@require_GET
def export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    site = get_site_for_log(request, pk)
    record(
        actor=current_user(request),
        action=AuditAction.EXPORT,
        object_type="controlled.stockentry",
        detail={"site_id": site.pk, "format": "csv"},
    )
    response = StreamingHttpResponse(_csv_lines(site), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="controlled-substance-log.csv"'
    return response
