"""Who may see which patient: the one chokepoint for reading patient records.

Rules (DESIGN.md "Who uses it"):
- a patient sees only their own record;
- front desk sees demographics of patients at their sites, never clinical content;
- a nurse sees demographics at their sites and the clinical record of care-team patients;
- prescribers and therapists see their care-team patients, demographics and clinical;
- a clinic admin sees no patient records;
- anyone allowed to break glass sees a patient fully while a grant is active.
A patient outside the user's scope is a 404, so the response never reveals that it
exists. Denied attempts are audited.
"""

from __future__ import annotations

from typing import NoReturn

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from kapclinic.accounts.models import CLINICAL_ROLES, Role, User
from kapclinic.audit.models import AuditAction, AuditOutcome, BreakGlassGrant
from kapclinic.patients.models import CareTeamMember, Patient

# Roles that may use break-glass access (front desk has no clinical need).
BREAK_GLASS_ROLES = frozenset({Role.PRESCRIBER, Role.NURSE, Role.THERAPIST, Role.CLINIC_ADMIN})


def live_grants(user: User) -> QuerySet[BreakGlassGrant]:
    """The user's break-glass grants that have not expired yet."""
    return BreakGlassGrant.objects.filter(user=user, expires_at__gt=timezone.now())


def _active_grant_q(user: User) -> Q:
    return Q(Exists(live_grants(user).filter(patient=OuterRef("pk"))))


def _care_team_q(user: User) -> Q:
    return Q(Exists(CareTeamMember.objects.filter(user=user, patient=OuterRef("pk"))))


def _site_ids(user: User) -> list[int]:
    cached: list[int] | None = getattr(user, "_site_ids_cache", None)
    if cached is None:
        cached = list(user.sites.values_list("pk", flat=True))
        user._site_ids_cache = cached  # type: ignore[attr-defined]
    return cached


def _scope_q(user: User, *, clinical: bool) -> Q | None:
    """The filter for patients `user` may see; None means none at all."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role == Role.PATIENT:
        return Q(user=user)
    if user.role == Role.FRONT_DESK:
        return None if clinical else Q(site_id__in=_site_ids(user))
    if user.role == Role.NURSE:
        if clinical:
            return _care_team_q(user)
        return Q(site_id__in=_site_ids(user)) | _care_team_q(user)
    if user.role in (Role.PRESCRIBER, Role.THERAPIST):
        return _care_team_q(user)
    return None


def visible_patients(user: User, *, clinical: bool = False) -> QuerySet[Patient]:
    """Patients the user may see (demographics, or the clinical record if `clinical`).

    Break-glass grants are not included in lists: they open one chart, not a roster.
    """
    scope = _scope_q(user, clinical=clinical)
    if scope is None:
        return Patient.objects.none()
    return Patient.objects.filter(scope)


def can_break_glass(user: User) -> bool:
    return user.is_authenticated and user.role in BREAK_GLASS_ROLES


def _in_clinical_scope(user: User, patient_id: int) -> bool:
    scope = _scope_q(user, clinical=True)
    return scope is not None and Patient.objects.filter(scope, pk=patient_id).exists()


def _has_usable_grant(user: User, patient_id: int) -> bool:
    return can_break_glass(user) and live_grants(user).filter(patient_id=patient_id).exists()


def get_patient_for_user(request: HttpRequest, pk: int, *, clinical: bool = False) -> Patient:
    """Fetch one patient the requesting user may see, or raise 404.

    Sets `patient.via_break_glass` when access comes only from a break-glass grant,
    so the page can show it and the audit row can be flagged.
    """
    user: User = request.user  # type: ignore[assignment]
    base = Patient.objects.select_related("site", "user")
    scope = _scope_q(user, clinical=clinical)
    patient: Patient | None = None
    if scope is not None:
        patient = base.filter(scope, pk=pk).first()
    if patient is not None:
        patient.via_break_glass = False  # type: ignore[attr-defined]
        return patient
    if can_break_glass(user):
        patient = base.filter(_active_grant_q(user), pk=pk).first()
        if patient is not None:
            patient.via_break_glass = True  # type: ignore[attr-defined]
            return patient
    _record_denied(user, pk)
    raise Http404("No such patient")


def deny(user: User, pk: int) -> NoReturn:
    """Audit a refused attempt on patient `pk` and answer 404, as for a patient out of scope."""
    _record_denied(user, pk)
    raise Http404("No such patient")


def _record_denied(user: User, pk: int) -> None:
    from kapclinic.audit.actions import record

    record(
        actor=user if user.is_authenticated else None,
        action=AuditAction.VIEW,
        outcome=AuditOutcome.DENIED,
        object_type="patients.patient",
        object_id=str(pk),
    )


def get_own_patient(request: HttpRequest) -> Patient:
    """The signed-in patient's own record, or 404 for anyone else."""
    user: User = request.user  # type: ignore[assignment]
    if not user.is_authenticated or user.role != Role.PATIENT:
        raise Http404("No patient record")
    patient = Patient.objects.select_related("site").filter(user=user).first()
    if patient is None:
        raise Http404("No patient record")
    return patient


def can_see_clinical(user: User, patient: Patient) -> bool:
    """Whether `user` may read `patient`'s clinical record (not just demographics).

    Someone who sees the demographics in their own right (a nurse at the site) but
    the clinical record only through a grant is marked `via_break_glass` here, so
    the page shows the banner and the audit row is flagged.
    """
    if getattr(patient, "via_break_glass", False):
        return True
    if _in_clinical_scope(user, patient.pk):
        return True
    if _has_usable_grant(user, patient.pk):
        patient.via_break_glass = True  # type: ignore[attr-defined]
        return True
    return False


# Staff who work with patient records day to day (the clinic admin does not).
ROSTER_ROLES = frozenset({Role.FRONT_DESK, Role.NURSE, Role.PRESCRIBER, Role.THERAPIST})


def can_list_patients(user: User) -> bool:
    """Whether `user` may use the staff patient list and staff patient pages."""
    return user.is_authenticated and user.is_active and user.role in ROSTER_ROLES


def get_patient_for_staff(request: HttpRequest, pk: int, *, clinical: bool = False) -> Patient:
    """Like `get_patient_for_user`, but only for roster staff: a patient opening a
    staff page, even for their own record, gets the same 404 as for anyone else's."""
    user: User = request.user  # type: ignore[assignment]
    if not can_list_patients(user):
        deny(user, pk)
    return get_patient_for_user(request, pk, clinical=clinical)


def get_patient_to_change(request: HttpRequest, pk: int, *, clinical: bool = False) -> Patient:
    """A patient whose demographics and contacts (or with `clinical`, clinical record)
    the requesting staff member may change, or 404 as for a patient out of scope.

    The fetch itself answers `can_edit_demographics` (anyone who may open a staff page
    for the patient) and, with `clinical`, `can_edit_clinical` (clinical scope or a
    grant, plus the clinician role), so a view asks the database once; the action
    still makes its own check.
    """
    patient = get_patient_for_staff(request, pk, clinical=clinical)
    user: User = request.user  # type: ignore[assignment]
    if clinical and user.role not in CLINICAL_ROLES:
        deny(user, pk)
    return patient


def get_patient_for_care_team(request: HttpRequest, pk: int) -> Patient:
    """A patient whose care team the requesting user may change (`can_manage_care_team`):
    front desk as for demographics, clinicians as for the clinical record."""
    is_front_desk = getattr(request.user, "role", None) == Role.FRONT_DESK
    return get_patient_to_change(request, pk, clinical=not is_front_desk)


def has_clinical_access(user: User, patient: Patient) -> bool:
    """Clinical access checked against the database (care team or a live grant).

    Unlike `can_see_clinical` it does not trust `patient.via_break_glass`, so actions
    can use it on any instance.
    """
    return _in_clinical_scope(user, patient.pk) or _has_usable_grant(user, patient.pk)


def can_edit_demographics(user: User, patient: Patient) -> bool:
    """Front desk and clinicians who can see the patient may change demographics."""
    if not can_list_patients(user):
        return False
    # Clinical scope lies inside the demographic one, so only a grant can add to it.
    if visible_patients(user).filter(pk=patient.pk).exists():
        return True
    return _has_usable_grant(user, patient.pk)


def can_edit_clinical(user: User, patient: Patient) -> bool:
    """Only clinicians with clinical access (care team or break glass) write clinical items."""
    return user.role in CLINICAL_ROLES and has_clinical_access(user, patient)


def can_manage_care_team(user: User, patient: Patient) -> bool:
    """Front desk at the patient's site (who assign clinicians when booking) and
    clinicians with clinical access may change the care team."""
    if user.role == Role.FRONT_DESK:
        return can_edit_demographics(user, patient)
    return can_edit_clinical(user, patient)
