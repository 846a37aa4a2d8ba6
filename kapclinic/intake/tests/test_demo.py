"""Demo intakes: one half-way at consultation, sent ones the care team can read."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kapclinic.intake.access import progress
from kapclinic.intake.demo import INTAKE_EMAIL, INTAKE_SENT_EMAIL
from kapclinic.intake.models import Intake
from kapclinic.patients.models import PathwayStage


@pytest.mark.django_db
def test_seed_demo_adds_a_half_way_and_sent_intakes() -> None:
    out = StringIO()
    call_command("seed_demo", patients=30, quiet=True, stdout=out)
    assert "intakes: 3 created" in out.getvalue()
    half_way = Intake.objects.get(patient__user__email=INTAKE_EMAIL)
    assert half_way.patient.stage == PathwayStage.CONSULTATION
    assert not half_way.is_submitted
    assert sum(state.done for state in progress(half_way)) == 3
    sent = Intake.objects.get(patient__user__email=INTAKE_SENT_EMAIL)
    assert sent.patient.stage == PathwayStage.SCREENING
    assert sent.is_submitted and all(state.done for state in progress(sent))
    # Idempotent: a second run adds none.
    call_command("seed_demo", patients=30, quiet=True, stdout=StringIO())
    assert Intake.objects.count() == 3
