"""Every write to the patient record.

Each action is atomic, takes the acting user as keyword-only `actor`, checks that
the actor may make the change (views check first; this is the last line), saves only
the fields that changed and writes exactly one audit row in the same transaction.
Audit rows carry field names, never the values. A write that the actor may make
only through a break-glass grant is flagged, with the grant's id in the detail, so
the audit log's flagged filter finds it; care-team changes are refused under
break-glass (see `access.py`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction

from kapclinic.accounts.models import CLINICAL_ROLES, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site
from kapclinic.patients.access import (
    ROSTER_ROLES,
    AccessBasis,
    can_manage_care_team,
    clinical_write_basis,
    demographics_write_basis,
)
from kapclinic.patients.models import (
    Allergy,
    AllergyStatus,
    BodyMeasurement,
    CareTeamMember,
    Condition,
    Contact,
    Medication,
    Patient,
)
from kapclinic.screening import flag_alerts

DEMOGRAPHIC_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "pronouns",
    "birth_date",
    "sex_at_birth",
    "gender_identity",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
)
# What a patient may change about themselves in the portal.
OWN_CONTACT_FIELDS = (
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
)
CONTACT_FIELDS = ("name", "relationship", "phone", "email", "is_emergency", "can_escort")
EMERGENCY_CONTACT_FIELDS = ("name", "relationship", "phone", "email")
CONDITION_FIELDS = ("category", "name", "code", "status", "onset", "notes")
MEDICATION_FIELDS = ("name", "drug_class", "dose", "frequency", "started_on", "notes")
ALLERGY_FIELDS = ("substance", "reaction", "severity")

MRN_PREFIX = "KAP-"
_MRN_ATTEMPTS = 5


def _only(data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"Fields not writable here: {sorted(unknown)}")
    return dict(data)


def _given(data: Mapping[str, Any]) -> list[str]:
    """Names of the fields given a value (for a CREATE row's field list)."""
    return sorted(k for k, v in data.items() if v not in (None, ""))


def _apply(instance: models.Model, data: Mapping[str, Any]) -> list[str]:
    """Set the fields whose value differs; return their names."""
    changed = []
    for name, value in data.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return sorted(changed)


# Why a care-team change under break-glass is refused, in the clinician's words.
CARE_TEAM_UNDER_BREAK_GLASS = (
    "Break-glass access lets you read this record and document emergency care, but "
    "not change the care team. Ask a member of the care team or the front desk."
)
# The basis of a write that needs no access check of its own (a new record, a
# patient's own details).
OWN_RIGHT = AccessBasis()


def _audit(
    *,
    actor: User,
    action: AuditAction,
    patient: Patient,
    obj: models.Model,
    fields: list[str],
    basis: AccessBasis,
) -> None:
    """One audit row for a write; `basis` is required so no write can forget to say
    whether it was made under a break-glass grant."""
    detail: dict[str, Any] = {"fields": fields}
    if basis.grant_id is not None:
        detail["grant_id"] = basis.grant_id
    record(
        actor=actor,
        action=action,
        patient=patient,
        obj=obj,
        flagged=basis.via_break_glass,
        detail=detail,
    )


def _require_demographics(actor: User, patient: Patient, refusal: str) -> AccessBasis:
    basis = demographics_write_basis(actor, patient)
    if basis is None:
        raise PermissionDenied(refusal)
    return basis


def _new_mrn() -> str:
    return f"{MRN_PREFIX}{secrets.randbelow(10**8):08d}"


@transaction.atomic
def register_patient(*, actor: User, site: Site, data: Mapping[str, Any]) -> Patient:
    """Register a new patient at one of the actor's sites, with a generated MRN.

    A clinician who registers a patient joins the care team, so they can go on to
    see the record they just created.
    """
    data = _only(data, DEMOGRAPHIC_FIELDS)
    if actor.role not in ROSTER_ROLES or not actor.sites.filter(pk=site.pk).exists():
        raise PermissionDenied("You cannot register patients at this site.")
    patient = Patient(site=site, **data)
    for attempt in range(_MRN_ATTEMPTS):
        patient.mrn = _new_mrn()
        if Patient.objects.filter(mrn=patient.mrn).exists():
            continue
        try:
            with transaction.atomic():
                patient.save(force_insert=True)
            break
        except IntegrityError:
            # Another registration took the same number in between; try again.
            if attempt == _MRN_ATTEMPTS - 1:
                raise
    else:
        raise RuntimeError("Could not generate a free medical record number.")
    fields = [*_given(data), "mrn", "site"]
    if actor.role in CLINICAL_ROLES:
        CareTeamMember.objects.create(patient=patient, user=actor, role=actor.role)
        fields.append("care_team")
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=patient,
        fields=sorted(fields),
        basis=OWN_RIGHT,
    )
    return patient


@transaction.atomic
def update_demographics(*, actor: User, patient: Patient, data: Mapping[str, Any]) -> list[str]:
    """Change demographic fields; returns the names of those that changed.

    Nothing changed means nothing is saved and nothing is audited.
    """
    data = _only(data, DEMOGRAPHIC_FIELDS)
    basis = _require_demographics(actor, patient, "You cannot change this patient's details.")
    return _save_changes(actor=actor, patient=patient, data=data, basis=basis)


@transaction.atomic
def update_own_contact_details(
    *, actor: User, patient: Patient, data: Mapping[str, Any]
) -> list[str]:
    """A patient changes their own phone, e-mail or address in the portal."""
    data = _only(data, OWN_CONTACT_FIELDS)
    if patient.user_id is None or patient.user_id != actor.pk:
        raise PermissionDenied("Patients may change only their own details.")
    return _save_changes(actor=actor, patient=patient, data=data, basis=OWN_RIGHT)


def _save_changes(
    *, actor: User, patient: Patient, data: Mapping[str, Any], basis: AccessBasis
) -> list[str]:
    return _update(actor=actor, patient=patient, obj=patient, data=data, basis=basis)


def _update(
    *,
    actor: User,
    patient: Patient,
    obj: models.Model,
    data: Mapping[str, Any],
    basis: AccessBasis,
) -> list[str]:
    """Save the fields of `obj` that `data` changes, with one audit row; none if
    nothing changed."""
    changed = _apply(obj, data)
    if not changed:
        return []
    # The patient row keeps its own last-changed time.
    touched = [*changed, "updated_at"] if obj is patient else changed
    obj.save(update_fields=touched)
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=patient,
        obj=obj,
        fields=changed,
        basis=basis,
    )
    return changed


@transaction.atomic
def add_contact(*, actor: User, patient: Patient, data: Mapping[str, Any]) -> Contact:
    data = _only(data, CONTACT_FIELDS)
    basis = _require_demographics(actor, patient, "You cannot change this patient's contacts.")
    contact = Contact.objects.create(patient=patient, **data)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=contact,
        fields=_given(data),
        basis=basis,
    )
    return contact


@transaction.atomic
def update_contact(*, actor: User, contact: Contact, data: Mapping[str, Any]) -> list[str]:
    data = _only(data, CONTACT_FIELDS)
    patient = contact.patient
    basis = _require_demographics(actor, patient, "You cannot change this patient's contacts.")
    return _update(actor=actor, patient=patient, obj=contact, data=data, basis=basis)


def _same_person(contact: Contact, name: str) -> bool:
    return " ".join(contact.name.split()).casefold() == " ".join(name.split()).casefold()


@transaction.atomic
def save_own_emergency_contact(
    *, actor: User, patient: Patient, data: Mapping[str, Any]
) -> Contact:
    """A patient sets their emergency contact.

    The same person (same name) gets their details updated. A different person is a
    new contact record, and the previous one stays on file, no longer the emergency
    contact: overwriting it would hand the newcomer the old person's flags (such as
    "can escort home after dosing", which staff confirm) and lose the old record.
    """
    data = _only(data, EMERGENCY_CONTACT_FIELDS)
    if patient.user_id is None or patient.user_id != actor.pk:
        raise PermissionDenied("Patients may change only their own emergency contact.")
    contact = patient.contacts.filter(is_emergency=True).order_by("id").first()
    if contact is not None and _same_person(contact, str(data.get("name", contact.name))):
        _update(actor=actor, patient=patient, obj=contact, data=data, basis=OWN_RIGHT)
        return contact
    if contact is not None:
        contact.is_emergency = False
        contact.save(update_fields=["is_emergency"])
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            patient=patient,
            obj=contact,
            fields=["is_emergency"],
            basis=OWN_RIGHT,
        )
    new_contact = Contact.objects.create(patient=patient, is_emergency=True, **data)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=new_contact,
        fields=sorted([*_given(data), "is_emergency"]),
        basis=OWN_RIGHT,
    )
    return new_contact


def _require_clinical(actor: User, patient: Patient) -> AccessBasis:
    basis = clinical_write_basis(actor, patient)
    if basis is None:
        raise PermissionDenied("You cannot change this patient's clinical record.")
    return basis


@transaction.atomic
def record_measurement(
    *,
    actor: User,
    patient: Patient,
    height_cm: Decimal | None = None,
    weight_kg: Decimal | None = None,
) -> BodyMeasurement:
    """Record a height and/or weight; doses in mg/kg use the latest weight."""
    basis = _require_clinical(actor, patient)
    if height_cm is None and weight_kg is None:
        raise ValueError("A measurement needs a height or a weight.")
    measurement = BodyMeasurement.objects.create(
        patient=patient, height_cm=height_cm, weight_kg=weight_kg, recorded_by=actor
    )
    fields = _given({"height_cm": height_cm, "weight_kg": weight_kg})
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=measurement,
        fields=fields,
        basis=basis,
    )
    return measurement


_Item = TypeVar("_Item", Condition, Medication, Allergy)


def _add_clinical_item(
    *,
    actor: User,
    patient: Patient,
    model: type[_Item],
    fields: Iterable[str],
    data: Mapping[str, Any],
) -> _Item:
    data = _only(data, fields)
    basis = _require_clinical(actor, patient)
    # A new item may add a safety flag; once treatment is under way the care team
    # is alerted in this same transaction (screening/flag_alerts.py).
    before = flag_alerts.flags_before_change(patient)
    item = model.objects.create(patient=patient, recorded_by=actor, **data)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=item,
        fields=_given(data),
        basis=basis,
    )
    flag_alerts.alert_new_flags(
        actor=actor, patient=patient, before=before, cause=item, grant_id=basis.grant_id
    )
    return item


@transaction.atomic
def add_condition(*, actor: User, patient: Patient, data: Mapping[str, Any]) -> Condition:
    return _add_clinical_item(
        actor=actor, patient=patient, model=Condition, fields=CONDITION_FIELDS, data=data
    )


@transaction.atomic
def add_medication(*, actor: User, patient: Patient, data: Mapping[str, Any]) -> Medication:
    return _add_clinical_item(
        actor=actor, patient=patient, model=Medication, fields=MEDICATION_FIELDS, data=data
    )


@transaction.atomic
def add_allergy(*, actor: User, patient: Patient, data: Mapping[str, Any]) -> Allergy:
    allergy = _add_clinical_item(
        actor=actor, patient=patient, model=Allergy, fields=ALLERGY_FIELDS, data=data
    )
    # An allergy on file answers the question by itself: its audit row (above) is the
    # record of the change, so the status follows without a second row.
    if patient.allergy_status != AllergyStatus.RECORDED:
        patient.allergy_status = AllergyStatus.RECORDED
        patient.save(update_fields=["allergy_status"])
    return allergy


@transaction.atomic
def record_no_known_allergies(*, actor: User, patient: Patient) -> None:
    """The patient was asked and knows of no drug allergies (not the same as not asked)."""
    basis = _require_clinical(actor, patient)
    if patient.allergies.exists():
        raise ValueError(
            "This patient has allergies recorded, so 'no known drug allergies' cannot be set."
        )
    _set_allergy_status(actor=actor, patient=patient, status=AllergyStatus.NONE_KNOWN, basis=basis)


def _set_allergy_status(
    *, actor: User, patient: Patient, status: AllergyStatus, basis: AccessBasis
) -> None:
    if patient.allergy_status == status:
        return
    patient.allergy_status = status
    patient.save(update_fields=["allergy_status"])
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=patient,
        obj=patient,
        fields=["allergy_status"],
        basis=basis,
    )


@transaction.atomic
def stop_medication(*, actor: User, medication: Medication, stopped_on: date) -> Medication:
    """Mark a medicine as stopped; the entry stays in the history as a past medicine.

    No safety-flag check here: stopping removes a fact, and no rule flags the absence
    of a medicine, so a stop can clear a flag but never add one.
    """
    patient = medication.patient
    basis = _require_clinical(actor, patient)
    if medication.stopped_on is not None:
        raise ValueError("This medication is already stopped.")
    if medication.started_on is not None and stopped_on < medication.started_on:
        raise ValueError("A medication cannot stop before it started.")
    medication.stopped_on = stopped_on
    medication.save(update_fields=["stopped_on"])
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        patient=patient,
        obj=medication,
        fields=["stopped_on"],
        basis=basis,
    )
    return medication


def care_team_candidates(patient: Patient) -> models.QuerySet[User]:
    """Active clinicians at the patient's site who are not yet on the care team."""
    return (
        User.objects.filter(is_active=True, role__in=CLINICAL_ROLES, sites=patient.site_id)
        .exclude(care_teams__patient=patient)
        .order_by("full_name")
    )


def _require_care_team(actor: User, patient: Patient) -> None:
    """Refuse a care-team change without access in one's own right. A refusal raised
    here rolls back with the transaction, so the view audits it first
    (`record_views.refuse_care_team_change`)."""
    if can_manage_care_team(actor, patient):
        return
    if clinical_write_basis(actor, patient) is not None:
        raise PermissionDenied(CARE_TEAM_UNDER_BREAK_GLASS)
    raise PermissionDenied("You cannot change this patient's care team.")


@transaction.atomic
def add_care_team_member(*, actor: User, patient: Patient, member: User) -> CareTeamMember:
    """Put a clinician from the patient's site on the care team, in their own role."""
    _require_care_team(actor, patient)
    if not care_team_candidates(patient).filter(pk=member.pk).exists():
        raise ValueError("Only clinicians from the patient's site, not yet on the team.")
    team_member = CareTeamMember.objects.create(patient=patient, user=member, role=member.role)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        patient=patient,
        obj=team_member,
        fields=["role", "user"],
        basis=OWN_RIGHT,
    )
    return team_member


@transaction.atomic
def remove_care_team_member(*, actor: User, member: CareTeamMember) -> None:
    patient = member.patient
    _require_care_team(actor, patient)
    # Audit first: the row keeps the member's id after the member is gone.
    _audit(
        actor=actor,
        action=AuditAction.DELETE,
        patient=patient,
        obj=member,
        fields=["role", "user"],
        basis=OWN_RIGHT,
    )
    member.delete()
