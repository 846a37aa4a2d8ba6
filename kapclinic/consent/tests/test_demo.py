"""Demo consents and preparations: ready dosing patients, one consent out of date,
one awaiting countersignature, one preparation in progress; idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kapclinic.consent.models import Consent
from kapclinic.consent.status import consent_problems
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.preparation.models import Preparation
from kapclinic.treatment.readiness import dosing_readiness


@pytest.mark.django_db
def test_seed_demo_adds_consents_and_preparations() -> None:
    out = StringIO()
    call_command("seed_demo", patients=60, quiet=True, stdout=out)
    assert "consents:" in out.getvalue() and "preparations:" in out.getvalue()
    today = timezone.localdate()
    dosing = list(Patient.objects.filter(stage=PathwayStage.DOSING, consents__isnull=False))
    problems = consent_problems([p.pk for p in dosing], today)
    out_of_date = [pk for pk, problem in problems.items() if problem]
    assert len(out_of_date) == 1
    assert str(problems[out_of_date[0]]).startswith("consent out of date: version 2")
    ready = [p for p in dosing if p.pk not in out_of_date]
    assert ready and all(dosing_readiness(p, today).ready for p in ready)
    assert Consent.objects.filter(countersigned_at__isnull=True).count() == 1
    in_progress = Preparation.objects.filter(completed_at__isnull=True)
    assert in_progress.exists()
    assert all(p.patient.stage == PathwayStage.PREPARATION for p in in_progress)
    counts = (Consent.objects.count(), Preparation.objects.count())
    call_command("seed_demo", patients=60, quiet=True, stdout=StringIO())
    assert (Consent.objects.count(), Preparation.objects.count()) == counts
