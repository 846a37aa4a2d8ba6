"""The pathway board's data: a clinician's patients by stage, what each waits for, and
for how long. One query for the patients, whatever their number."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import DateTimeField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.consent.board import consent_waiting
from kapclinic.intake.access import sent_this_course
from kapclinic.patients.access import visible_patients
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.preparation.board import preparation_waiting
from kapclinic.treatment.models import PathwayTransition

# What a patient at each stage is waiting for, in the care team's words. Patients who
# left the pathway (ineligible, withdrawn) are not on the board: nothing is pending.
WAITING_FOR: dict[str, str] = {
    PathwayStage.ENQUIRY: "consultation not booked",
    PathwayStage.CONSULTATION: "intake not finished",
    PathwayStage.SCREENING: "screening unsigned",
    PathwayStage.ELIGIBILITY: "plan awaiting signature",
    PathwayStage.TREATMENT_PLAN: "consent not signed",
    PathwayStage.CONSENT: "preparation not started",
    PathwayStage.PREPARATION: "preparation not finished",
    PathwayStage.DOSING: "dosing course under way",
    PathwayStage.REVIEW: "end-of-induction review due",
    PathwayStage.MAINTENANCE: "maintenance sessions",
    PathwayStage.FOLLOW_UP: "follow-up",
}


@dataclass
class BoardColumn:
    stage: str
    label: str
    waiting_for: str
    patients: list[Patient] = field(default_factory=list)


def board_patients(user: User) -> list[Patient]:
    """The user's care-team patients still on the pathway, each with `stage_since`."""
    entered = (
        PathwayTransition.objects.filter(patient=OuterRef("pk"), to_stage=OuterRef("stage"))
        .order_by("-occurred_at", "-id")
        .values("occurred_at")[:1]
    )
    return list(
        visible_patients(user, clinical=True)
        .filter(stage__in=list(WAITING_FOR))
        .annotate(
            stage_since=Coalesce(Subquery(entered, output_field=DateTimeField()), "created_at"),
            intake_sent=sent_this_course(),
        )
        .only("pk", "mrn", "given_name", "family_name", "preferred_name", "stage", "created_at")
        .order_by("stage_since", "pk")
    )


def _waiting_for(patient: Patient) -> str:
    # At consultation the patient's own intake comes first (`intake.access`).
    if patient.stage == PathwayStage.CONSULTATION and patient.intake_sent:  # type: ignore[attr-defined]
        return "consultation not finished"
    return WAITING_FOR[patient.stage]


def days_since(moment: datetime, now: datetime | None = None) -> int:
    return max(0, ((now or timezone.now()) - moment).days)


def build_board(user: User) -> list[BoardColumn]:
    """One column per stage in pathway order, longest-waiting patient first."""
    columns = {
        stage: BoardColumn(stage, PathwayStage(stage).label, waiting)
        for stage, waiting in WAITING_FOR.items()
    }
    now = timezone.now()
    patients = board_patients(user)
    # Consent and preparation say from their records what a patient waits for.
    waiting = {**consent_waiting(patients), **preparation_waiting(patients)}
    for patient in patients:
        patient.days_in_stage = days_since(patient.stage_since, now)  # type: ignore[attr-defined]
        patient.waiting_for = waiting.get(patient.pk) or _waiting_for(patient)  # type: ignore[attr-defined]
        columns[patient.stage].patients.append(patient)
    return list(columns.values())
