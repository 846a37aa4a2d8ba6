"""Every page that shows a patient's data writes its read audit row here.

A form page that comes back after a failed POST shows the same record as its GET,
so it is the same read and writes the same row. `render_patient_page` is the one
way the patients views render such a page, so no view can show the record and
forget the row. A read that rests on a break-glass grant is flagged, with the
grant's id in the detail.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.patients.access import break_glass_detail
from kapclinic.patients.models import Patient


def record_read(user: User, patient: Patient, **detail: Any) -> None:
    """One VIEW row for `user` seeing `patient`; `detail` holds references only."""
    record(
        actor=user,
        action=AuditAction.VIEW,
        patient=patient,
        obj=patient,
        flagged=getattr(patient, "via_break_glass", False),
        detail={**detail, **break_glass_detail(patient)},
    )


def render_patient_page(
    request: HttpRequest,
    patient: Patient,
    template: str,
    context: dict[str, Any],
    *,
    page: str,
) -> HttpResponse:
    """Render a page showing `patient`'s data (a GET, or a form sent back with
    errors) and audit the read."""
    user = current_user(request)
    record_read(user, patient, page=page)
    if patient.user_id is not None and patient.user_id == user.pk:
        # The server keeps UTC; a patient reads "last saved", "signed" and "received"
        # times on their clinic's clock, as the visit times already are.
        with timezone.override(ZoneInfo(patient.site.time_zone)):
            return render(request, template, context)
    return render(request, template, context)
