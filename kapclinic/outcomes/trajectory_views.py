"""Trajectory pages: a clinician's chart of one instrument for one patient, and the
patient's own progress in the portal, in plain words.

Each page is a constant number of queries: the access check, the scores (one query
per page), the doses (one), and the site's MADRS remission setting (one).
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from kapclinic.accounts.access import current_user
from kapclinic.outcomes import trajectory_chart, trajectory_queries
from kapclinic.outcomes.instruments import INSTRUMENTS
from kapclinic.outcomes.models import QuestionnaireResponse
from kapclinic.patients.access import can_see_clinical, get_own_patient, get_patient_for_user
from kapclinic.patients.page_audit import render_patient_page


@require_GET
def trajectory(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One instrument over time for a patient, for clinicians with clinical access."""
    patient = get_patient_for_user(request, pk, clinical=True)
    user = current_user(request)
    instrument = INSTRUMENTS.get(code)
    if (
        instrument is None
        or instrument.total_max is None
        or not user.is_clinician
        or not can_see_clinical(user, patient)
    ):
        raise Http404("No such chart")
    chart = trajectory_chart.build(
        instrument,
        trajectory_queries.scores(patient, code),
        trajectory_queries.dose_times(patient),
        madrs_remission_at_or_below=trajectory_queries.madrs_remission_limit(patient),
    )
    others = [
        INSTRUMENTS[c]
        for c in trajectory_queries.scored_instruments(patient)
        if c != code and INSTRUMENTS[c].total_max is not None
    ]
    context = {"patient": patient, "chart": chart, "others": others}
    return render_patient_page(
        request, patient, "outcomes/trajectory.html", context, page=f"trajectory_{code}"
    )


@require_GET
def my_progress(request: HttpRequest) -> HttpResponse:
    """The patient's own scores over time, one chart per questionnaire they answer."""
    patient = get_own_patient(request)
    by_code: dict[str, list[tuple[dt.datetime, int]]] = {}
    rows = (
        QuestionnaireResponse.objects.filter(
            patient=patient, total__isnull=False, replaced_by__isnull=True
        )
        .order_by("instrument", "completed_at", "id")
        .values_list("instrument", "completed_at", "total")
    )
    for code, when, total in rows:
        instrument = INSTRUMENTS.get(code)
        # Clinician ratings (sedation, dissociation) are for the care team's chart.
        if instrument is not None and instrument.rater == "patient" and instrument.total_max:
            by_code.setdefault(code, []).append((when, int(total or 0)))
    doses = trajectory_queries.dose_times(patient)
    charts = [
        trajectory_chart.build(INSTRUMENTS[code], series, doses)
        for code, series in sorted(by_code.items(), key=lambda kv: INSTRUMENTS[kv[0]].name)
    ]
    context = {"patient": patient, "charts": charts}
    return render_patient_page(
        request, patient, "outcomes/my_progress.html", context, page="my_progress"
    )
