"""Care-team alerts for a safety flag that appears once treatment is under way.

The chart shows the record's safety flags at all times (`record_facts.safety_flags`).
Before the eligibility decision that is enough: the prescriber decides on the
screening page, which is prefilled from the same record. After it, nobody re-reads
the screening before each step, so a flag that appears then (a new interacting
medicine, a contraindicating diagnosis, a ketamine allergy) must reach the care team
at once. Hence the stages that alert (`ALERT_STAGES`): from "found eligible" through
the plan, consent, preparation, the dosing phase, the end-of-induction review and
maintenance, i.e. every stage where a decision to treat stands and a dose may follow
(course booking happens when the plan is signed, so doses can be on the calendar
from then on). Enquiry, consultation and screening come before any decision;
follow-up, ineligible and withdrawn have no course in progress (a new course starts
with a fresh screening).

How a write of the record uses this module (patients/actions.py, in the write's own
transaction): `flags_before_change` before the item is saved (it locks the patient
row, so two clinicians recording at once cannot both miss or both raise the flag),
`alert_new_flags` after. A flag is "new" when the same rules (`rules.evaluate`)
give it after the write and not before; each new flag is one `SafetyFlagAlert`,
audited, and the care team's clinicians get an e-mail after the commit that names no
patient and no flag.

A flag that goes and comes back (a medicine stopped, later started again) alerts
again: restarting it is new information for the team, who may have relied on the
stop. The exception is a flag whose earlier alert is still open: that alert already
asks the team to look, so a second one would only be noise (and the database allows
one open alert per flag and patient).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.lib.field_error import FieldValueError
from kapclinic.patients.models import (
    Allergy,
    CareTeamMember,
    Condition,
    Medication,
    PathwayStage,
    Patient,
)
from kapclinic.screening import rules
from kapclinic.screening.models import SafetyFlagAlert
from kapclinic.screening.record_facts import safety_flags

logger = logging.getLogger(__name__)

# See the module docstring for why these stages and no others.
ALERT_STAGES = frozenset(
    {
        PathwayStage.ELIGIBILITY,
        PathwayStage.TREATMENT_PLAN,
        PathwayStage.CONSENT,
        PathwayStage.PREPARATION,
        PathwayStage.DOSING,
        PathwayStage.REVIEW,
        PathwayStage.MAINTENANCE,
    }
)
# "Next dose on ..." on the alert when a dosing visit is booked this close.
NEXT_DOSE_WINDOW = dt.timedelta(days=7)
MAX_NOTE_LENGTH = 1000

RecordItem = Medication | Condition | Allergy


def flags_before_change(patient: Patient) -> dict[str, rules.Reason] | None:
    """The patient's flags by rule code, read before a write of the record; None when
    the patient's stage does not alert (then `alert_new_flags` does nothing).

    Locks the patient row until the write's transaction ends (PostgreSQL), so the
    before-and-after comparison of concurrent writes happens one at a time.
    """
    stage = (
        Patient.objects.select_for_update()
        .filter(pk=patient.pk)
        .values_list("stage", flat=True)
        .first()
    )
    if stage not in ALERT_STAGES:
        return None
    return {flag.rule: flag for flag in safety_flags(patient)}


def _cause_field(item: RecordItem) -> str:
    if isinstance(item, Medication):
        return "medication"
    if isinstance(item, Condition):
        return "condition"
    return "allergy"


def alert_new_flags(
    *,
    actor: User,
    patient: Patient,
    before: dict[str, rules.Reason] | None,
    cause: RecordItem,
    grant_id: int | None = None,
) -> list[SafetyFlagAlert]:
    """Raise one alert per flag the record shows now and did not before `cause` was
    written; `grant_id` names the break-glass grant the write rests on, if any."""
    if before is None:
        return []
    new = [flag for flag in safety_flags(patient) if flag.rule not in before]
    if not new:
        return []
    still_open = set(
        SafetyFlagAlert.objects.filter(
            patient=patient, acknowledged_at__isnull=True, code__in=[f.rule for f in new]
        ).values_list("code", flat=True)
    )
    raised = []
    for flag in new:
        if flag.rule in still_open:
            continue
        alert = SafetyFlagAlert.objects.create(
            patient=patient,
            code=flag.rule,
            level=flag.level,
            reason=flag.message,
            raised_by=actor,
            **{_cause_field(cause): cause},
        )
        detail: dict[str, object] = {
            "rule": flag.rule,
            "cause": cause._meta.label_lower,
            "cause_id": cause.pk,
        }
        if grant_id is not None:
            detail["grant_id"] = grant_id
        record(
            actor=actor,
            action=AuditAction.CREATE,
            patient=patient,
            obj=alert,
            flagged=grant_id is not None,
            detail=detail,
        )
        raised.append(alert)
    if raised:
        _tell_care_team(patient, actor)
    return raised


def _tell_care_team(patient: Patient, actor: User) -> None:
    """E-mail the care team's clinicians after the commit. Not the one who recorded
    the item: the chart they return to shows the banner."""
    recipients = list(
        CareTeamMember.objects.filter(patient=patient, user__is_active=True)
        .exclude(user=actor)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return
    link = settings.PUBLIC_BASE_URL + reverse("patients:chart", args=[patient.pk])
    transaction.on_commit(lambda: send_alert_mail(recipients, link), robust=True)


def send_alert_mail(recipients: list[str], link: str) -> None:
    """One message per clinician (no one sees the others' addresses); no PHI."""
    subject = f"[{settings.SITE_NAME}] A patient on your care team has a new safety flag"
    body = (
        "A patient on your care team has a new safety flag on their record.\n"
        "Please open the record, review the flag and acknowledge it:\n\n"
        f"{link}\n"
    )
    try:
        mail.send_mass_mail([(subject, body, None, [to]) for to in recipients])
    except Exception:
        # The alert is stored and shows on the chart and the pathway board; a mail
        # outage must not turn the clinician's save into an error.
        logger.exception("Could not e-mail the care team about a new safety flag")


def may_acknowledge(user: User, patient_id: int) -> bool:
    """Clinicians on the patient's care team (never through break-glass: the alert
    asks the team that looks after the patient to take it on)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_clinician
        and CareTeamMember.objects.filter(user=user, patient_id=patient_id).exists()
    )


@transaction.atomic
def acknowledge_flag_alert(
    *, actor: User, alert: SafetyFlagAlert, note: str = ""
) -> SafetyFlagAlert:
    """A care-team clinician records, in their name, that they have seen the flag and
    taken it on; once per alert."""
    note = note.strip()
    if not may_acknowledge(actor, alert.patient_id):
        raise PermissionDenied("Only the patient's care team acknowledges this alert.")
    if len(note) > MAX_NOTE_LENGTH:
        raise FieldValueError("note", f"keep the note to {MAX_NOTE_LENGTH} characters or fewer")
    locked = SafetyFlagAlert.objects.select_for_update().get(pk=alert.pk)
    if locked.acknowledged_at is not None:
        raise FieldValueError("note", "this alert was already acknowledged")
    locked.acknowledged_by = actor
    locked.acknowledged_at = timezone.now()
    locked.acknowledgement_note = note
    fields = ["acknowledged_by", "acknowledged_at", "acknowledgement_note"]
    locked.save(update_fields=fields)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=locked.patient,
        obj=locked,
        detail={"fields": fields},
    )
    return locked


def next_dose_start() -> Subquery:
    """The start of the outer alert's patient's next dosing visit within
    `NEXT_DOSE_WINDOW`, as a subquery (None when there is none)."""
    from kapclinic.scheduling.models import DOSING_CODES, Appointment, AppointmentStatus

    now = timezone.now()
    visits = (
        Appointment.objects.filter(
            patient=OuterRef("patient"),
            appointment_type__code__in=DOSING_CODES,
            start__gte=now,
            start__lt=now + NEXT_DOSE_WINDOW,
        )
        .exclude(status__in=[AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
        .order_by("start")
        .values("start")[:1]
    )
    return Subquery(visits, output_field=models.DateTimeField())


def open_alerts(patient: Patient) -> list[SafetyFlagAlert]:
    """The patient's open alerts with their cause and `next_dose` (one query)."""
    return list(
        SafetyFlagAlert.objects.filter(patient=patient, acknowledged_at__isnull=True)
        .select_related("medication", "condition", "allergy")
        .annotate(next_dose=next_dose_start())
        .order_by("raised_at", "id")
    )


def open_alerts_for(patients: models.QuerySet[Patient]) -> list[SafetyFlagAlert]:
    """Open alerts of `patients` (the caller's access scope), oldest first, with the
    patient and `next_dose` (one query)."""
    return list(
        SafetyFlagAlert.objects.filter(acknowledged_at__isnull=True, patient__in=patients)
        .select_related("patient__site")
        .annotate(next_dose=next_dose_start())
        .order_by("raised_at", "id")
    )
