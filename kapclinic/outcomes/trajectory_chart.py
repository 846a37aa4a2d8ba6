"""One instrument's trajectory for one patient: the summary and the SVG chart's geometry.

Pure code (no Django, no other app): it takes the scores as ``(when, total)`` pairs
(aware datetimes, oldest first), the times of the doses, and the instrument from the
catalogue, and returns numbers a template draws. The clinical rules (baseline,
response, remission, reliable change, loss of response) are `change.py`'s; this
module only places them on a time axis and words them.

The chart is a fixed viewBox that scales to any width, so it needs no JavaScript
and no CDN. Lower scores mean fewer symptoms on every instrument charted here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kapclinic.outcomes import change
from kapclinic.outcomes.instruments import Instrument

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 10, 26
BOOSTER_ADVICE = "Consider a booster dose or a maintenance review."


@dataclass(frozen=True)
class Point:
    when: dt.datetime
    total: int
    x: float
    y: float
    severity: str
    # "improved" or "deteriorated" beyond measurement noise, else "".
    reliable: str


@dataclass(frozen=True)
class Band:
    label: str
    low: int
    high: int
    y: float
    height: float
    # Shade 0 (mildest) to 4 (most severe), for the stylesheet.
    shade: int


@dataclass(frozen=True)
class Line:
    label: str
    value: float
    y: float


@dataclass(frozen=True)
class Dose:
    when: dt.datetime
    x: float


@dataclass
class Trajectory:
    """What the staff page and the patient's portal page show for one instrument."""

    code: str
    name: str
    points: list[Point]
    first_dose: dt.datetime | None
    doses: list[Dose]
    bands: list[Band] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    polyline: str = ""
    baseline: Point | None = None
    response_on: dt.datetime | None = None
    days_to_response: int | None = None
    doses_to_response: int | None = None
    remission_on: dt.datetime | None = None
    in_remission: bool | None = None
    relapse: change.RelapseSignal | None = None
    y_ticks: list[tuple[int, float]] = field(default_factory=list)
    x_ticks: list[tuple[str, float]] = field(default_factory=list)

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def newest_first(self) -> list[Point]:
        return self.points[::-1]

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def height(self) -> int:
        return HEIGHT

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return WIDTH - RIGHT

    @property
    def plot_width(self) -> int:
        return WIDTH - LEFT - RIGHT

    @property
    def plot_bottom(self) -> int:
        return HEIGHT - BOTTOM

    @property
    def advice(self) -> str:
        return BOOSTER_ADVICE if self.relapse is not None else ""

    def plain_words(self) -> str:
        """The patient's own summary, in everyday words (no clinical jargon)."""
        latest = self.latest
        if latest is None:
            return f"You have not answered a {self.name} yet."
        if self.baseline is None or self.baseline is latest:
            words = f"Your latest {self.name} score is {latest.total}"
            return f"{words} ({latest.severity})." if latest.severity else f"{words}."
        start, now = self.baseline.total, latest.total
        if now < start:
            text = f"Your {self.name} score has fallen from {start} to {now} since you started."
        elif now > start:
            text = f"Your {self.name} score has risen from {start} to {now} since you started."
        else:
            text = f"Your {self.name} score is {now}, the same as when you started."
        return text + " A lower score means fewer symptoms."


def build(
    instrument: Instrument,
    scores: Sequence[tuple[dt.datetime, int]],
    doses: Sequence[dt.datetime],
    *,
    madrs_remission_at_or_below: int = 10,
) -> Trajectory:
    """The trajectory of ``scores`` (oldest first) with ``doses`` marked.

    The first dose is the earliest of ``doses``; the baseline is the last score
    before it (change.baseline), so a patient with no dose yet has no baseline and
    no response or remission judgement.
    """
    code = instrument.code
    doses = sorted(doses)
    first_dose = doses[0] if doses else None
    top = instrument.total_max or max([total for _, total in scores] + [1])
    start, end = _time_span(scores, doses)

    def x_of(when: dt.datetime) -> float:
        span = (end - start).total_seconds() or 1.0
        usable = WIDTH - LEFT - RIGHT
        return round(LEFT + usable * (when - start).total_seconds() / span, 1)

    def y_of(value: float) -> float:
        usable = HEIGHT - TOP - BOTTOM
        return round(HEIGHT - BOTTOM - usable * min(max(value, 0), top) / top, 1)

    base = change.baseline(list(scores), first_dose) if first_dose is not None else None
    base_total = base[1] if base is not None else None
    points = []
    for when, total in scores:
        reliable = ""
        if (
            base_total is not None
            and code in change.RELIABLE_CHANGE_POINTS
            and first_dose is not None
            and when >= first_dose
        ):
            verdict = change.reliable_change(code, base_total, total)
            reliable = "" if verdict == "no reliable change" else verdict
        label = instrument.band_for(total) or ""
        points.append(Point(when, total, x_of(when), y_of(total), label, reliable))
    result = Trajectory(
        code=code,
        name=instrument.name,
        points=points,
        first_dose=first_dose,
        doses=[Dose(when, x_of(when)) for when in doses],
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
    )
    result.bands = [
        Band(
            b.label,
            b.low,
            b.high,
            y_of(min(b.high + 1, top)),
            round(y_of(b.low) - y_of(min(b.high + 1, top)), 1),
            min(i, 4),
        )
        for i, b in enumerate(instrument.bands)
    ]
    result.y_ticks = [(v, y_of(v)) for v in _ticks(top)]
    result.x_ticks = _month_ticks(start, end, x_of)
    if first_dose is None or base is None or not scores:
        return result
    result.baseline = next(p for p in points if p.when == base[0])
    assert base_total is not None
    result.lines.append(Line("Baseline", base_total, y_of(base_total)))
    response_at = _response_threshold(code, base_total)
    if response_at is not None:
        result.lines.append(Line("Response", response_at, y_of(response_at)))
    remission_limit = {
        **change.REMISSION_AT_OR_BELOW,
        "madrs": madrs_remission_at_or_below,
    }.get(code)
    if remission_limit is not None:
        result.lines.append(Line("Remission", remission_limit, y_of(remission_limit)))
        after = [p for p in points if p.when >= first_dose]
        result.remission_on = next(
            (p.when for p in after if p.total <= remission_limit and base_total > remission_limit),
            None,
        )
        result.in_remission = points[-1].total <= remission_limit
    if code in change.RESPONSE_PERCENT or code == "pcl5":
        history = [(p.when, p.total) for p in points]
        # The history holds datetimes, so the first response is one of them.
        responded = change.first_response(code, history, first_dose)
        if isinstance(responded, dt.datetime):
            result.response_on = responded
            result.days_to_response = (responded - first_dose).days
            result.doses_to_response = sum(1 for d in doses if d <= responded)
        result.relapse = change.loss_of_response(code, history, first_dose)
    return result


def _response_threshold(code: str, base_total: int) -> float | None:
    """The highest total that still counts as a response from this baseline."""
    if code == "pcl5":
        return base_total - change.PCL5_RESPONSE_POINTS
    percent = change.RESPONSE_PERCENT.get(code)
    if percent is None:
        return None
    return round(base_total * (100 - percent) / 100, 1)


def _time_span(
    scores: Sequence[tuple[dt.datetime, int]], doses: Sequence[dt.datetime]
) -> tuple[dt.datetime, dt.datetime]:
    times = [when for when, _ in scores] + list(doses)
    if not times:
        now = dt.datetime.now(dt.UTC)
        return now, now + dt.timedelta(days=1)
    start, end = min(times), max(times)
    if end - start < dt.timedelta(days=1):
        end = start + dt.timedelta(days=1)
    # A little room either side, so the first and last points are not on the edge.
    margin = (end - start) / 40
    return start - margin, end + margin


def _ticks(top: int) -> list[int]:
    step = next(s for s in (1, 2, 5, 10, 20) if top / s <= 6)
    return list(range(0, top + 1, step))


def _month_ticks(
    start: dt.datetime, end: dt.datetime, x_of: Callable[[dt.datetime], float]
) -> list[tuple[str, float]]:
    months = []
    cursor = dt.datetime(start.year, start.month, 1, tzinfo=start.tzinfo)
    while cursor <= end:
        if cursor >= start:
            months.append(cursor)
        cursor = dt.datetime(
            cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1, tzinfo=start.tzinfo
        )
    # At most six labels, so they never overlap on a phone.
    stride = max(1, -(-len(months) // 6))
    return [(m.strftime("%b %Y"), x_of(m)) for m in months[::stride]]
