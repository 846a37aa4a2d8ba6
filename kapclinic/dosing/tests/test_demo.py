"""The demo floor: chairs at several stages, readings, exactly one open alert, no audit
rows, idempotent, and the board shows it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts.models import User
from kapclinic.audit.models import AuditEvent
from kapclinic.dosing import actions
from kapclinic.dosing.models import DosingSession, SessionAlert, SessionState, VitalReading
from kapclinic.test import login
from kapclinic.treatment.models import TreatmentPlan

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, patients=30, quiet=True)
    return out.getvalue()


def test_demo_day_in_progress(client: Client) -> None:
    output = _seed()
    assert "dosing sessions: " in output
    # The day on the floor; the REMS demo adds a finished session of its own.
    sessions = list(
        DosingSession.objects.select_related("site", "plan").exclude(
            state__in=[SessionState.DISCHARGED, SessionState.ABORTED]
        )
    )
    states = {s.state for s in sessions}
    # The 30-patient demo has two patients in the dosing phase at the main site.
    assert len(sessions) >= 2
    assert {SessionState.OBSERVATION, SessionState.READY_FOR_DISCHARGE} <= states
    baselines = VitalReading.objects.filter(is_baseline=True, session__in=sessions)
    assert baselines.count() == len(sessions)
    open_alerts = SessionAlert.objects.filter(acknowledged_at__isnull=True)
    assert open_alerts.count() == 1 and open_alerts.get().level == "urgent"
    for session in sessions:
        if session.state == SessionState.READY_FOR_DISCHARGE:
            assert actions.unmet_for(session, timezone.now()) == []
    assert not AuditEvent.objects.exists()
    # Every signed demo plan was written before it was signed (the REMS demo's plan
    # showed as written today, days after its signature).
    for plan in TreatmentPlan.objects.filter(signed_at__isnull=False):
        assert plan.signed_at is not None and plan.created_at < plan.signed_at, plan.pk
    assert "dosing sessions: 0 created" in _seed()
    nurse = User.objects.get(email="nurse@demo.kapclinic.test")
    TOTPDevice.objects.get_or_create(user=nurse, name="Authenticator app", confirmed=True)
    login(client, nurse)
    body = client.get(reverse("dosing:board")).content.decode()
    assert 'role="alert"' in body and body.count("chair-card") == len(
        [s for s in sessions if s.site_id == sessions[0].site_id]
    )
