"""Demo preparations for `seed_demo` (synthetic data only; no audit rows).

Patients in the dosing phase or beyond get a preparation their therapist marked
complete before their first dose; patients at the preparation step get one in
progress (intentions written, the safety plan and transport still to finish).
Idempotent: patients who already have a preparation are left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kapclinic.patients.models import CareTeamMember, PathwayStage, Patient
from kapclinic.preparation.checklist import PATIENT_ITEMS, STAFF_ITEMS
from kapclinic.preparation.models import Preparation
from kapclinic.preparation.walk import FILLED
from kapclinic.treatment.models import PathwayTransition

DONE = frozenset(
    {PathwayStage.DOSING, PathwayStage.REVIEW, PathwayStage.MAINTENANCE, PathwayStage.FOLLOW_UP}
)


@transaction.atomic
def build_demo_preparations() -> int:
    """Create the demo preparations; return how many were created."""
    now = timezone.now()
    completers = dict(
        CareTeamMember.objects.filter(
            role__in=[CareTeamMember.Role.THERAPIST, CareTeamMember.Role.PRESCRIBER]
        )
        .order_by("-role", "added_at")  # a therapist where there is one
        .values_list("patient_id", "user_id")
    )
    patients = list(
        Patient.objects.filter(
            stage__in=[*DONE, PathwayStage.PREPARATION],
            preparations__isnull=True,
            pk__in=list(completers),
        )
    )
    dosing_from = dict(
        PathwayTransition.objects.filter(
            patient_id__in=[p.pk for p in patients], name="start_dosing"
        ).values_list("patient_id", "occurred_at")
    )
    rows = []
    for patient in patients:
        if patient.stage == PathwayStage.PREPARATION:
            started = now - dt.timedelta(days=2)
            rows.append(
                Preparation(
                    patient=patient,
                    intentions=FILLED["intentions"],
                    patient_checklist={code: code != "fasting" for code, _ in PATIENT_ITEMS},
                    staff_checklist={"setting_discussed": True},
                    warning_signs=FILLED["warning_signs"],
                    started_at=started,
                    updated_at=started + dt.timedelta(hours=1),
                )
            )
            continue
        completed = dosing_from.get(patient.pk, now - dt.timedelta(days=7)) - dt.timedelta(hours=1)
        rows.append(
            Preparation(
                patient=patient,
                **FILLED,
                patient_checklist={code: True for code, _ in PATIENT_ITEMS},
                staff_checklist={code: True for code, _ in STAFF_ITEMS},
                started_at=completed - dt.timedelta(days=4),
                updated_at=completed,
                completed_at=completed,
                completed_by_id=completers[patient.pk],
            )
        )
    Preparation.objects.bulk_create(rows, batch_size=500)
    return len(rows)
