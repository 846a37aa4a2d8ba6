"""The chart's outcomes panel: per instrument, baseline, latest, change and where the
patient stands, in words.

Nothing is defined here: baseline, response, remission and the loss-of-response
signal come from `trajectory_chart.build` (the trajectory page's own summary) over
`change.py`'s rules; "partial" is `change.py`'s PCL-5 minimal response, or a
reliable improvement (PHQ-9, GAD-7) short of a response. The panel reads the scores
in one query and the first dose with the site's MADRS setting in another, whatever
the number of scores.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Subquery

from kapclinic.clinics.models import Site
from kapclinic.outcomes import change, trajectory, trajectory_chart, trajectory_queries
from kapclinic.outcomes.instruments import INSTRUMENTS
from kapclinic.patients.models import Patient

DEFAULT_MADRS_REMISSION = 10

REMISSION = "remission"
RESPONSE = "response"
PARTIAL = "partial"
NO_RESPONSE_YET = "no response yet"
NO_LONGER = "no longer a response"


@dataclass(frozen=True)
class Summary:
    """One instrument's line on the chart panel."""

    baseline: int | None
    baseline_on: dt.datetime | None
    latest: int
    # Latest minus baseline (negative: fewer symptoms), and the fall in percent.
    difference: int | None
    percent_fall: float | None
    # One of the words above; "" when there is no baseline to judge against and the
    # latest score is no remission.
    status: str
    relapse: change.RelapseSignal | None
    advice: str

    @property
    def change_words(self) -> str:
        """The change as staff read it: "-7 (58% lower)", "+3 (25% higher)", "0"."""
        if self.difference is None:
            return ""
        words = f"{self.difference:+d}" if self.difference else "0"
        if self.percent_fall is None or not self.difference:
            return words
        direction = "lower" if self.percent_fall > 0 else "higher"
        return f"{words} ({abs(self.percent_fall):.0f}% {direction})"


def first_dose_and_madrs_limit(patient: Patient) -> tuple[dt.datetime | None, int]:
    """The patient's first dose and their site's MADRS remission limit, in one query."""
    first = trajectory_queries.doses(patient)[:1]
    row = (
        Site.objects.filter(pk=patient.site_id)
        .annotate(first_dose=Subquery(first), madrs=F("settings__madrs_remission_at_or_below"))
        .values("first_dose", "madrs")
        .first()
    )
    if row is None:
        return None, DEFAULT_MADRS_REMISSION
    return row["first_dose"], row["madrs"] or DEFAULT_MADRS_REMISSION


def summarise(
    series: trajectory.Series, first_dose: dt.datetime | None, madrs_limit: int
) -> Summary | None:
    """The summary of one instrument's scores; None for one with no total (C-SSRS)."""
    instrument = INSTRUMENTS[series.code]
    scores = [(r.completed_at, r.total) for r in series.responses if r.total is not None]
    if instrument.total_max is None or not scores:
        return None
    chart = trajectory_chart.build(
        instrument,
        scores,
        [first_dose] if first_dose is not None else [],
        madrs_remission_at_or_below=madrs_limit,
    )
    latest = scores[-1][1]
    code = series.code
    base = chart.baseline
    if base is None:
        remitted = code in change.REMISSION_AT_OR_BELOW and change.is_remission(
            code, latest, madrs_remission_at_or_below=madrs_limit
        )
        status = REMISSION if remitted else ""
        return Summary(None, None, latest, None, None, status, None, "")
    return Summary(
        baseline=base.total,
        baseline_on=base.when,
        latest=latest,
        difference=latest - base.total,
        percent_fall=change.percent_fall(base.total, latest),
        status=_status(chart, code, base.total, latest),
        relapse=chart.relapse,
        advice=chart.advice,
    )


def _status(chart: trajectory_chart.Trajectory, code: str, base: int, latest: int) -> str:
    if chart.in_remission:
        return REMISSION
    if code not in change.RESPONSE_PERCENT and code != "pcl5":
        # No response definition (e.g. dissociation or sedation ratings).
        return ""
    level = change.response_level(code, base, latest)
    if level == "response":
        return RESPONSE
    improved = (
        code in change.RELIABLE_CHANGE_POINTS
        and change.reliable_change(code, base, latest) == "improved"
    )
    if level == "minimal response" or improved:
        return PARTIAL
    return NO_LONGER if chart.response_on is not None else NO_RESPONSE_YET
