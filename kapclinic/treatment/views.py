"""Staff pages for the pathway."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kapclinic.accounts.access import current_user
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.patients.access import visible_patients
from kapclinic.screening.flag_alerts import open_alerts_for
from kapclinic.treatment.access import require_board_user
from kapclinic.treatment.board import build_board


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The pathway board: the clinician's patients by stage, with what each waits for."""
    user = current_user(request)
    require_board_user(user)
    columns = build_board(user)
    record(
        actor=user,
        action=AuditAction.LIST,
        object_type="patients.patient",
        detail={"view": "pathway_board"},
    )
    total = sum(len(column.patients) for column in columns)
    # New safety flags first: a patient whose treatment is under way needs a look.
    flag_alerts = open_alerts_for(visible_patients(user, clinical=True))
    context = {"columns": columns, "total": total, "flag_alerts": flag_alerts}
    return render(request, "treatment/board.html", context)
