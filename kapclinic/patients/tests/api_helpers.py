"""Helpers for the patient API tests: URLs and the "one audit row" check."""

from __future__ import annotations

from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.patients.models import Patient
from kapclinic.patients.tests.helpers import last_event_id, new_events

LIST_URL = reverse("api:patient_list")
ME_URL = reverse("api:me")


def detail_url(patient: Patient | int) -> str:
    pk = patient if isinstance(patient, int) else patient.pk
    return reverse("api:patient_detail", kwargs={"patient_id": pk})


def get_audited(client, url: str, params: dict[str, object] | None = None):
    """GET `url` and return (response, the audit rows it wrote)."""
    before = last_event_id()
    response = client.get(url, params or {})
    events: list[AuditEvent] = new_events(before)
    return response, events
