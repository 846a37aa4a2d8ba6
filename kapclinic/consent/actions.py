"""Every write to consent: documents (draft, edit, publish) and signed consents
(patient signs, prescriber countersigns, withdrawal).

Atomic, keyword-only `actor`, one audit row each, holding references and field
names only (never the typed name, the text or a withdrawal reason). Countersigning
moves the pathway from "treatment plan" to "consent" through `treatment.actions`,
because only then is consent complete (and the pathway moves need a clinician).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.consent.access import DOCUMENT_WRITERS, documents_for_patient
from kapclinic.consent.models import Consent, ConsentDocument
from kapclinic.consent.status import current_documents
from kapclinic.consent.text import name_matches, render_document
from kapclinic.patients.access import AccessBasis, clinical_write_basis
from kapclinic.patients.models import PathwayStage, Patient
from kapclinic.treatment import actions as pathway
from kapclinic.treatment.models import Route

REASON_MAX_LENGTH = 2000
BODY_MAX_LENGTH = 50_000
USER_AGENT_MAX_LENGTH = 300


class ConsentError(ValueError):
    """A consent write that cannot be made, with the message for the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _require_writer(actor: User) -> None:
    if not (actor.is_active and actor.role in DOCUMENT_WRITERS):
        raise PermissionDenied("Only a clinic admin or a prescriber writes consent forms.")


def _audit_document(actor: User, document: ConsentDocument, action: str, **detail: Any) -> None:
    record(
        actor=actor,
        action=action,
        obj=document,
        detail={"route": document.route, "version": document.version, **detail},
    )


@transaction.atomic
def start_version(route: str, *, actor: User) -> ConsentDocument:
    """A new draft version for `route`, starting from the latest text (or the open
    draft, if there is one: one draft per route at a time)."""
    _require_writer(actor)
    if route not in Route.values:
        raise ConsentError("Choose a route.", field="route")
    # Lock the route's versions so two writers never take the same number.
    versions = list(
        ConsentDocument.objects.select_for_update().filter(route=route).order_by("-version")
    )
    for document in versions:
        if document.status == ConsentDocument.Status.DRAFT:
            return document
    latest = versions[0] if versions else None
    document = ConsentDocument.objects.create(
        route=route,
        version=latest.version + 1 if latest else 1,
        title=latest.title if latest else f"Consent to treatment ({Route(route).label})",
        body=latest.body if latest else "",
        created_by=actor,
    )
    _audit_document(actor, document, AuditAction.CREATE)
    return document


@transaction.atomic
def save_draft(document: ConsentDocument, *, actor: User, title: str, body: str) -> None:
    _require_writer(actor)
    locked = ConsentDocument.objects.select_for_update().get(pk=document.pk)
    if locked.is_published:
        raise ConsentError("This version is published and read-only; write a new version.")
    title, body = title.strip(), body.strip()
    if not title:
        raise ConsentError("Give the form a title.", field="title")
    if not body:
        raise ConsentError("Write the text of the form.", field="body")
    if len(body) > BODY_MAX_LENGTH:
        raise ConsentError(f"Keep the text under {BODY_MAX_LENGTH} characters.", field="body")
    changed = [
        name for name, value in (("title", title), ("body", body)) if getattr(locked, name) != value
    ]
    if changed:
        locked.title, locked.body = title, body
        locked.save(update_fields=changed)
        _audit_document(actor, locked, AuditAction.UPDATE, fields=changed)
    document.title, document.body = locked.title, locked.body


@transaction.atomic
def publish(document: ConsentDocument, *, actor: User) -> ConsentDocument:
    """Publish a draft: from now on patients sign this version, and consents signed
    on an older version of the route's form are out of date."""
    _require_writer(actor)
    locked = ConsentDocument.objects.select_for_update().get(pk=document.pk)
    if locked.is_published:
        raise ConsentError("This version is already published.")
    if not locked.body.strip():
        raise ConsentError("Write the text of the form before publishing it.")
    newer = ConsentDocument.objects.filter(
        route=locked.route, version__gt=locked.version, status=ConsentDocument.Status.PUBLISHED
    )
    if newer.exists():
        raise ConsentError("A newer version of this form is already published.")
    locked.status = ConsentDocument.Status.PUBLISHED
    locked.published_by = actor
    locked.published_at = timezone.now()
    # Saved through the queryset: the model refuses to save a published document.
    ConsentDocument.objects.filter(pk=locked.pk, status=ConsentDocument.Status.DRAFT).update(
        status=locked.status, published_by=actor, published_at=locked.published_at
    )
    _audit_document(actor, locked, AuditAction.UPDATE, step="publish")
    return locked


@transaction.atomic
def sign(
    document: ConsentDocument,
    *,
    actor: User,
    patient: Patient,
    typed_name: str,
    acknowledged: Collection[str],
    shown_sha256: str,
    ip_address: str | None = None,
    user_agent: str = "",
) -> Consent:
    """The patient signs the form they were shown: its text must still be the text
    they read (`shown_sha256`), the typed name their full name on the record, and
    every acknowledgement ticked."""
    if actor.role != Role.PATIENT or patient.user_id != actor.pk:
        raise PermissionDenied("Only the patient signs their own consent.")
    if document.pk not in {d.pk for d in documents_for_patient(patient)}:
        raise ConsentError("This consent form is no longer the one to sign; please reopen it.")
    rendered = render_document(document, patient)
    if shown_sha256 != rendered.sha256:
        raise ConsentError(
            "The consent form changed after you opened it. Please read it again before signing."
        )
    typed_name = " ".join(typed_name.split())
    if not name_matches(typed_name, patient):
        raise ConsentError(
            "Type your full name as the clinic has it on your record "
            f"({patient.given_name} {patient.family_name}).",
            field="typed_name",
        )
    missing = [code for code, _ in rendered.acknowledgements if code not in acknowledged]
    if missing:
        raise ConsentError("Tick every statement to sign the form.", field="acknowledgements")
    if Consent.objects.filter(
        patient=patient, document=document, withdrawn_at__isnull=True
    ).exists():
        raise ConsentError("You have already signed this version of the form.")
    consent = Consent.objects.create(
        patient=patient,
        document=document,
        route=document.route,
        signed_text=str(rendered.html),
        text_sha256=rendered.sha256,
        off_label_notice=rendered.off_label,
        rems_notice=rendered.rems,
        acknowledgements=[code for code, _ in rendered.acknowledgements],
        typed_name=typed_name,
        signed_by=actor,
        ip_address=ip_address,
        user_agent=user_agent[:USER_AGENT_MAX_LENGTH],
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=consent,
        detail={
            "step": "sign",
            "document": document.pk,
            "route": document.route,
            "version": document.version,
            "sha256": rendered.sha256,
        },
    )
    return consent


def _care_team_basis(actor: User, patient: Patient, message: str) -> AccessBasis:
    basis = clinical_write_basis(actor, patient)
    if basis is None:
        raise PermissionDenied(message)
    return basis


@transaction.atomic
def countersign(consent: Consent, *, actor: User) -> Consent:
    """A prescriber on the care team countersigns the patient's signed consent; when
    the patient is at "treatment plan" the pathway moves on to "consent"."""
    patient = consent.patient
    basis = _care_team_basis(actor, patient, "Only the care team's prescriber countersigns.")
    if actor.role != Role.PRESCRIBER:
        raise PermissionDenied("Only a prescriber countersigns a consent.")
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.is_withdrawn:
        raise ConsentError("This consent was withdrawn; it cannot be countersigned.")
    if locked.is_countersigned:
        raise ConsentError("This consent is already countersigned.")
    current = current_documents().get(locked.route)
    if current is None or current.pk != locked.document_id:
        raise ConsentError(
            "A newer version of this form is published: the patient signs that one first."
        )
    locked.countersigned_by = actor
    locked.countersigned_at = timezone.now()
    locked.save(update_fields=["countersigned_by", "countersigned_at"])
    detail: dict[str, Any] = {"step": "countersign", "route": locked.route}
    if basis.grant_id is not None:
        detail["grant_id"] = basis.grant_id
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=patient,
        obj=locked,
        flagged=basis.via_break_glass,
        detail=detail,
    )
    patient.refresh_from_db(fields=["stage"])
    if patient.stage == PathwayStage.TREATMENT_PLAN:
        pathway.sign_consent(patient, actor=actor)
    consent.countersigned_by = locked.countersigned_by
    consent.countersigned_at = locked.countersigned_at
    return locked


@transaction.atomic
def withdraw(consent: Consent, *, actor: User, reason: str) -> Consent:
    """The patient, or a clinician on the care team, withdraws a consent, with the
    reason. It no longer counts for any dose; signing again gives a new consent."""
    patient = consent.patient
    basis: AccessBasis
    if actor.role == Role.PATIENT:
        if patient.user_id != actor.pk:
            raise PermissionDenied("Only the patient withdraws their own consent.")
        basis = AccessBasis()
    else:
        basis = _care_team_basis(actor, patient, "Only the care team records a withdrawal.")
    reason = reason.strip()
    if not reason:
        raise ConsentError("Say why consent is withdrawn.", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ConsentError(
            f"Please keep the reason under {REASON_MAX_LENGTH} characters.", field="reason"
        )
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.is_withdrawn:
        raise ConsentError("This consent is already withdrawn.")
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = actor
    locked.withdrawal_reason = reason
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    detail: dict[str, Any] = {"step": "withdraw", "route": locked.route}
    if basis.grant_id is not None:
        detail["grant_id"] = basis.grant_id
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=patient,
        obj=locked,
        flagged=basis.via_break_glass,
        detail=detail,
    )
    consent.withdrawn_at = locked.withdrawn_at
    return locked
