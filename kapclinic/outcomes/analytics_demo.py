"""Demo score histories for `seed_demo` (synthetic data only).

Patients from the dosing phase onwards get a course of dosing sessions (completed
dosing visits, months back, before the scheduling demo's four weeks) and PHQ-9
scores around them that follow one of four true-to-life courses: a responder, a
remitter, a non-responder, or a relapse after a response (CLINICAL.md 5: the loss of
response after a course, median 18 days after six IV infusions). Patients treated
for anxiety get GAD-7 too. One patient's latest PHQ-9 answers item 9 above zero,
with its open risk alert, so the alerts page has something to acknowledge.

Every chart and the analytics page then show what the definitions say: the
trajectories and relapse signals are computed from these rows, and analytics from
the outcome summary recomputed from them (`seed_demo` rebuilds it last, as these
rows are bulk-loaded rather than stored through the actions). Idempotent: patients
who already have a score are left alone. `everyone=True` (the benchmark) gives
every patient a year of weekly scores.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.outcomes.instruments import INSTRUMENTS
from kapclinic.outcomes.models import QuestionnaireResponse, RiskAlert
from kapclinic.patients.models import CareTeamMember, PathwayStage, Patient
from kapclinic.scheduling.models import (
    DOSING_CODES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    TypeCode,
)
from kapclinic.screening.models import ScreeningRecord

TREATED = (
    PathwayStage.DOSING,
    PathwayStage.REVIEW,
    PathwayStage.MAINTENANCE,
    PathwayStage.FOLLOW_UP,
)
COURSES = ("responder", "remitter", "non_responder", "relapse")
COURSE_WEIGHTS = (30, 25, 25, 20)
# The scheduling demo fills the last and next 14 days; these visits stay before them.
LATEST_DAYS_AGO = 16
BATCH = 5000


@dataclass
class Result:
    patients: int = 0
    scores: int = 0
    visits: int = 0
    alerts: int = 0


class _NoSlot(Exception):
    """No free visit left for this patient's course."""


class _Slots:
    """Hands out visits that never overlap for one clinician (PostgreSQL's exclusion
    constraint): hourly in clinic hours for the demo, every quarter hour outside them
    for the benchmark's tens of thousands of visits."""

    def __init__(self, round_the_clock: bool, latest: dt.date) -> None:
        self.latest = latest
        if round_the_clock:
            # Five-minute visits outside clinic hours: never the demo's own visits, so
            # the benchmark can run after seed_demo on the same clinicians.
            step = 5
            minutes = [m for m in range(0, 24 * 60, step) if not 8 * 60 <= m < 18 * 60]
        else:
            step = 60
            minutes = list(range(9 * 60, 17 * 60, step))
        self.minutes = minutes
        self.length = dt.timedelta(minutes=step)
        # Taken starts in UTC: a clinician at two sites in different time zones
        # must not get the same instant from both local grids.
        self.taken: set[tuple[int, dt.datetime]] = set()
        self.next_free: dict[tuple[int, dt.date, str], int] = defaultdict(int)

    @staticmethod
    def steps(clinician: int, start: dt.datetime, end: dt.datetime) -> set[tuple[int, dt.datetime]]:
        """The five-minute steps (UTC) a visit holds: overlap is a shared step."""
        held = set()
        while start < end:
            held.add((clinician, start))
            start += dt.timedelta(minutes=5)
        return held

    def hold(self, rows: list[tuple[int, dt.datetime, dt.datetime]]) -> None:
        """Mark visits already booked (e.g. by an earlier run with other hours)."""
        for clinician, start, end in rows:
            self.taken |= self.steps(clinician, start.astimezone(dt.UTC), end.astimezone(dt.UTC))

    def take(self, clinicians: list[User], day: dt.date, tz: ZoneInfo) -> tuple[User, dt.datetime]:
        # Later days first (a few days' delay), then earlier ones, never into the
        # scheduling demo's weeks; a clinic too small for the course gets none.
        for offset in [*range(120), *range(-1, -300, -1)]:
            when = day + dt.timedelta(days=offset)
            if when > self.latest:
                continue
            midnight = dt.datetime.combine(when, dt.time(0), tzinfo=tz)
            for clinician in clinicians:
                key = (clinician.pk, when, str(tz))
                for index in range(self.next_free[key], len(self.minutes)):
                    # In UTC: local wall-clock arithmetic breaks on a DST change.
                    start = midnight.astimezone(dt.UTC) + dt.timedelta(minutes=self.minutes[index])
                    steps = self.steps(clinician.pk, start, start + self.length)
                    if not steps & self.taken:
                        self.taken |= steps
                        self.next_free[key] = index + 1
                        return clinician, start
                self.next_free[key] = len(self.minutes)
        raise _NoSlot


def _answers(code: str, total: int, rng: random.Random, item9: int = 0) -> list[int]:
    """Item answers that add up to `total` (item 9 of PHQ-9 kept at `item9`)."""
    inst = INSTRUMENTS[code]
    items = [item for item in inst.items if item.scored]
    answers = [0] * len(items)
    fixed = 8 if code == "phq9" else None
    if fixed is not None:
        answers[fixed] = item9
    left = total - (item9 if fixed is not None else 0)
    order = [i for i in range(len(items)) if i != fixed]
    while left > 0:
        room = [i for i in order if answers[i] < inst.answer_max]
        if not room:
            break
        i = rng.choice(room)
        answers[i] += 1
        left -= 1
    if code == "phq9":
        answers.append(rng.choice([0, 1, 1, 2]))  # the unscored difficulty question
    return answers


def _curve(course: str, baseline: int, weeks: float, rng: random.Random) -> float:
    """The expected score `weeks` after the first dose, for each kind of course."""
    if weeks < 0:
        return baseline
    if course == "non_responder":
        return baseline * (1 - 0.2 * min(weeks, 4) / 4)
    floor = 0.15 if course == "remitter" else 0.38
    fall = min(weeks / rng.uniform(2.2, 2.6), 1.0)
    value = baseline * (1 - (1 - floor) * fall)
    if course == "relapse" and weeks > 5:
        # Back above half the baseline a few weeks after the course.
        value = baseline * min(0.85, floor + 0.12 * (weeks - 5))
    return value


def _score_times(
    first: dt.datetime, doses: list[dt.datetime], today: dt.datetime, everyone: bool
) -> Iterator[dt.datetime]:
    """Baseline before the first dose, one the day before each dose, then weekly for
    eight weeks and monthly after; for the benchmark, weekly all year as well."""
    yield first - dt.timedelta(days=6)
    yield first - dt.timedelta(days=1, hours=2)
    for d in doses[1:]:
        yield d - dt.timedelta(hours=20)
    if everyone:
        when = today - dt.timedelta(days=365)
        while when < today:
            if not first - dt.timedelta(days=7) <= when <= doses[-1]:
                yield when
            when += dt.timedelta(days=7)
        return
    when = doses[-1] + dt.timedelta(days=7)
    weekly_until = doses[-1] + dt.timedelta(weeks=8)
    while when < today:
        yield when
        when += dt.timedelta(days=7 if when < weekly_until else 28)


def build_demo_histories(*, seed: int = 1, everyone: bool = False) -> Result:
    result = Result()
    now = timezone.now()
    patients = Patient.objects.select_related("site", "user").order_by("pk")
    if not everyone:
        patients = patients.filter(stage__in=TREATED)
    chosen = list(patients)
    if not chosen:
        return result
    # Idempotent per part: scores for patients with none, the course's visits for
    # patients without them. Each patient's course comes from their own random
    # stream, and every patient takes their slots, so a rerun rebuilds what is
    # missing exactly as before.
    scored = set(
        QuestionnaireResponse.objects.filter(patient__in=chosen).values_list("patient", flat=True)
    )
    course_start = now - dt.timedelta(days=LATEST_DAYS_AGO)
    visited = set(
        Appointment.objects.filter(
            patient__in=chosen,
            appointment_type__code__in=DOSING_CODES,
            start__lt=course_start,
        ).values_list("patient", flat=True)
    )
    indications = dict(
        ScreeningRecord.objects.filter(patient__in=chosen, status=ScreeningRecord.Status.SIGNED)
        .order_by("patient", "signed_at")
        .values_list("patient", "facts__indication")
    )
    prescribers = {
        m.patient_id: m.user
        for m in CareTeamMember.objects.filter(
            patient__in=chosen, user__role=Role.PRESCRIBER
        ).select_related("user")
    }
    staff_by_site: dict[int, list[User]] = defaultdict(list)
    for user in (
        User.objects.filter(role__in=[Role.NURSE, Role.PRESCRIBER], is_active=True)
        .prefetch_related("sites")
        .order_by("pk")
    ):
        for site in user.sites.all():
            staff_by_site[site.pk].append(user)
    any_prescriber = User.objects.filter(role=Role.PRESCRIBER).order_by("pk").first()
    kinds = {(t.site_id, t.code): t for t in AppointmentType.objects.filter(code__in=DOSING_CODES)}
    existing: dict[int, list[dt.datetime]] = defaultdict(list)
    for patient_id, start in Appointment.objects.filter(
        patient__in=chosen,
        appointment_type__code__in=DOSING_CODES,
        status=AppointmentStatus.COMPLETED,
        start__gte=course_start,
    ).values_list("patient_id", "start"):
        existing[patient_id].append(start)
    slots = _Slots(round_the_clock=everyone, latest=course_start.date())
    if everyone:
        slots.hold(
            list(
                Appointment.objects.filter(start__lt=course_start).values_list(
                    "clinician_id", "hold_start", "hold_end"
                )
            )
        )
    visits: list[Appointment] = []
    scores: list[QuestionnaireResponse] = []
    alert_patient: Patient | None = None
    for patient in chosen:
        # Seeded by the record number, which the demo numbers in order: database ids
        # differ between runs on PostgreSQL (sequences never roll back), and a course
        # drawn from them made the demo's mix of courses depend on earlier tests.
        rng = random.Random(f"kapclinic-demo-histories:{seed}:{patient.mrn}")  # noqa: S311
        new_visits = patient.pk not in visited
        new_scores = patient.pk not in scored
        staff = staff_by_site.get(patient.site_id) or []
        kind = kinds.get(
            (
                patient.site_id,
                rng.choice(
                    [
                        TypeCode.DOSING_IV,
                        TypeCode.DOSING_IV,
                        TypeCode.DOSING_ESKETAMINE,
                        TypeCode.DOSING_IM,
                    ]
                ),
            )
        )
        by = prescribers.get(patient.pk) or any_prescriber
        if not staff or kind is None or by is None:
            continue
        tz = ZoneInfo(patient.site.time_zone)
        course = rng.choices(COURSES, COURSE_WEIGHTS)[0]
        days_back = rng.randint(60, 330)
        first_day = (now - dt.timedelta(days=days_back)).astimezone(tz).date()
        # Twice a week for three weeks (an induction course), and for a relapse a
        # booster twelve weeks on, as the trajectory page proposes.
        days = [first_day]
        try:
            placed: list[tuple[User, dt.datetime]] = []
            for _ in range(6):
                placed.append(slots.take(staff, days[-1], tz))
                local_day = placed[-1][1].astimezone(tz).date()
                days.append(local_day + dt.timedelta(days=rng.choice([3, 4])))
            booster = first_day + dt.timedelta(weeks=12)
            if course == "relapse" and not everyone and booster <= slots.latest:
                placed.append(slots.take(staff, booster, tz))
        except _NoSlot:
            continue
        doses = [start for _, start in placed]
        if new_visits:
            visits.extend(
                Appointment(
                    patient=patient,
                    appointment_type=kind,
                    site=patient.site,
                    clinician=clinician,
                    start=start,
                    end=start + slots.length,
                    hold_start=start,
                    hold_end=start + slots.length,
                    status=AppointmentStatus.COMPLETED,
                    status_changed_at=start + dt.timedelta(hours=2),
                )
                for clinician, start in placed
            )
        if not new_scores:
            continue
        all_doses = sorted(doses + existing.get(patient.pk, []))
        codes = ["phq9"]
        if indications.get(patient.pk) in ("gad", "social_anxiety", "panic") or rng.random() < 0.3:
            codes.append("gad7")
        for code in codes:
            top = INSTRUMENTS[code].total_max or 27
            baseline = rng.randint(14, min(24, top))
            for when in sorted(_score_times(all_doses[0], doses, now, everyone)):
                weeks = (when - all_doses[0]).total_seconds() / (7 * 86400)
                total = round(_curve(course, baseline, weeks, rng) + rng.uniform(-1.5, 1.5))
                total = max(0, min(top, total))
                scores.append(_response(patient, code, total, when, by, rng))
        result.patients += 1
        if (
            alert_patient is None
            and course == "relapse"
            and patient.pk in prescribers
            and not everyone
        ):
            alert_patient = patient
        if len(scores) + len(visits) >= BATCH:
            result.scores += _flush(scores, visits, result)
    result.scores += _flush(scores, visits, result)
    if alert_patient is not None:
        alert_rng = random.Random(f"kapclinic-demo-alert:{seed}")  # noqa: S311
        result.alerts += _open_alert(alert_patient, now, alert_rng)
    return result


def _response(
    patient: Patient, code: str, total: int, when: dt.datetime, by: User, rng: random.Random
) -> QuestionnaireResponse:
    own = patient.user is not None
    return QuestionnaireResponse(
        patient=patient,
        instrument=code,
        answers=_answers(code, total, rng),
        total=total,
        severity=INSTRUMENTS[code].band_for(total) or "",
        entered_by=QuestionnaireResponse.EnteredBy.PATIENT
        if own
        else QuestionnaireResponse.EnteredBy.STAFF,
        entered_by_user=patient.user if own else by,
        completed_at=when,
    )


@transaction.atomic
def _flush(scores: list[QuestionnaireResponse], visits: list[Appointment], result: Result) -> int:
    Appointment.objects.bulk_create(visits, batch_size=1000)
    QuestionnaireResponse.objects.bulk_create(scores, batch_size=1000)
    result.visits += len(visits)
    count = len(scores)
    visits.clear()
    scores.clear()
    return count


@transaction.atomic
def _open_alert(patient: Patient, now: dt.datetime, rng: random.Random) -> int:
    """The latest PHQ-9 answered item 9 above zero this morning: an open alert."""
    total = 16
    by = patient.user or User.objects.filter(role=Role.PRESCRIBER).order_by("pk").first()
    if by is None:
        return 0
    response = QuestionnaireResponse.objects.create(
        patient=patient,
        instrument="phq9",
        answers=_answers("phq9", total, rng, item9=1),
        total=total,
        severity=INSTRUMENTS["phq9"].band_for(total) or "",
        flags=["suicide_risk"],
        entered_by=QuestionnaireResponse.EnteredBy.PATIENT
        if patient.user
        else QuestionnaireResponse.EnteredBy.STAFF,
        entered_by_user=by,
        completed_at=now - dt.timedelta(hours=1),
    )
    RiskAlert.objects.create(
        patient=patient,
        response=response,
        reason="PHQ-9 item 9 (thoughts of self-harm) answered above 0",
        level=RiskAlert.Level.URGENT,
        created_at=response.completed_at,
    )
    return 1
