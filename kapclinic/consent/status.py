"""Is a patient's consent current? For readiness, the pathway board and the pages.

Current means: signed by the patient and countersigned by a prescriber, not
withdrawn, on the latest version of the form published by the day of the dose,
for the route of the patient's treatment plan (any route while there is no plan),
signed in the current course (`treatment.course`).
A newer version published after the patient signed makes their consent out of
date: they sign again before the next dose. Four queries for any number of
patients, so the board stays constant as it grows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils import timezone

from kapclinic.consent.models import Consent, ConsentDocument
from kapclinic.treatment.course_start import course_starts
from kapclinic.treatment.models import PlanStatus, Route, TreatmentPlan


def current_documents(on_date: dt.date | None = None) -> dict[str, ConsentDocument]:
    """The latest published version of each route's form (as of `on_date`)."""
    published = ConsentDocument.objects.filter(status=ConsentDocument.Status.PUBLISHED)
    if on_date is not None:
        end = dt.datetime.combine(on_date + dt.timedelta(days=1), dt.time.min)
        published = published.filter(published_at__lt=timezone.make_aware(end))
    latest: dict[str, ConsentDocument] = {}
    for document in published.order_by("route", "-version"):
        latest.setdefault(document.route, document)
    return latest


def plan_routes(patient_ids: Iterable[int]) -> dict[int, str]:
    """The route of each patient's newest treatment plan still in force or in draft."""
    rows = (
        TreatmentPlan.objects.filter(patient_id__in=list(patient_ids))
        .exclude(status=PlanStatus.SUPERSEDED)
        .order_by("patient_id", "-version")
        .values_list("patient_id", "route")
    )
    routes: dict[int, str] = {}
    for patient_id, route in rows:
        routes.setdefault(patient_id, route)
    return routes


def _route_label(route: str) -> str:
    try:
        return str(Route(route).label)
    except ValueError:
        return route


def _latest_by_route(
    published: list[ConsentDocument], on_date: dt.date, zone: ZoneInfo
) -> dict[str, ConsentDocument]:
    """Of `published` (by route, newest version first), each route's latest version
    published by the end of `on_date` at a site in `zone`."""
    latest: dict[str, ConsentDocument] = {}
    for document in published:
        if document.route in latest or document.published_at is None:
            continue
        if timezone.localtime(document.published_at, zone).date() <= on_date:
            latest[document.route] = document
    return latest


def consent_problems(patient_ids: Iterable[int], on_date: dt.date) -> dict[int, str | None]:
    """For each patient, what is wrong with their consent for a dose on `on_date`
    (None: current), in words for clinic staff.

    `on_date` is a day at the patient's site, so the days a consent was signed and a
    form published are read on that site's clock: compared as server (UTC) dates, a
    consent signed at 20:00 in New York fell on the next day and did not count for
    that evening's dose. The database keeps a bound wide enough for any zone."""
    ids = list(patient_ids)
    routes = plan_routes(ids)
    bound = dt.datetime.combine(on_date + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC)
    published = list(
        ConsentDocument.objects.filter(
            status=ConsentDocument.Status.PUBLISHED, published_at__lt=bound
        ).order_by("route", "-version")
    )
    starts = course_starts(ids)
    signed: dict[int, list[Consent]] = {pk: [] for pk in ids}
    zones: dict[int, ZoneInfo] = {}
    rows = (
        Consent.objects.filter(patient_id__in=ids, withdrawn_at__isnull=True, signed_at__lt=bound)
        .annotate(site_zone=F("patient__site__time_zone"))
        .only("patient_id", "route", "document_id", "countersigned_at", "signed_at")
    )
    for consent in rows:
        zone = zones.setdefault(consent.patient_id, ZoneInfo(consent.site_zone))
        if timezone.localtime(consent.signed_at, zone).date() > on_date:
            continue
        route = routes.get(consent.patient_id)
        start = starts.get(consent.patient_id)
        if (route is None or consent.route == route) and (
            start is None or consent.signed_at > start
        ):
            signed[consent.patient_id].append(consent)
    by_zone: dict[ZoneInfo, dict[str, ConsentDocument]] = {}
    problems: dict[int, str | None] = {}
    for pk in ids:
        consents = signed[pk]
        if not consents:
            problems[pk] = f"consent not signed for a dose on {on_date:%d %b %Y}"
            continue
        zone = zones[pk]
        if zone not in by_zone:
            by_zone[zone] = _latest_by_route(published, on_date, zone)
        documents = by_zone[zone]
        on_current = [
            c for c in consents if c.route in documents and c.document_id == documents[c.route].pk
        ]
        if any(c.is_countersigned for c in on_current):
            problems[pk] = None
        elif on_current:
            problems[pk] = "consent awaiting a prescriber's countersignature"
        else:
            route = routes.get(pk) or consents[0].route
            newest = documents.get(route)
            version = f"version {newest.version} of " if newest is not None else ""
            problems[pk] = (
                f"consent out of date: {version}the {_route_label(route)} consent form "
                "needs the patient's signature before the next dose"
            )
    return problems


def consent_problem(patient_id: int, on_date: dt.date) -> str | None:
    return consent_problems([patient_id], on_date)[patient_id]
