"""The patient's whole pathway as one timeline, from the rows that already record it.

Stage changes, screening decisions, plan versions written and signed, consents
(signed, countersigned, withdrawn), preparation (started, intentions written, marked
complete), visits booked and dosing sessions, newest first. One query per kind of
record, whatever their number (a test pins the count).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from kapclinic.accounts.models import Role
from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.consent.models import Consent
from kapclinic.dosing.models import DosingSession
from kapclinic.patients.models import Patient
from kapclinic.preparation.models import Preparation
from kapclinic.scheduling.models import DOSING_CODES, Appointment, AppointmentStatus
from kapclinic.screening.models import ScreeningRecord
from kapclinic.treatment.models import PathwayTransition, TreatmentPlan
from kapclinic.treatment.readiness import Readiness, dosing_readiness


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str  # stage, screening, plan, consent, preparation, booking, session
    title: str
    detail: str = ""
    link: str = ""


@dataclass(frozen=True)
class NextDose:
    """The patient's next booked dosing visit, and whether they may be dosed that day."""

    start: dt.datetime  # in the site's time zone
    kind: str
    readiness: Readiness


# A visit still to come (or under way): not completed, cancelled or missed.
UPCOMING_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.IN_PROGRESS,
)


def next_dose(patient: Patient) -> NextDose | None:
    """The next dosing visit with readiness on its day, the question the care team
    asks of a pathway: may this patient be dosed then, and if not, what is missing."""
    visit = (
        Appointment.objects.filter(
            patient_id=patient.pk,
            appointment_type__code__in=DOSING_CODES,
            status__in=UPCOMING_STATUSES,
            end__gte=timezone.now(),
        )
        .select_related("appointment_type")
        .order_by("start")
        .first()
    )
    if visit is None:
        return None
    start = visit.start.astimezone(ZoneInfo(patient.site.time_zone))
    return NextDose(start, visit.appointment_type.name, dosing_readiness(patient, start.date()))


def _who(user: object) -> str:
    name = getattr(user, "full_name", "")
    return f"by {name}" if name else ""


def timeline(patient: Patient) -> list[Entry]:
    entries: list[Entry] = []
    for move in PathwayTransition.objects.filter(patient_id=patient.pk).select_related("actor"):
        detail = _who(move.actor)
        if move.reason:
            detail = f"{detail}: {move.reason}" if detail else move.reason
        entries.append(
            Entry(
                move.occurred_at,
                "stage",
                f"{move.get_from_stage_display()} → {move.get_to_stage_display()}",
                detail,
            )
        )
    screening_url = reverse("screening:screening", kwargs={"pk": patient.pk})
    for screening in ScreeningRecord.objects.filter(
        patient_id=patient.pk, status=ScreeningRecord.Status.SIGNED
    ).select_related("signed_by"):
        assert screening.signed_at is not None
        title = f"Screening signed: {screening.get_decision_display().lower()}"
        if screening.amends_id:
            title += " (a correction)"
        entries.append(
            Entry(screening.signed_at, "screening", title, _who(screening.signed_by), screening_url)
        )
    for plan in TreatmentPlan.objects.filter(patient_id=patient.pk).select_related(
        "created_by", "signed_by"
    ):
        link = reverse("treatment:plan_version", kwargs={"pk": patient.pk, "version_pk": plan.pk})
        dose = f"{plan.get_route_display()}, {format(plan.dose_mg.normalize(), 'f')} mg"
        entries.append(
            Entry(
                plan.created_at,
                "plan",
                f"Plan version {plan.version} written",
                f"{dose} {_who(plan.created_by)}",
                link,
            )
        )
        if plan.signed_at is not None:
            entries.append(
                Entry(
                    plan.signed_at,
                    "plan",
                    f"Plan version {plan.version} signed",
                    _who(plan.signed_by),
                    link,
                )
            )
    entries += _consent_entries(patient)
    entries += _preparation_entries(patient)
    tz = ZoneInfo(patient.site.time_zone)
    for visit in Appointment.objects.filter(patient_id=patient.pk).select_related(
        "appointment_type"
    ):
        entries.append(
            Entry(
                visit.created_at,
                "booking",
                f"{visit.appointment_type.name} booked",
                f"for {visit.start.astimezone(tz):%a %d %b %Y %H:%M}, "
                f"now {visit.get_status_display().lower()}",
                reverse("scheduling:appointment", kwargs={"pk": visit.pk}),
            )
        )
    for session in DosingSession.objects.filter(patient_id=patient.pk).only(
        "pk", "state", "first_dose_at", "created_at"
    ):
        entries.append(
            Entry(
                session.first_dose_at or session.created_at,
                "session",
                "Dosing session" + (" (first dose given)" if session.first_dose_at else ""),
                session.get_state_display(),
            )
        )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def _consent_entries(patient: Patient) -> list[Entry]:
    entries: list[Entry] = []
    link = reverse("consent:patient", kwargs={"pk": patient.pk})
    for consent in Consent.objects.filter(patient_id=patient.pk).select_related(
        "document", "countersigned_by", "withdrawn_by"
    ):
        form = f"{consent.document.title}, version {consent.document.version}"
        entries.append(
            Entry(consent.signed_at, "consent", "Consent signed by the patient", form, link)
        )
        if consent.countersigned_at is not None:
            entries.append(
                Entry(
                    consent.countersigned_at,
                    "consent",
                    "Consent countersigned",
                    f"{form} {_who(consent.countersigned_by)}",
                    link,
                )
            )
        if consent.withdrawn_at is not None:
            # The patient's own portal account withdrawing reads as "by the patient".
            if consent.withdrawn_by_id is not None and consent.withdrawn_by_id == patient.user_id:
                who = "by the patient"
            else:
                who = _who(consent.withdrawn_by)
            entries.append(
                Entry(
                    consent.withdrawn_at,
                    "consent",
                    "Consent withdrawn",
                    f"{form} {who}: {consent.withdrawal_reason}",
                    link,
                )
            )
    return entries


def _preparation_entries(patient: Patient) -> list[Entry]:
    entries: list[Entry] = []
    link = reverse("preparation:patient", kwargs={"pk": patient.pk})
    preparations = list(
        Preparation.objects.filter(patient_id=patient.pk)
        .select_related("completed_by")
        .only("pk", "started_at", "completed_at", "intentions", "completed_by__full_name")
    )
    for prep in preparations:
        entries.append(Entry(prep.started_at, "preparation", "Preparation started", "", link))
        if prep.completed_at is not None:
            entries.append(
                Entry(
                    prep.completed_at,
                    "preparation",
                    "Preparation marked complete",
                    _who(prep.completed_by),
                    link,
                )
            )
    # The preparation keeps no date for its intentions; the audit trail names the
    # fields each of the patient's saves changed, so the first save that touched
    # them is when they were written. One query for every preparation, made even when
    # there is none so the page's query count stays the same.
    written = {str(prep.pk) for prep in preparations if prep.intentions}
    saves = AuditEvent.objects.filter(
        patient_id=patient.pk,
        object_type=Preparation._meta.label_lower,
        actor_role=Role.PATIENT,
        action__in=[AuditAction.CREATE, AuditAction.UPDATE],
    ).order_by("id")
    for object_id, occurred_at, detail in saves.values_list("object_id", "occurred_at", "detail"):
        if object_id in written and "intentions" in (detail or {}).get("fields", ()):
            written.discard(object_id)
            entries.append(
                Entry(occurred_at, "preparation", "Intentions written by the patient", "", link)
            )
    return entries
