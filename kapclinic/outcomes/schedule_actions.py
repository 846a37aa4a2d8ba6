"""Every change to questionnaire schedules: a site's defaults (clinic admin) and one
patient's own additions, removals and pause (the care team's clinicians).

Atomic, keyword-only `actor`, one audit row each. A site rule is switched on or
off, never deleted (see `schedule_plan.ensure_site_defaults`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes.access import is_patient_rated
from kapclinic.outcomes.models import SchedulePause, ScheduleRule
from kapclinic.outcomes.schedule_plan import ensure_site_defaults
from kapclinic.patients.access import access_basis
from kapclinic.patients.models import Patient

MAX_WEEKS_AFTER = 52


def may_edit_patient_schedule(actor: User, patient: Patient) -> bool:
    """Care-team clinicians in their own right (a break-glass hour is for emergency
    care, not for changing what the patient is asked for months ahead)."""
    basis = access_basis(actor, patient, clinical=True)
    return actor.is_clinician and basis is not None and not basis.via_break_glass


def _check_rule(trigger: str, instrument: str, weeks_after: int) -> None:
    if trigger not in ScheduleRule.Trigger.values:
        raise FieldValueError("trigger", "is not a schedule occasion")
    if not is_patient_rated(instrument):
        raise FieldValueError("instrument", "is not a questionnaire patients answer themselves")
    if not 1 <= weeks_after <= MAX_WEEKS_AFTER:
        raise FieldValueError("weeks_after_course", f"must be from 1 to {MAX_WEEKS_AFTER}")


@transaction.atomic
def set_site_rule(
    *,
    actor: User,
    site: Site,
    trigger: str,
    instrument: str,
    is_active: bool,
    weeks_after_course: int = 8,
) -> ScheduleRule:
    """Add, switch on or off, or change a site's default rule (clinic admins)."""
    if actor.role != Role.CLINIC_ADMIN:
        raise PermissionDenied("Only a clinic admin changes a site's schedule.")
    _check_rule(trigger, instrument, weeks_after_course)
    ensure_site_defaults(site)
    return _save(
        actor,
        ScheduleRule.objects.filter(site=site, trigger=trigger, instrument=instrument).first()
        or ScheduleRule(site=site, trigger=trigger, instrument=instrument),
        is_active,
        weeks_after_course,
        patient=None,
    )


@transaction.atomic
def set_patient_rule(
    *,
    actor: User,
    patient: Patient,
    trigger: str,
    instrument: str,
    is_active: bool,
    weeks_after_course: int = 8,
) -> ScheduleRule:
    """Add a rule for one patient, or (switched off) remove the site's rule for them."""
    if not may_edit_patient_schedule(actor, patient):
        raise PermissionDenied("Only the patient's clinicians change their schedule.")
    _check_rule(trigger, instrument, weeks_after_course)
    return _save(
        actor,
        ScheduleRule.objects.filter(patient=patient, trigger=trigger, instrument=instrument).first()
        or ScheduleRule(patient=patient, trigger=trigger, instrument=instrument),
        is_active,
        weeks_after_course,
        patient=patient,
    )


def _save(
    actor: User, rule: ScheduleRule, is_active: bool, weeks: int, *, patient: Patient | None
) -> ScheduleRule:
    adding = rule.pk is None
    changed = [
        name
        for name, value in (("is_active", is_active), ("weeks_after_course", weeks))
        if adding or getattr(rule, name) != value
    ]
    if not changed:
        return rule
    rule.is_active, rule.weeks_after_course = is_active, weeks
    rule.changed_by, rule.changed_at = actor, timezone.now()
    if adding:
        rule.save()
    else:
        rule.save(update_fields=[*changed, "changed_by", "changed_at"])
    record(
        actor=actor,
        action=AuditAction.CREATE if adding else AuditAction.UPDATE,
        patient=patient,
        obj=rule,
        detail={
            "fields": changed,
            "trigger": rule.trigger,
            "instrument": rule.instrument,
            **({"site": rule.site_id} if rule.site_id else {}),
        },
    )
    return rule


@transaction.atomic
def remove_patient_rule(*, actor: User, rule: ScheduleRule) -> None:
    """Drop a patient's own rule, so the site's default applies to them again."""
    if rule.patient is None or not may_edit_patient_schedule(actor, rule.patient):
        raise PermissionDenied("Only the patient's clinicians change their schedule.")
    record(
        actor=actor,
        action=AuditAction.DELETE,
        patient=rule.patient,
        obj=rule,
        detail={"trigger": rule.trigger, "instrument": rule.instrument},
    )
    rule.delete()


@transaction.atomic
def pause(*, actor: User, patient: Patient, reason: str) -> SchedulePause:
    """Stop new scheduled questionnaires for a patient until resumed."""
    if not may_edit_patient_schedule(actor, patient):
        raise PermissionDenied("Only the patient's clinicians pause their questionnaires.")
    reason = reason.strip()
    if len(reason) < 5:
        raise FieldValueError("reason", "say why (at least 5 characters)")
    if SchedulePause.objects.filter(patient=patient).exists():
        raise FieldValueError("reason", "questionnaires are already paused")
    paused = SchedulePause.objects.create(patient=patient, reason=reason[:200], paused_by=actor)
    record(actor=actor, action=AuditAction.CREATE, patient=patient, obj=paused)
    return paused


@transaction.atomic
def resume(*, actor: User, patient: Patient) -> bool:
    """Resume scheduled questionnaires; False if they were not paused."""
    if not may_edit_patient_schedule(actor, patient):
        raise PermissionDenied("Only the patient's clinicians resume their questionnaires.")
    paused = SchedulePause.objects.filter(patient=patient).first()
    if paused is None:
        return False
    record(actor=actor, action=AuditAction.DELETE, patient=patient, obj=paused)
    paused.delete()
    return True
