"""Every write of measurement-based care: asking for a questionnaire, saving answers
as the patient goes, submitting (scored by `instruments.score`), and each step of a
risk alert's life (raised, acknowledged, escalated).

Each action is atomic, takes the acting user as keyword-only `actor` (None only for
the background escalation, which no person performs) and writes its audit row in
the same transaction. Audit details hold references and codes, never answers.
E-mail goes out after commit, so a rolled-back write tells nobody anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site, SiteSettings
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes import notify
from kapclinic.outcomes.access import is_patient_rated, visible_alerts
from kapclinic.outcomes.instruments import INSTRUMENTS, score
from kapclinic.outcomes.models import (
    OnCallShift,
    QuestionnaireAssignment,
    QuestionnaireResponse,
    RiskAlert,
)
from kapclinic.outcomes.summary import refresh_summary
from kapclinic.patients.access import access_basis
from kapclinic.patients.models import Patient

# CLINICAL.md 5: acknowledge within 4 hours by default (SiteSettings.risk_alert_ack_hours).
DEFAULT_ACK_HOURS = 4
MIN_NOTE_LENGTH = 5


def _may_enter_for(actor: User, patient: Patient) -> bool:
    """Clinicians with clinical access enter questionnaires and ratings."""
    return actor.is_clinician and access_basis(actor, patient, clinical=True) is not None


def _thresholds(site: Site) -> dict[str, int]:
    site_settings = SiteSettings.objects.filter(site=site).first()
    if site_settings is None:
        return {}
    return {"pcl5_probable_ptsd_cutoff": site_settings.pcl5_probable_ptsd_cutoff}


def ack_hours(site: Site) -> int:
    hours = SiteSettings.objects.filter(site=site).values_list("risk_alert_ack_hours", flat=True)
    return hours.first() or DEFAULT_ACK_HOURS


@transaction.atomic
def assign(
    *,
    actor: User,
    patient: Patient,
    instrument: str,
    due_at: dt.datetime,
    expires_at: dt.datetime,
) -> QuestionnaireAssignment:
    """Ask the patient to answer a patient-rated questionnaire by `due_at`."""
    if not _may_enter_for(actor, patient):
        raise PermissionDenied("Only the patient's clinicians can ask for a questionnaire.")
    if not is_patient_rated(instrument):
        raise FieldValueError("instrument", "is not a questionnaire patients answer themselves")
    if expires_at <= due_at:
        raise FieldValueError("expires_at", "must be after the due time")
    assignment = QuestionnaireAssignment.objects.create(
        patient=patient,
        instrument=instrument,
        due_at=due_at,
        expires_at=expires_at,
        assigned_by=actor,
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=assignment,
        detail={"instrument": instrument},
    )
    return assignment


@transaction.atomic
def save_draft(
    *, actor: User | None, assignment: QuestionnaireAssignment, answers: dict[str, Any]
) -> None:
    """Keep the patient's answers so far (item number -> answer), so nothing is lost.

    `actor` None: the patient answering a signed link without a portal account (the
    link's token, checked by the caller, is the authority)."""
    if actor is not None and assignment.patient.user_id != actor.pk:
        raise PermissionDenied("Only the patient saves their own answers.")
    merged = {**assignment.draft, **answers}
    if merged == assignment.draft:
        return
    assignment.draft = merged
    assignment.save(update_fields=["draft"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=assignment.patient,
        obj=assignment,
        detail={"fields": ["draft"], "items": sorted(answers)},
    )


@transaction.atomic
def submit(
    *,
    actor: User | None,
    patient: Patient,
    instrument: str,
    answers: Sequence[Any],
    assignment: QuestionnaireAssignment | None = None,
    replaces: QuestionnaireResponse | None = None,
    site_url: str = "",
) -> QuestionnaireResponse:
    """Score and store a completed questionnaire; a critical answer raises a risk alert.

    Raises FieldValueError naming the item for a missing or out-of-range answer.
    `actor` None is the patient answering a signed link without a portal account:
    only an assignment's own patient-rated questionnaire, stored in their name.
    """
    if actor is None:
        if assignment is None or not is_patient_rated(instrument):
            raise PermissionDenied("A link answers only the questionnaire it was sent for.")
        entered_by = QuestionnaireResponse.EnteredBy.PATIENT
    elif actor.role == Role.PATIENT:
        own = patient.user_id == actor.pk
        if not own or assignment is None or not is_patient_rated(instrument):
            raise PermissionDenied("Patients answer only the questionnaires they were sent.")
        entered_by = QuestionnaireResponse.EnteredBy.PATIENT
    elif _may_enter_for(actor, patient):
        entered_by = QuestionnaireResponse.EnteredBy.STAFF
    else:
        raise PermissionDenied("Only the patient's clinicians enter questionnaires.")
    if assignment is not None:
        locked = QuestionnaireAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.patient_id != patient.pk or locked.instrument != instrument:
            raise PermissionDenied("This questionnaire belongs to someone else.")
        if locked.completed_at is not None:
            raise FieldValueError("questionnaire", "was already answered")
        if locked.expires_at <= timezone.now():
            raise FieldValueError("questionnaire", "has expired; ask the clinic for a new one")
    if replaces is not None and (
        replaces.patient_id != patient.pk or replaces.instrument != instrument
    ):
        raise FieldValueError("replaces", "must be the same patient's same questionnaire")
    result = score(instrument, list(answers), thresholds=_thresholds(patient.site))
    now = timezone.now()
    response = QuestionnaireResponse.objects.create(
        patient=patient,
        instrument=instrument,
        assignment=assignment,
        answers=list(answers),
        total=result.total,
        severity=result.severity or "",
        subscales=result.subscales,
        flags=list(result.flags),
        entered_by=entered_by,
        entered_by_user=actor,
        completed_at=now,
        replaces=replaces,
    )
    refresh_summary([patient.pk])
    record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=response,
        flagged=getattr(patient, "via_break_glass", False),
        detail={
            "instrument": instrument,
            "entered_by": entered_by,
            **({"replaces": replaces.pk} if replaces is not None else {}),
            **({"via": "link"} if actor is None else {}),
        },
    )
    if assignment is not None:
        QuestionnaireAssignment.objects.filter(pk=assignment.pk).update(completed_at=now, draft={})
        assignment.completed_at = now
        assignment.draft = {}
    if "suicide_risk" in result.flags:
        _raise_alert(
            actor=actor,
            response=response,
            critical_items=result.critical_items,
            severity=result.severity,
            site_url=site_url,
        )
    return response


def _raise_alert(
    *,
    actor: User | None,
    response: QuestionnaireResponse,
    critical_items: tuple[int, ...],
    severity: str | None,
    site_url: str,
) -> RiskAlert:
    name = INSTRUMENTS[response.instrument].name
    if response.instrument == "cssrs_screen":
        reason = f"{name}: {severity} risk"
        level = RiskAlert.Level.HIGH if severity == "high" else RiskAlert.Level.URGENT
    else:
        items = ", ".join(str(n) for n in critical_items)
        reason = f"{name}: critical answer to item {items}"
        level = RiskAlert.Level.URGENT
    alert = RiskAlert.objects.create(
        patient=response.patient, response=response, reason=reason, level=level
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=response.patient,
        obj=alert,
        detail={"response": response.pk, "level": level},
    )
    recipients = list(
        response.patient.care_team.filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    hours = ack_hours(response.patient.site)
    alert_id = alert.pk
    transaction.on_commit(
        lambda: notify.tell_care_team(alert_id, recipients, hours, site_url), robust=True
    )
    return alert


@transaction.atomic
def acknowledge(*, actor: User, alert: RiskAlert, note: str) -> RiskAlert:
    """A clinician records, by name and with a note, that they have taken the alert on."""
    note = note.strip()
    if not visible_alerts(actor).filter(pk=alert.pk).exists():
        raise PermissionDenied("Only the patient's clinicians acknowledge this alert.")
    if len(note) < MIN_NOTE_LENGTH:
        raise FieldValueError("note", "say what you did or will do (at least 5 characters)")
    locked = RiskAlert.objects.select_for_update().get(pk=alert.pk)
    if locked.acknowledged_at is not None:
        raise FieldValueError("note", "this alert was already acknowledged")
    locked.acknowledged_by = actor
    locked.acknowledged_at = timezone.now()
    locked.acknowledgement_note = note
    locked.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_note"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=locked.patient,
        obj=locked,
        detail={"fields": ["acknowledged_by", "acknowledged_at", "acknowledgement_note"]},
    )
    return locked


def on_call_for(site: Site, at: dt.datetime) -> User | None:
    """Who is on call at `site` at `at`: the shift covering it, else the site default."""
    shift = (
        OnCallShift.objects.filter(site=site, start__lte=at, end__gt=at, prescriber__is_active=True)
        .select_related("prescriber")
        .order_by("-start")
        .first()
    )
    if shift is not None:
        return shift.prescriber
    default: User | None = site.on_call_prescriber
    return default if default is not None and default.is_active else None


@transaction.atomic
def escalate(*, actor: User | None, alert: RiskAlert, site_url: str = "") -> bool:
    """Escalate one unacknowledged alert to the on-call prescriber; False if it was
    already acknowledged or escalated (so running twice sends one message)."""
    locked = (
        RiskAlert.objects.select_for_update()
        .filter(pk=alert.pk, acknowledged_at__isnull=True, escalated_at__isnull=True)
        .first()
    )
    if locked is None:
        return False
    site = Site.objects.select_related("on_call_prescriber").get(pk=locked.patient.site_id)
    now = timezone.now()
    prescriber = on_call_for(site, now)
    locked.escalated_at = now
    locked.escalated_to = prescriber
    locked.save(update_fields=["escalated_at", "escalated_to"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=locked.patient,
        obj=locked,
        detail={
            "fields": ["escalated_at", "escalated_to"],
            "escalated_to": prescriber.pk if prescriber is not None else None,
        },
    )
    hours = ack_hours(site)
    alert_id = locked.pk
    transaction.on_commit(
        lambda: notify.tell_on_call(alert_id, prescriber, hours, site_url), robust=True
    )
    alert.escalated_at, alert.escalated_to = locked.escalated_at, locked.escalated_to
    return True


def overdue_alerts(now: dt.datetime | None = None) -> list[RiskAlert]:
    """Open, unescalated alerts older than their site's acknowledgement window."""
    now = now or timezone.now()
    candidates = RiskAlert.objects.filter(
        acknowledged_at__isnull=True, escalated_at__isnull=True
    ).select_related("patient__site__settings")
    overdue = []
    for alert in candidates:
        site_settings = getattr(alert.patient.site, "settings", None)
        hours = site_settings.risk_alert_ack_hours if site_settings else DEFAULT_ACK_HOURS
        if alert.created_at + dt.timedelta(hours=hours) <= now:
            overdue.append(alert)
    return overdue


def escalate_overdue(site_url: str = "") -> int:
    """Escalate every overdue alert; the number escalated (0 on a second run)."""
    return sum(escalate(actor=None, alert=a, site_url=site_url) for a in overdue_alerts())
