"""Small helpers for the patients tests: clinical fixtures and "nothing changed" checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kapclinic.audit.models import AuditAction, AuditEvent, AuditOutcome, BreakGlassGrant
from kapclinic.patients.models import (
    Allergy,
    BodyMeasurement,
    CareTeamMember,
    Condition,
    Contact,
    Medication,
    Patient,
)

CONDITION_NAME = "Treatment-resistant depression"
MEDICATION_NAME = "Sertraline"
ALLERGY_NAME = "Penicillin"

_MODELS = (
    Patient,
    Contact,
    BodyMeasurement,
    Condition,
    Medication,
    Allergy,
    CareTeamMember,
    BreakGlassGrant,
)


def add_clinical_record(patient: Patient) -> None:
    """Give `patient` one of each clinical item, with names the tests look for."""
    Condition.objects.create(patient=patient, category="psychiatric", name=CONDITION_NAME)
    Condition.objects.create(patient=patient, category="family", name="Bipolar disorder (mother)")
    Medication.objects.create(
        patient=patient, name=MEDICATION_NAME, drug_class="antidepressant", dose="100 mg"
    )
    Medication.objects.create(
        patient=patient,
        name="Lorazepam",
        drug_class="benzodiazepine",
        started_on=dt.date(2020, 1, 1),
        stopped_on=dt.date(2021, 1, 1),
    )
    Allergy.objects.create(patient=patient, substance=ALLERGY_NAME, severity="severe")
    BodyMeasurement.objects.create(
        patient=patient, height_cm=Decimal("170.0"), weight_kg=Decimal("72.3")
    )
    Contact.objects.create(
        patient=patient,
        name="Sam Partner",
        relationship="partner",
        phone="+13125550101",
        is_emergency=True,
    )


def state(*, count_reads: bool = True) -> dict[str, object]:
    """Row counts of everything a patients request might write, plus the patients' values.

    Denied requests may add a DENIED audit row, so audit rows are counted by outcome.
    A form sent back with errors shows the record, so it writes one VIEW row; tests of
    such a form compare with `count_reads=False` (the read row is tested on its own).
    """
    snapshot: dict[str, object] = {m.__name__: m.objects.count() for m in _MODELS}
    snapshot["patients"] = list(Patient.objects.order_by("pk").values())
    snapshot["contacts"] = list(Contact.objects.order_by("pk").values())
    snapshot["medications"] = list(Medication.objects.order_by("pk").values())
    succeeded = AuditEvent.objects.filter(outcome=AuditOutcome.SUCCESS)
    if not count_reads:
        succeeded = succeeded.exclude(action=AuditAction.VIEW)
    snapshot["audit_success"] = succeeded.count()
    return snapshot


def new_events(since_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=since_id).order_by("pk"))


def last_event_id() -> int:
    last = AuditEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


def assert_no_phi(response, *patients: Patient) -> None:
    """The patients' names and MRNs are absent (names as the pages write them)."""
    body = response.content.decode()
    for patient in patients:
        for value in (
            patient.mrn,
            patient.display_name,
            f"{patient.given_name} {patient.family_name}",
            f"{patient.family_name}, {patient.given_name}",
        ):
            assert value not in body, f"{value!r} leaked into the response"
