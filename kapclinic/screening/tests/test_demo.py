"""Demo screenings: fitting each stage, signed ones with a signer, dosing patients ready."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.screening.models import ScreeningRecord
from kapclinic.treatment.readiness import dosing_readiness


@pytest.mark.django_db
def test_seed_demo_adds_screenings_that_fit_the_stages() -> None:
    out = StringIO()
    call_command("seed_demo", patients=30, quiet=True, stdout=out)
    assert "screenings:" in out.getvalue()
    records = ScreeningRecord.objects.select_related("patient")
    assert records.exists()
    for record in records:
        stage = record.patient.stage
        if stage == PathwayStage.SCREENING:
            assert record.status == "draft"
        elif stage == PathwayStage.INELIGIBLE:
            assert (record.decision, record.rules_outcome) == ("ineligible", "ineligible")
        else:
            assert record.decision == "eligible" and record.signed_by_id is not None
            if record.rules_outcome != "eligible":
                assert record.decision_reason
    dosing = Patient.objects.filter(stage=PathwayStage.DOSING, screenings__isnull=False).first()
    assert dosing is not None
    assert dosing_readiness(dosing, dt.date.today()).ready
    # Idempotent: a second run adds none.
    call_command("seed_demo", patients=30, quiet=True, stdout=StringIO())
    assert ScreeningRecord.objects.count() == records.count()
