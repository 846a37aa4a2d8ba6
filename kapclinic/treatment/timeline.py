"""The patient's whole pathway as one timeline, from the rows that already record it.

Stage changes, screening decisions, plan versions written and signed, visits booked
and dosing sessions, newest first. One query per kind of record, whatever their
number (a test pins the count). Consent and preparation records join here once
their apps land; their pathway steps already appear as stage changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.urls import reverse

from kapclinic.dosing.models import DosingSession
from kapclinic.patients.models import Patient
from kapclinic.scheduling.models import Appointment
from kapclinic.screening.models import ScreeningRecord
from kapclinic.treatment.models import PathwayTransition, TreatmentPlan


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str  # stage, screening, plan, booking, session
    title: str
    detail: str = ""
    link: str = ""


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
