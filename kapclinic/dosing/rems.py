"""What the REMS Patient Monitoring Form can take from a session's own records.

`rems_facts` reads the session, its readings and administrations and the patient's
chart, and returns plain values (strings, numbers, booleans) so they can be shown,
frozen into `RemsForm.facts` when the form is completed, and printed. `due_forms`
lists the esketamine sessions whose form is not yet submitted, with the days left
of the 7 the REMS allows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from kapclinic.dosing.models import Administration, DosingSession, VitalReading
from kapclinic.dosing.rems_models import RemsForm
from kapclinic.patients.models import Medication

SUBMIT_WITHIN_DAYS = 7
# The REMS form asks about these classes of concomitant medicine.
CONCOMITANT_CLASSES = (
    Medication.DrugClass.BENZODIAZEPINE,
    Medication.DrugClass.SEDATIVE_HYPNOTIC,
    Medication.DrugClass.PSYCHOSTIMULANT,
    Medication.DrugClass.MAOI,
    Medication.DrugClass.OPIOID,
)
STANDARD_DOSES_MG = (56, 84)
# The blood pressure "at 40 minutes" is the reading closest to it within this window.
FORTY_MINUTE_WINDOW = dt.timedelta(minutes=15)


def _bp(reading: VitalReading | None, zone: ZoneInfo) -> dict[str, Any] | None:
    if reading is None:
        return None
    return {
        "systolic": reading.systolic,
        "diastolic": reading.diastolic,
        "at": reading.taken_at.astimezone(zone).strftime("%H:%M"),
    }


def _with_bp(readings: list[VitalReading]) -> list[VitalReading]:
    return [r for r in readings if r.systolic is not None and r.diastolic is not None]


def treatment_date(session: DosingSession) -> dt.date:
    zone = ZoneInfo(session.site.time_zone)
    return (session.first_dose_at or session.appointment.start).astimezone(zone).date()


def rems_facts(session: DosingSession) -> dict[str, Any]:
    """The form's fields that come from records; `session` with patient, site,
    appointment, nurse and prescriber_on_site selected."""
    zone = ZoneInfo(session.site.time_zone)
    patient = session.patient
    readings = _with_bp(
        list(VitalReading.objects.filter(session=session, corrected_by__isnull=True))
    )
    doses = list(Administration.objects.filter(session=session).order_by("started_at", "id"))
    total = sum((d.dose_mg for d in doses), Decimal(0))
    dose_mg = int(total) if total == int(total) else float(total)
    first = session.first_dose_at or (doses[0].started_at if doses else None)
    end = session.discharged_at
    before = [r for r in readings if first is None or r.taken_at <= first]
    baseline = next((r for r in reversed(before) if r.is_baseline), before[-1] if before else None)
    at_40 = None
    if first is not None:
        target = first + dt.timedelta(minutes=40)
        near = [r for r in readings if abs(r.taken_at - target) <= FORTY_MINUTE_WINDOW]
        at_40 = min(near, key=lambda r: abs(r.taken_at - target), default=None)
    after = [r for r in readings if first is not None and r.taken_at > first]
    classes = sorted(
        set(
            Medication.objects.filter(
                patient=patient, stopped_on__isnull=True, drug_class__in=CONCOMITANT_CLASSES
            ).values_list("drug_class", flat=True)
        )
    )
    labels = dict(Medication.DrugClass.choices)
    site = session.site
    return {
        "patient_name": f"{patient.given_name} {patient.family_name}",
        "birth_date": patient.birth_date.isoformat(),
        "sex": patient.get_sex_at_birth_display() if patient.sex_at_birth else "Not recorded",
        "concomitant": [str(labels[c]) for c in classes],
        "monitoring_clinician": session.nurse.full_name if session.nurse else "",
        "prescriber": session.prescriber_on_site.full_name if session.prescriber_on_site else "",
        "contact_phone": site.phone,
        "contact_email": session.nurse.email if session.nurse else "",
        "setting_name": site.name,
        "setting_address": site.address,
        "treatment_date": treatment_date(session).isoformat(),
        "dose_mg": dose_mg,
        "dose_choice": str(dose_mg) if dose_mg in STANDARD_DOSES_MG else "other",
        "devices": len(doses),
        "lots": sorted({d.lot_number for d in doses}),
        "first_device_at": first.astimezone(zone).strftime("%H:%M") if first else "",
        "monitoring_ended_at": end.astimezone(zone).strftime("%H:%M") if end else "",
        "total_minutes": int((end - first).total_seconds() // 60) if first and end else None,
        "bp_before": _bp(baseline, zone),
        "bp_at_40": _bp(at_40, zone),
        "bp_before_completion": _bp(after[-1] if after else None, zone),
    }


@dataclass(frozen=True)
class DueForm:
    session: DosingSession
    form: RemsForm | None
    treated_on: dt.date
    due_on: dt.date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


def due_forms(sessions: QuerySet[DosingSession], *, today: dt.date | None = None) -> list[DueForm]:
    """The esketamine sessions among `sessions` whose form is not submitted, soonest due first."""
    found = (
        sessions.filter(plan__drug="esketamine", first_dose_at__isnull=False)
        .exclude(rems_form__status=RemsForm.Status.SUBMITTED)
        .select_related("patient", "site", "appointment", "rems_form")
    )
    rows = []
    for session in found:
        treated = treatment_date(session)
        local_today = today or timezone.now().astimezone(ZoneInfo(session.site.time_zone)).date()
        due = treated + dt.timedelta(days=SUBMIT_WITHIN_DAYS)
        form = getattr(session, "rems_form", None)
        rows.append(DueForm(session, form, treated, due, (due - local_today).days))
    rows.sort(key=lambda r: (r.due_on, r.session.pk))
    return rows
