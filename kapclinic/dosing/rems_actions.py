"""Writing REMS monitoring forms: completing one (facts frozen) and marking it submitted.

Both are atomic, take a keyword-only `actor` (a nurse or prescriber with clinical
access to the patient) and write their audit event in the same transaction. A
submitted form is never changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.dosing.models import DosingSession
from kapclinic.dosing.rems import rems_facts, treatment_date
from kapclinic.dosing.rems_access import REMS_ROLES
from kapclinic.dosing.rems_models import RemsForm
from kapclinic.patients.access import clinical_write_basis

ENTERED_FIELDS = (
    "first_treatment",
    "rems_enrolled_on",
    "ready_to_leave_at",
    "vitals_ok_before_dosing",
    "vitals_ok_at_completion",
    "sedation",
    "sedation_resolved",
    "dissociation",
    "dissociation_resolved",
    "respiratory_depression",
    "respiratory_depression_resolved",
    "adverse_events",
)


class RemsRefused(ValueError):
    """A change the form cannot take; the message is for the person who tried."""


def _check_actor(actor: User, session: DosingSession) -> bool:
    basis = clinical_write_basis(actor, session.patient)
    if actor.role not in REMS_ROLES or basis is None:
        raise PermissionDenied("Only the patient's nurse or prescriber fills in this form.")
    return basis.via_break_glass


@transaction.atomic
def complete_rems_form(*, actor: User, session: DosingSession, values: dict[str, Any]) -> RemsForm:
    """Save the entered answers, freeze the session's facts and mark the form completed.
    A completed form may be completed again (corrected) until it is submitted."""
    flagged = _check_actor(actor, session)
    form, _ = RemsForm.objects.select_for_update().get_or_create(session=session)
    if form.status == RemsForm.Status.SUBMITTED:
        raise RemsRefused("This form was submitted and can no longer be changed.")
    changed = [name for name in ENTERED_FIELDS if getattr(form, name) != values.get(name)]
    for name in ENTERED_FIELDS:
        setattr(form, name, values.get(name))
    form.facts = rems_facts(session)
    form.status = RemsForm.Status.COMPLETED
    form.completed_by = actor
    form.completed_at = timezone.now()
    form.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=session.patient,
        obj=form,
        flagged=flagged,
        detail={"what": "rems_form", "step": "completed", "fields": changed},
    )
    return form


@transaction.atomic
def mark_rems_submitted(*, actor: User, session: DosingSession, submitted_on: dt.date) -> RemsForm:
    """Record that the completed form was sent to the REMS, and on which day."""
    flagged = _check_actor(actor, session)
    form = RemsForm.objects.select_for_update().filter(session=session).first()
    if form is None or form.status == RemsForm.Status.DRAFT:
        raise RemsRefused("Complete the form before marking it submitted.")
    if form.status == RemsForm.Status.SUBMITTED:
        raise RemsRefused("This form was already marked submitted.")
    today = timezone.localdate()
    if submitted_on > today + dt.timedelta(days=1):
        raise RemsRefused("The submission date cannot be in the future.")
    if submitted_on < treatment_date(session):
        raise RemsRefused("The submission date cannot be before the treatment.")
    form.status = RemsForm.Status.SUBMITTED
    form.submitted_on = submitted_on
    form.submitted_by = actor
    form.save(update_fields=["status", "submitted_on", "submitted_by"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=session.patient,
        obj=form,
        flagged=flagged,
        detail={"what": "rems_form", "step": "submitted", "fields": ["status", "submitted_on"]},
    )
    return form
