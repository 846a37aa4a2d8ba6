"""Pages of the dosing floor: the live board of a site and one session's page.

Every write is a POST to its own small view that calls one action; a refusal comes
back on the session page, on the form that was sent, with what was typed kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kapclinic.accounts.access import current_user, safe_next_url
from kapclinic.accounts.models import Role, User
from kapclinic.accounts.session_clock import not_activity
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.dosing import actions, recovery_scores
from kapclinic.dosing.access import (
    get_alert_for_user,
    get_board_site,
    get_session_for_user,
)
from kapclinic.dosing.actions import DoseEntry, DosingRefused
from kapclinic.dosing.board import ON_THE_FLOOR, build_board, schedule_of
from kapclinic.dosing.forms import (
    AcknowledgeForm,
    AdverseEventForm,
    AssessmentForm,
    ChecklistForm,
    DissociationForm,
    DoseForm,
    NoteForm,
    OpenSessionForm,
    ReasonForm,
    ScheduleForm,
    VitalsForm,
    local_time_to_datetime,
)
from kapclinic.dosing.models import (
    Administration,
    AdverseEvent,
    DischargeAssessment,
    DissociationRating,
    DosingSession,
    PreDoseCheck,
    SessionAlert,
    SessionNote,
    SessionState,
    VitalReading,
)
from kapclinic.dosing.readings import ReadingRefused, record_readings
from kapclinic.dosing.schedule import due_times, next_due, parse_schedule
from kapclinic.patients.page_audit import render_patient_page
from kapclinic.scheduling.models import Appointment
from kapclinic.treatment.readiness import dosing_readiness

S = SessionState
# The live part of the board is polled every few seconds; its reads are audited at
# most this often per person and site, so the audit trail records who watched the
# board without a row every five seconds.
BOARD_AUDIT_SECONDS = 300


def _site_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("site", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise Http404("No board")
    return int(raw)


def _audit_board(request: HttpRequest, user: User, site_id: int, *, live: bool) -> None:
    key = f"dosing_board_audited_{site_id}"
    if live and time.time() - float(request.session.get(key, 0)) < BOARD_AUDIT_SECONDS:
        return
    record(
        actor=user,
        action=AuditAction.LIST,
        object_type="dosing.dosingsession",
        detail={"view": "dosing_board", "site": site_id},
    )
    request.session[key] = time.time()


def _board_clock(site_now: dt.datetime) -> str:
    return f"{site_now:%H:%M:%S}"


def _render_board(request: HttpRequest, template: str, *, live: bool) -> HttpResponse:
    user, site, sites = get_board_site(request, _site_param(request))
    board = build_board(site)
    version = board.signature()
    clock = _board_clock(timezone.localtime(board.now, ZoneInfo(site.time_zone)))
    if live and request.headers.get("X-Board-Version") == version:
        # Nothing on the board changed since the copy the page shows: no content, so
        # htmx leaves it alone (and no read to audit: nothing was shown). The clock
        # tells the page it is still in touch (static/js/board.js).
        return HttpResponse(status=204, headers={"X-Board-Time": clock})
    _audit_board(request, user, site.pk, live=live)
    poll_ms = settings.DOSING_BOARD_POLL_MS
    context = {
        "board": board,
        "sites": sites,
        "site": site,
        "can_act": user.role in actions.SESSION_ROLES,
        "open_form": OpenSessionForm(site_id=site.pk),
        "board_url": f"{reverse('dosing:board')}?site={site.pk}",
        "board_version": version,
        "board_clock": clock,
        # The board has its own banner: no second one polling above it.
        "hide_urgent_strip": True,
        # Polled often while anyone is in a chair (an urgent alert should be on screen
        # within a second of the monitor sending it), less often when the floor is empty.
        "poll_ms": poll_ms if board.chairs else poll_ms * 4,
    }
    # Times on the floor are the site's clock, whoever's browser shows them.
    with timezone.override(ZoneInfo(site.time_zone)):
        response = render(request, template, context)
    response["X-Board-Time"] = clock
    return response


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The site's live board: chairs, minutes since dose, vitals due, alerts, discharge."""
    return _render_board(request, "dosing/board.html", live=False)


@require_GET
def board_live(request: HttpRequest) -> HttpResponse:
    """The board's live part alone, which the page polls (htmx) to stay current; no
    content when nothing on it changed since the copy the page sent the version of."""
    return _render_board(request, "dosing/_board_live.html", live=True)


# At most this many urgent alerts are listed in the banner on other pages; the board
# has them all.
URGENT_STRIP_LIMIT = 5


@require_GET
@not_activity
def urgent_strip(request: HttpRequest) -> HttpResponse:
    """The urgent alerts a nurse or prescriber must see wherever they are in the app:
    every open urgent alert at a nurse's sites, and those of the sessions a prescriber
    is the prescriber on site for. Polled by a banner on every page but the board;
    answered with no content while the alerts are the ones the page already shows."""
    user = current_user(request)
    if user.role not in actions.SESSION_ROLES:
        raise Http404("No alerts")
    alerts = SessionAlert.objects.filter(
        level=SessionAlert.Level.URGENT,
        acknowledged_at__isnull=True,
        session__state__in=ON_THE_FLOOR,
        session__site__in=user.sites.all(),
    )
    if user.role == Role.PRESCRIBER:
        alerts = alerts.filter(session__prescriber_on_site=user)
    shown = list(
        alerts.select_related("session__patient", "session__appointment__chair__room").order_by(
            "raised_at", "id"
        )[: URGENT_STRIP_LIMIT + 1]
    )
    version = hashlib.sha256(repr([a.pk for a in shown]).encode()).hexdigest()[:32]
    if request.headers.get("X-Alerts-Version") == version:
        return HttpResponse(status=204)
    if shown:
        key = "dosing_urgent_strip_audited"
        if time.time() - float(request.session.get(key, 0)) >= BOARD_AUDIT_SECONDS:
            record(
                actor=user,
                action=AuditAction.LIST,
                object_type="dosing.sessionalert",
                detail={"view": "urgent_alerts", "alerts": [a.pk for a in shown]},
            )
            request.session[key] = time.time()
    context = {
        "alerts": shown[:URGENT_STRIP_LIMIT],
        "more": len(shown) > URGENT_STRIP_LIMIT,
        "version": version,
        "poll_ms": settings.DOSING_BOARD_POLL_MS * 2,
    }
    return render(request, "dosing/_urgent_strip.html", context)


@require_POST
def open_session(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the session of a checked-in dosing visit (from the board)."""
    user = current_user(request)
    appointment = (
        Appointment.objects.select_related("patient", "site")
        .filter(pk=pk, site__in=user.sites.all())
        .first()
    )
    if appointment is None or user.role not in actions.SESSION_ROLES:
        raise Http404("No such visit")
    back = f"{reverse('dosing:board')}?site={appointment.site_id}"
    form = OpenSessionForm(request.POST, site_id=appointment.site_id)
    if not form.is_valid():
        messages.error(request, "Choose the prescriber on site.")
        return redirect(back)
    try:
        session = actions.open_session(
            actor=user, appointment=appointment, prescriber=form.cleaned_data["prescriber"]
        )
    except DosingRefused as refused:
        messages.error(request, refused.message)
        return redirect(back)
    return redirect("dosing:session", pk=session.pk)


# One session's page.


def _local(moment: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    return None if moment is None else timezone.localtime(moment, zone)


def _session_context(
    request: HttpRequest, session: DosingSession, bound: dict[str, forms.Form]
) -> dict[str, Any]:
    user = current_user(request)
    now = timezone.now()
    zone = ZoneInfo(session.site.time_zone)
    plan = session.plan
    check = PreDoseCheck.objects.filter(session=session).first()
    readings = list(
        VitalReading.objects.filter(session=session, corrected_by__isnull=True).order_by(
            "-taken_at", "-id"
        )
    )
    alerts = list(
        SessionAlert.objects.filter(session=session)
        .select_related("acknowledged_by")
        .order_by("-raised_at", "-id")
    )
    administrations = list(
        Administration.objects.filter(session=session)
        .select_related("given_by", "corrects")
        .order_by("started_at", "id")
    )
    schedule = schedule_of(session)
    dues = (
        due_times(
            session.first_dose_at,
            schedule,
            [r.taken_at for r in readings if not r.is_baseline],
            now=now,
        )
        if session.first_dose_at
        else []
    )
    pre_dose = session.state in (S.SCHEDULED, S.PRE_CHECKS)
    readiness = dosing_readiness(session.patient, actions.local_date(session)) if pre_dose else None
    after_dose = session.state in (S.OBSERVATION, S.READY_FOR_DISCHARGE)
    unmet = actions.unmet_for(session, now) if after_dose else []
    from kapclinic.dosing.discharge import MESSAGES

    local_now = timezone.localtime(now, zone)
    defaults: dict[str, forms.Form] = {
        "checklist_form": ChecklistForm(
            initial={
                "identity_confirmed": check.identity_confirmed if check else False,
                "last_food_time": _time_of(check.last_food_at if check else None, zone),
                "last_liquid_time": _time_of(check.last_liquid_at if check else None, zone),
                "no_interacting_substances": check.no_interacting_substances if check else False,
                "transport_name": check.transport_name if check else "",
                "transport_phone": check.transport_phone if check else "",
                "pregnancy_test": check.pregnancy_test if check else "not_required",
            }
        ),
        "vitals_form": VitalsForm(),
        "dose_form": DoseForm(
            initial={
                "dose_mg": _dose_left(plan.dose_mg, actions.total_given(session)),
                "started": local_now.strftime("%H:%M"),
            }
        ),
        "rating_form": DissociationForm(),
        "event_form": AdverseEventForm(),
        "note_form": NoteForm(),
        "assessment_form": AssessmentForm(),
        "override_form": ReasonForm(),
        "exception_form": ReasonForm(),
        "abort_form": ReasonForm(),
        "schedule_form": ScheduleForm(initial={"minutes": ", ".join(map(str, schedule))}),
    }
    defaults.update(bound)
    assessment_form = defaults["assessment_form"]
    assert isinstance(assessment_form, AssessmentForm)
    assessment_form.show_hints(_recovery_hints(readings))
    return {
        "session": session,
        "patient": session.patient,
        "plan": plan,
        "check": check,
        "zone": zone,
        "readings": readings,
        "open_alerts": [a for a in alerts if a.acknowledged_at is None],
        "alerts": alerts,
        "administrations": administrations,
        "total_given": actions.total_given(session),
        "dues": dues,
        "next_due": next_due(dues),
        "readiness": readiness,
        "checklist_problems": (
            actions.checklist_problems(session, check, now) if check and pre_dose else []
        ),
        "holding": actions.holding_alerts(session, check) if pre_dose else [],
        "unmet": [MESSAGES[code] for code in unmet],
        "ratings": DissociationRating.objects.filter(session=session).order_by("-rated_at"),
        "events": AdverseEvent.objects.filter(session=session).order_by("-occurred_at"),
        "notes": SessionNote.objects.filter(session=session)
        .select_related("author")
        .order_by("written_at"),
        "assessments": DischargeAssessment.objects.filter(session=session).order_by("-assessed_at")[
            :1
        ],
        "minutes_since_dose": (
            int((now - session.first_dose_at).total_seconds() // 60)
            if session.first_dose_at
            else None
        ),
        "per_kg": f"{plan.dose_per_kg.normalize():f}" if plan.dose_per_kg else "",
        "is_prescriber": user.role == Role.PRESCRIBER,
        "is_therapist": user.role == Role.THERAPIST,
        "can_act": user.role in actions.SESSION_ROLES,
        "S": S,
        **defaults,
    }


def _recovery_hints(readings: list[VitalReading]) -> dict[str, str]:
    """What the latest reading and the baseline (``readings`` newest first) already
    say about the recovery score's items, as words for the nurse."""
    fields = ("systolic", "diastolic", "heart_rate", "spo2")
    last = next((r for r in readings if not r.is_baseline), None)
    baseline = next((r for r in readings if r.is_baseline), None)
    found = recovery_scores.hints(
        {f: getattr(last, f) for f in fields} if last else None,
        {f: getattr(baseline, f) for f in fields} if baseline else None,
    )
    return {code: words for code, (words, _) in found.items()}


def _dose_left(ordered: Decimal, given: Decimal) -> Decimal | None:
    """What the form offers for the next dose: the rest of the ordered dose to the
    hundredth of a milligram (SQLite's sum carries float noise, shown once as
    "0E-13"), or nothing once it is all given, so a top-up is a number the nurse types."""
    left = (ordered - given).quantize(Decimal("0.01"))
    return left if left > 0 else None


def _time_of(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else timezone.localtime(moment, zone).strftime("%H:%M")


def _render_session(
    request: HttpRequest, session: DosingSession, **bound: forms.Form
) -> HttpResponse:
    context = _session_context(request, session, bound)
    with timezone.override(ZoneInfo(session.site.time_zone)):
        return render_patient_page(
            request, session.patient, "dosing/session.html", context, page="dosing_session"
        )


@require_GET
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One session: checks, doses, vital signs, ratings, events, notes, discharge."""
    return _render_session(request, get_session_for_user(request, pk))


def _refuse(form: forms.Form, refused: DosingRefused) -> None:
    form.add_error(None, refused.message)
    for reason in refused.reasons:
        form.add_error(None, reason[:1].upper() + reason[1:])


Runner = Callable[[User, DosingSession, Any], object]


def _handle(
    request: HttpRequest,
    pk: int,
    form: forms.Form,
    name: str,
    run: Runner,
    *,
    done: str,
    anchor: str,
) -> HttpResponse:
    session = get_session_for_user(request, pk)
    user = current_user(request)
    if form.is_valid():
        try:
            run(user, session, form)
        except DosingRefused as refused:
            _refuse(form, refused)
        else:
            messages.success(request, done)
            return redirect(f"{reverse('dosing:session', args=[pk])}#{anchor}")
    return _render_session(request, session, **{name: form})


STEPS: dict[str, tuple[Callable[..., object], str]] = {
    "start_checks": (actions.start_checks, "Pre-dose checks started."),
    "start_dosing": (actions.start_dosing, "Dosing started."),
    "finish_dose": (actions.finish_dose, "Dose finished: observation."),
    "mark_ready": (actions.mark_ready, "Ready for discharge."),
    "discharge": (actions.discharge, "Discharged."),
}


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=[(k, k) for k in STEPS])


@require_POST
def step(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the session one step along its state machine."""
    form = StepForm(request.POST)
    chosen = form.data.get("step", "")
    done = STEPS[chosen][1] if chosen in STEPS else ""

    def run(user: User, session: DosingSession, form: Any) -> object:
        return STEPS[form.cleaned_data["step"]][0](actor=user, session=session)

    return _handle(request, pk, form, "step_form", run, done=done, anchor="steps")


@require_POST
def save_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, session: DosingSession, form: ChecklistForm) -> object:
        zone = ZoneInfo(session.site.time_zone)
        return actions.save_checklist(
            actor=user, session=session, **form.values(zone, timezone.now())
        )

    form = ChecklistForm(request.POST)
    return _handle(
        request, pk, form, "checklist_form", run, done="Checklist saved.", anchor="checks"
    )


@require_POST
def add_vitals(request: HttpRequest, pk: int) -> HttpResponse:
    """A set of vital signs through `record_readings` (baseline before the dose)."""
    session = get_session_for_user(request, pk)
    user = current_user(request)
    form = VitalsForm(request.POST)
    if form.is_valid():
        reading = form.reading()
        try:
            result = record_readings(
                session=session,
                readings=[reading],
                actor=user,
                is_baseline=session.state in (S.SCHEDULED, S.PRE_CHECKS),
            )
        except ReadingRefused as refused:
            field = refused.field.rsplit(".", 1)[-1]
            form.add_error(field if field in form.fields else None, refused.problem)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        else:
            if result.urgent:
                messages.error(request, "Urgent alert raised: see the alerts at the top.")
            else:
                messages.success(request, "Vital signs saved.")
            return redirect(f"{reverse('dosing:session', args=[pk])}#monitoring")
    return _render_session(request, session, vitals_form=form)


@require_POST
def add_dose(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, session: DosingSession, form: DoseForm) -> object:
        zone = ZoneInfo(session.site.time_zone)
        now = timezone.now()
        data = form.cleaned_data
        ended = data.get("ended")
        return actions.record_administration(
            actor=user,
            session=session,
            entry=DoseEntry(
                dose_mg=data["dose_mg"],
                lot_number=data["lot_number"],
                started_at=local_time_to_datetime(data["started"], zone, now),
                ended_at=local_time_to_datetime(ended, zone, now) if ended else None,
                rate_mg_per_hour=data.get("rate_mg_per_hour"),
            ),
        )

    form = DoseForm(request.POST)
    return _handle(request, pk, form, "dose_form", run, done="Dose recorded.", anchor="doses")


@require_POST
def rate_dissociation(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, session: DosingSession, form: DissociationForm) -> object:
        return actions.rate_dissociation(
            actor=user, session=session, items=form.items(), resolved=form.cleaned_data["resolved"]
        )

    form = DissociationForm(request.POST)
    return _handle(
        request, pk, form, "rating_form", run, done="CADSS-6 rating saved.", anchor="ratings"
    )


@require_POST
def add_event(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, session: DosingSession, form: AdverseEventForm) -> object:
        data = form.cleaned_data
        return actions.record_adverse_event(
            actor=user,
            session=session,
            kind=data["kind"],
            severity=data["severity"],
            description=data["description"],
            action_taken=data["action_taken"],
        )

    form = AdverseEventForm(request.POST)
    return _handle(
        request, pk, form, "event_form", run, done="Adverse event recorded.", anchor="events"
    )


@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, session: DosingSession, form: NoteForm) -> object:
        return actions.add_session_note(actor=user, session=session, text=form.cleaned_data["text"])

    form = NoteForm(request.POST)
    return _handle(request, pk, form, "note_form", run, done="Note saved.", anchor="notes")


@require_POST
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, session: DosingSession, form: AssessmentForm) -> object:
        data = form.cleaned_data
        return actions.assess_for_discharge(
            actor=user,
            session=session,
            score_kind=data["score_kind"],
            items=form.items(),
            escort_confirmed=data["escort_confirmed"],
            no_driving_advice_given=data["no_driving_advice_given"],
        )

    form = AssessmentForm(request.POST)
    return _handle(
        request, pk, form, "assessment_form", run, done="Assessment saved.", anchor="discharge"
    )


@require_POST
def override_alerts(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, session: DosingSession, form: ReasonForm) -> object:
        return actions.override_pre_dose_alerts(
            actor=user, session=session, reason=form.cleaned_data["reason"]
        )

    form = ReasonForm(request.POST)
    return _handle(
        request, pk, form, "override_form", run, done="Override recorded.", anchor="checks"
    )


@require_POST
def discharge_exception(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, session: DosingSession, form: ReasonForm) -> object:
        return actions.document_discharge_exception(
            actor=user, session=session, reason=form.cleaned_data["reason"]
        )

    form = ReasonForm(request.POST)
    return _handle(
        request, pk, form, "exception_form", run, done="Exception recorded.", anchor="discharge"
    )


@require_POST
def abort(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, session: DosingSession, form: ReasonForm) -> object:
        return actions.abort_session(
            actor=user, session=session, reason=form.cleaned_data["reason"]
        )

    form = ReasonForm(request.POST)
    return _handle(request, pk, form, "abort_form", run, done="Session stopped.", anchor="steps")


@require_POST
def set_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User, session: DosingSession, form: ScheduleForm) -> object:
        try:
            minutes = parse_schedule(form.cleaned_data["minutes"])
        except ValueError as exc:
            raise DosingRefused(str(exc)) from exc
        return actions.set_vitals_schedule(actor=user, session=session, minutes=minutes)

    form = ScheduleForm(request.POST)
    return _handle(
        request, pk, form, "schedule_form", run, done="Schedule changed.", anchor="monitoring"
    )


@require_POST
def acknowledge(request: HttpRequest, pk: int, alert_pk: int) -> HttpResponse:
    """Acknowledge an alert by name (from the session page or the board)."""
    alert = get_alert_for_user(request, pk, alert_pk)
    user = current_user(request)
    form = AcknowledgeForm(request.POST)
    back = safe_next_url(request) or f"{reverse('dosing:session', args=[pk])}#alerts"
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.acknowledge_alert(actor=user, alert=alert, note=note)
    except DosingRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"Alert acknowledged by {user.full_name}.")
    return redirect(back)
