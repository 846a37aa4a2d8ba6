"""A patient's scores per instrument over time, ready for a table and a small SVG chart.

The chart is drawn on the server (a polyline in a fixed viewBox that scales to any
width), so it needs no JavaScript and no CDN. Response and remission come from
`change.py`; response needs a treatment baseline (the last score before the first
dosing session), so it is shown only when the first dose is known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from kapclinic.outcomes import change
from kapclinic.outcomes.instruments import INSTRUMENTS
from kapclinic.outcomes.models import QuestionnaireResponse

WIDTH, HEIGHT, PAD = 300, 100, 8
TABLE_ROWS = 8


@dataclass
class Series:
    """One instrument's scores for one patient, oldest first."""

    code: str
    name: str
    responses: list[QuestionnaireResponse] = field(default_factory=list)
    points: str = ""
    remission: bool | None = None
    response: str | None = None
    baseline: int | None = None

    @property
    def latest(self) -> QuestionnaireResponse:
        return self.responses[-1]

    @property
    def newest_first(self) -> list[QuestionnaireResponse]:
        return self.responses[::-1]

    @property
    def table_rows(self) -> list[QuestionnaireResponse]:
        """The chart's table: the latest scores where the trajectory page lists them
        all, so a year of weekly scores does not make the chart long and slow."""
        rows = self.newest_first
        return rows[:TABLE_ROWS] if self.points else rows

    @property
    def rows_left_out(self) -> int:
        return len(self.responses) - len(self.table_rows)


def _points(totals: list[int], total_max: int) -> str:
    if not totals:
        return ""
    step = (WIDTH - 2 * PAD) / max(len(totals) - 1, 1)
    usable = HEIGHT - 2 * PAD
    return " ".join(
        f"{PAD + i * step:.1f},{HEIGHT - PAD - usable * t / max(total_max, 1):.1f}"
        for i, t in enumerate(totals)
    )


def build(
    responses: Iterable[QuestionnaireResponse],
    *,
    first_dose: dt.datetime | None = None,
    madrs_remission_at_or_below: int = 10,
) -> list[Series]:
    """Group responses (any order) by instrument; corrected ones are left out."""
    replaced = set()
    kept = []
    for item in responses:
        kept.append(item)
        if item.replaces_id is not None:
            replaced.add(item.replaces_id)
    by_code: dict[str, Series] = {}
    for item in sorted(kept, key=lambda r: (r.completed_at, r.pk)):
        if item.pk in replaced:
            continue
        inst = INSTRUMENTS[item.instrument]
        series = by_code.setdefault(item.instrument, Series(item.instrument, inst.name))
        series.responses.append(item)
    for series in by_code.values():
        inst = INSTRUMENTS[series.code]
        totals = [r.total for r in series.responses if r.total is not None]
        if not totals or inst.total_max is None:
            continue
        series.points = _points(totals, inst.total_max)
        if series.code in change.REMISSION_AT_OR_BELOW:
            series.remission = change.is_remission(
                series.code, totals[-1], madrs_remission_at_or_below=madrs_remission_at_or_below
            )
        if first_dose is not None and (
            series.code in change.RESPONSE_PERCENT or series.code == "pcl5"
        ):
            history = [(r.completed_at, r.total) for r in series.responses if r.total is not None]
            start = change.baseline(history, first_dose)
            if start is not None:
                series.baseline = start[1]
                series.response = change.response_level(series.code, start[1], totals[-1])
    return sorted(by_code.values(), key=lambda s: s.name)
