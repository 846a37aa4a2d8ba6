import datetime as dt

import pytest
from django.utils import timezone

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, BreakGlassGrant


@pytest.fixture
def admin_in(cast, as_user):
    """The test client signed in as the clinic admin."""
    return as_user(cast.admin)


@pytest.fixture
def grant(cast):
    """The therapist (outside the care team) broke glass on the patient's record."""
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=cast.therapist,
        patient=cast.patient,
        reason="Covering for the on-call therapist during a crisis call",
        granted_at=now - dt.timedelta(minutes=5),
        expires_at=now + dt.timedelta(minutes=55),
    )
    record(
        actor=cast.therapist,
        action=AuditAction.BREAK_GLASS,
        patient=cast.patient,
        obj=grant,
        flagged=True,
        detail={"grant_id": grant.pk},
    )
    record(actor=cast.therapist, action=AuditAction.VIEW, patient=cast.patient, flagged=True)
    return grant
