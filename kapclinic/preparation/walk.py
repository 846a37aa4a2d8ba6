"""Preparation as `treatment.walk.walk_to` takes it before the dosing phase: a
complete preparation in the current course, as a therapist would have marked it.

For tests and demo walks that need a patient in the dosing phase with the record
readiness reads. Written directly (the walk's pathway moves are the audited ones).
"""

from __future__ import annotations

from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.patients.models import Contact, Patient
from kapclinic.preparation.checklist import PATIENT_ITEMS, STAFF_ITEMS
from kapclinic.preparation.models import Preparation

FILLED = {
    "intentions": "To feel less weighed down in the mornings and to reconnect with friends.",
    "warning_signs": "Staying in bed all day; not answering messages.",
    "coping_steps": "A walk outside; calling my sister; breathing exercise.",
    "contact1_name": "Sam Support",
    "contact1_phone": "+13125550123",
    "escort_name": "Sam Support",
    "escort_phone": "+13125550123",
    "transport_notes": "Sam drives me home.",
}


def completed_preparation(patient: Patient, *, actor: User) -> Preparation:
    if not patient.contacts.filter(is_emergency=True).exists():
        # Readiness also needs an emergency contact: the safety plan's first person.
        Contact.objects.create(
            patient=patient,
            name=FILLED["contact1_name"],
            relationship=Contact.Relationship.SIBLING,
            phone=FILLED["contact1_phone"],
            is_emergency=True,
            can_escort=True,
        )
    now = timezone.now()
    return Preparation.objects.create(
        patient=patient,
        **FILLED,
        patient_checklist={code: True for code, _ in PATIENT_ITEMS},
        staff_checklist={code: True for code, _ in STAFF_ITEMS},
        started_at=now,
        updated_at=now,
        completed_at=now,
        completed_by=actor,
    )
