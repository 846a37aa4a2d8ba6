"""Every MRN lookup on the break-glass form is audited, and a run of misses is stopped."""

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent, BreakGlassGrant
from kapclinic.patients.break_glass_lookup import MISS_LIMIT
from kapclinic.patients.tests.helpers import last_event_id, new_events

URL = reverse("patients:break_glass")
REASON = "Patient collapsed in the waiting room; need allergy list now."


def look_up(client, mrn, reason=REASON):
    return client.post(URL, {"mrn": mrn, "reason": reason})


def _row_text(row: AuditEvent) -> str:
    return " ".join(str(v) for v in (row.object_type, row.object_id, row.path, row.detail))


def test_a_found_mrn_is_audited_by_reference(cast, as_user):
    start = last_event_id()
    look_up(as_user(cast.therapist), "MRN-0001", reason="too short")
    (row,) = new_events(start)
    assert (row.action, row.outcome, row.patient_id) == ("list", "success", cast.patient.pk)
    assert row.detail == {"page": "break_glass", "found": True}
    assert "MRN-0001" not in _row_text(row)


def test_a_miss_is_audited_without_the_typed_number(cast, as_user):
    start = last_event_id()
    response = look_up(as_user(cast.therapist), "MRN-7777")
    assert response.status_code == 200
    (row,) = new_events(start)
    assert (row.action, row.outcome, row.patient_id, row.flagged) == (
        "list",
        "failure",
        None,
        False,
    )
    assert row.detail == {"page": "break_glass", "found": False, "recent_misses": 1}
    assert "7777" not in _row_text(row)


def test_misses_are_counted_and_the_limit_is_flagged(cast, as_user):
    client = as_user(cast.therapist)
    for n in range(MISS_LIMIT):
        look_up(client, f"MRN-90{n:02d}")
    misses = AuditEvent.objects.filter(detail__page="break_glass").order_by("pk")
    assert [r.detail["recent_misses"] for r in misses] == list(range(1, MISS_LIMIT + 1))
    assert [r.flagged for r in misses] == [False] * (MISS_LIMIT - 1) + [True]


def test_after_too_many_misses_lookups_are_refused_even_for_a_real_mrn(cast, as_user):
    client = as_user(cast.therapist)
    for n in range(MISS_LIMIT):
        look_up(client, f"MRN-90{n:02d}")
    start = last_event_id()
    found = look_up(client, "MRN-0001")
    missing = look_up(client, "MRN-9999")
    assert found.status_code == missing.status_code == 429
    assert "Too many medical record numbers were not found" in found.content.decode()
    # The refusal does not depend on whether the number exists.
    assert found.context["form"].errors == missing.context["form"].errors
    assert not BreakGlassGrant.objects.exists()
    rows = new_events(start)
    assert [(r.outcome, r.flagged, r.patient_id) for r in rows] == [("denied", True, None)] * 2


def test_lookups_open_again_after_the_window(cast, as_user):
    client = as_user(cast.therapist)
    for n in range(MISS_LIMIT):
        look_up(client, f"MRN-90{n:02d}")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        client = as_user(cast.therapist)
        assert look_up(client, "MRN-0001").status_code == 302
    assert BreakGlassGrant.objects.filter(user=cast.therapist).exists()


def test_one_users_misses_do_not_stop_a_colleague(cast, as_user):
    client = as_user(cast.therapist)
    for n in range(MISS_LIMIT):
        look_up(client, f"MRN-90{n:02d}")
    assert look_up(as_user(cast.prescriber), "MRN-0002").status_code == 302
