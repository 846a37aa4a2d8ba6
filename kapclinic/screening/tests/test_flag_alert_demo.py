"""The demo clinic has one dosing-phase patient with an open safety-flag alert."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kapclinic.screening.models import SafetyFlagAlert
from kapclinic.screening.record_facts import safety_flags


@pytest.mark.django_db
def test_seed_demo_adds_one_open_alert_on_the_prescribers_dosing_patient() -> None:
    out = StringIO()
    call_command("seed_demo", patients=30, quiet=True, stdout=out)
    assert "safety-flag alerts: 1 created" in out.getvalue()
    alert = SafetyFlagAlert.objects.select_related("patient", "medication").get()
    assert alert.is_open and alert.patient.stage == "dosing"
    assert alert.patient.care_team.filter(user__email="prescriber@demo.kapclinic.test").exists()
    # The alert is the chart's own flag for the medicine it names.
    assert alert.medication is not None and alert.medication.patient_id == alert.patient_id
    assert alert.code in {flag.rule for flag in safety_flags(alert.patient)}
    call_command("seed_demo", patients=30, quiet=True, stdout=StringIO())
    assert SafetyFlagAlert.objects.count() == 1
