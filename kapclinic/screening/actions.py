"""Every write to a screening record: start, save facts, sign the decision, amend.

Atomic, keyword-only `actor`, one audit row each (field names and rule codes only,
never the facts or the written reason). Only a prescriber on the patient's care team
writes a screening; a signed record is read-only and a correction is an amendment
that keeps the original. Signing moves the pathway through `treatment.actions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import SiteSettings
from kapclinic.lib.field_error import FieldValueError
from kapclinic.outcomes.summary import refresh_summary
from kapclinic.patients.access import AccessBasis, clinical_write_basis
from kapclinic.patients.models import AllergyStatus, PathwayStage, Patient
from kapclinic.screening import rules
from kapclinic.screening.models import ScreeningRecord
from kapclinic.treatment import actions as pathway
from kapclinic.treatment.pathway import PRE_DOSING_SCREENED

REASON_MAX_LENGTH = 2000


class ScreeningError(ValueError):
    """A screening write that cannot be made, with the message for the prescriber."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _require_prescriber(actor: User, patient: Patient) -> AccessBasis:
    basis = clinical_write_basis(actor, patient)
    if basis is None or actor.role != Role.PRESCRIBER:
        raise PermissionDenied("Only a prescriber on the care team records a screening.")
    return basis


def _audit(
    actor: User, patient: Patient, screening: ScreeningRecord, basis: AccessBasis, **detail: Any
) -> None:
    if basis.grant_id is not None:
        detail["grant_id"] = basis.grant_id
    record(
        actor=actor,
        action=AuditAction.CREATE
        if detail.get("step") in ("start", "amend")
        else AuditAction.UPDATE,
        patient=patient,
        obj=screening,
        flagged=basis.via_break_glass,
        detail=detail,
    )


def site_thresholds(patient: Patient) -> dict[str, Any]:
    """The patient's site thresholds as the rules take them (field name to value)."""
    settings = SiteSettings.objects.filter(site_id=patient.site_id).first()
    if settings is None:
        return {}
    return {name: getattr(settings, name, None) for name in rules.DEFAULT_THRESHOLDS}


def evaluate(screening: ScreeningRecord, patient: Patient) -> rules.Decision:
    """The rules' decision on the record's facts with the site's thresholds."""
    try:
        return rules.evaluate(screening.facts, thresholds=site_thresholds(patient))
    except FieldValueError as error:
        raise ScreeningError(error.problem, field=error.field) from error


def clean_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Only the known keys, checked by the rules; an impossible value is refused."""
    kept = {key: facts.get(key) for key in rules.FACT_KEYS}
    try:
        rules.evaluate(kept)
    except FieldValueError as error:
        raise ScreeningError(error.problem, field=error.field) from error
    return kept


@transaction.atomic
def start_screening(
    patient: Patient, *, actor: User, facts: Mapping[str, Any] | None = None
) -> ScreeningRecord:
    """Open a draft screening (or return the open one: there is one at a time)."""
    basis = _require_prescriber(actor, patient)
    open_draft = ScreeningRecord.objects.filter(
        patient=patient, status=ScreeningRecord.Status.DRAFT
    ).first()
    if open_draft is not None:
        return open_draft
    screening = ScreeningRecord.objects.create(
        patient=patient, facts=clean_facts(facts or {}), created_by=actor
    )
    _audit(actor, patient, screening, basis, step="start")
    return screening


@transaction.atomic
def save_facts(
    screening: ScreeningRecord, facts: Mapping[str, Any], *, actor: User
) -> ScreeningRecord:
    """Replace a draft's facts; refused once signed."""
    patient = screening.patient
    basis = _require_prescriber(actor, patient)
    locked = ScreeningRecord.objects.select_for_update().get(pk=screening.pk)
    if locked.is_signed:
        raise ScreeningError("This screening is signed and read-only; amend it instead.")
    cleaned = clean_facts(facts)
    changed = sorted(key for key in rules.FACT_KEYS if locked.facts.get(key) != cleaned[key])
    if changed:
        locked.facts = cleaned
        locked.save(update_fields=["facts"])
        _audit(actor, patient, locked, basis, step="facts", fields=changed)
    screening.facts = locked.facts
    return locked


@transaction.atomic
def sign_screening(
    screening: ScreeningRecord, *, actor: User, decision: str, reason: str = ""
) -> ScreeningRecord:
    """The prescriber signs the decision. A decision other than the rules' outcome
    needs a written reason (kept on the record; the audit row says it was an
    override). Eligible moves the patient to "eligibility decided"; not eligible
    takes them off the pathway with the reason."""
    patient = screening.patient
    basis = _require_prescriber(actor, patient)
    if decision not in ScreeningRecord.Decision.values:
        raise ScreeningError("Choose eligible or not eligible.", field="decision")
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ScreeningError(
            f"Please keep the reason under {REASON_MAX_LENGTH} characters.", field="reason"
        )
    locked = ScreeningRecord.objects.select_for_update().get(pk=screening.pk)
    if locked.is_signed:
        raise ScreeningError("This screening is already signed.")
    if (
        decision == ScreeningRecord.Decision.ELIGIBLE
        and Patient.objects.filter(pk=patient.pk, allergy_status=AllergyStatus.NOT_ASKED).exists()
    ):
        # Ketamine or esketamine hypersensitivity rules treatment out (esketamine
        # label), so treatment is approved only once allergies have been asked about.
        raise ScreeningError(
            "Record the patient's allergies, or that they have no known drug allergies, "
            "before approving treatment.",
            field="decision",
        )
    outcome = evaluate(locked, patient)
    override = decision != outcome.outcome
    if override and not reason:
        raise ScreeningError(
            "The decision differs from the rules' outcome: write the reason for it.",
            field="reason",
        )
    if decision == ScreeningRecord.Decision.INELIGIBLE and not reason:
        reason = "; ".join(r.message for r in outcome.reasons if r.level == "absolute")
    locked.rules_outcome = outcome.outcome
    locked.rules_reasons = [
        {"rule": r.rule, "level": r.level, "message": r.message} for r in outcome.reasons
    ]
    locked.decision = decision
    locked.decision_reason = reason
    locked.signed_by = actor
    locked.signed_at = timezone.now()
    locked.status = ScreeningRecord.Status.SIGNED
    locked.save()
    _audit(
        actor,
        patient,
        locked,
        basis,
        step="sign",
        decision=decision,
        rules_outcome=outcome.outcome,
        override=override,
        rules=list(outcome.rules()),
    )
    # The latest signed screening gives the indication analytics groups by.
    refresh_summary([patient.pk])
    _move_pathway(patient, actor=actor, decision=decision, reason=reason)
    return locked


def _move_pathway(patient: Patient, *, actor: User, decision: str, reason: str) -> None:
    # The pathway actions check the stage in the database; read it fresh here too.
    patient.refresh_from_db(fields=["stage"])
    if patient.stage == PathwayStage.CONSULTATION:
        pathway.start_screening(patient, actor=actor)
    if decision == ScreeningRecord.Decision.ELIGIBLE:
        if patient.stage == PathwayStage.SCREENING:
            pathway.decide_eligible(patient, actor=actor)
    elif patient.stage in PRE_DOSING_SCREENED:
        pathway.decide_ineligible(patient, actor=actor, reason=reason)


@transaction.atomic
def amend_screening(screening: ScreeningRecord, *, actor: User) -> ScreeningRecord:
    """A correction of a signed screening: a new draft with its facts, which keeps the
    original as signed. One amendment per record."""
    patient = screening.patient
    basis = _require_prescriber(actor, patient)
    locked = ScreeningRecord.objects.select_for_update().get(pk=screening.pk)
    if not locked.is_signed:
        raise ScreeningError("Only a signed screening is amended; edit the draft instead.")
    if ScreeningRecord.objects.filter(amends=locked).exists():
        raise ScreeningError("This screening has already been amended.")
    if ScreeningRecord.objects.filter(patient=patient, status="draft").exists():
        raise ScreeningError("A draft screening is already open for this patient.")
    amendment = ScreeningRecord.objects.create(
        patient=patient, facts=dict(locked.facts), amends=locked, created_by=actor
    )
    _audit(actor, patient, amendment, basis, step="amend", amends=locked.pk)
    return amendment
