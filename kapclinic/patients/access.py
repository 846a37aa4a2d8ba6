"""Who may see which patient: the one chokepoint for reading patient records.

Rules (DESIGN.md "Who uses it"):
- a patient sees only their own record;
- front desk sees demographics of patients at their sites, never clinical content;
- a nurse sees demographics at their sites and the clinical record of care-team
  patients and of patients with a dosing visit today at their sites;
- prescribers and therapists see their care-team patients, demographics and clinical;
- a clinic admin sees no patient records;
- anyone allowed to break glass sees a patient fully while a grant is active.
A patient outside the user's scope is a 404, so the response never reveals that it
exists. Denied attempts are audited.

Break-glass never grants lasting access. Under a grant a clinician may read the
record and document the emergency care they give (clinical items, demographics,
contacts), because refusing that would leave the emergency undocumented; every
such read and write is flagged with the grant's id for the admins' review. They may
not change who has access: adding anyone (themselves included) to the care team, or
removing a member, needs access in one's own right, because a care-team place would
outlive the grant and turn an audited hour into permanent, unflagged access.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NoReturn
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
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


def _live_grant_id(user: User) -> Subquery:
    """The id of the user's longest-lasting live grant for the outer patient row."""
    grants = live_grants(user).filter(patient=OuterRef("pk")).order_by("-expires_at")
    return Subquery(grants.values("pk")[:1])


def _care_team_q(user: User) -> Q:
    return Q(Exists(CareTeamMember.objects.filter(user=user, patient=OuterRef("pk"))))


def _site_zones(user: User) -> list[tuple[int, str]]:
    """The user's sites with their time zones (one query, then kept on the user)."""
    cached: list[tuple[int, str]] | None = getattr(user, "_site_zones_cache", None)
    if cached is None:
        cached = list(user.sites.values_list("pk", "time_zone"))
        user._site_zones_cache = cached  # type: ignore[attr-defined]
    return cached


def _site_ids(user: User) -> list[int]:
    return [pk for pk, _ in _site_zones(user)]


def _todays_dosing_q(user: User) -> Q:
    """Patients with a dosing visit today (each site's own calendar day) at one of
    the user's sites: the nurse running the chairs needs their clinical record
    (DESIGN.md), though they are not on every care team. Yesterday's and other
    sites' patients stay out of scope."""
    from kapclinic.scheduling.models import DOSING_CODES, Appointment, AppointmentStatus

    now = timezone.now()
    days = Q()
    for site_id, zone_name in _site_zones(user):
        zone = ZoneInfo(zone_name)
        today = timezone.localtime(now, zone).date()
        start = dt.datetime.combine(today, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        days |= Q(site_id=site_id, start__gte=start, start__lt=end)
    if not days:
        return Q(pk__in=[])
    visits = Appointment.objects.filter(
        days,
        patient=OuterRef("pk"),
        appointment_type__code__in=DOSING_CODES,
    ).exclude(status__in=[AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
    return Q(Exists(visits))


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
            return _care_team_q(user) | _todays_dosing_q(user)
        return Q(site_id__in=_site_ids(user)) | _care_team_q(user)
    if user.role in (Role.PRESCRIBER, Role.THERAPIST):
        return _care_team_q(user)
    return None


def visible_patients(user: User, *, clinical: bool = False) -> QuerySet[Patient]:
    """Patients the user may see (demographics, or the clinical record if `clinical`).

    Break-glass grants are not included in lists: they open one chart, not a roster;
    nor are records merged into another.
    """
    scope = _scope_q(user, clinical=clinical)
    if scope is None:
        return Patient.objects.none()
    # A record merged into another is history: its chart still opens, but it is in
    # no list or search, and nobody books for it (patients/merge.py).
    return Patient.objects.filter(scope, merged_into__isnull=True)


def can_break_glass(user: User) -> bool:
    return user.is_authenticated and user.role in BREAK_GLASS_ROLES


def _in_clinical_scope(user: User, patient_id: int) -> bool:
    scope = _scope_q(user, clinical=True)
    return scope is not None and Patient.objects.filter(scope, pk=patient_id).exists()


def _usable_grant_id(user: User, patient_id: int) -> int | None:
    if not can_break_glass(user):
        return None
    grants = live_grants(user).filter(patient_id=patient_id).order_by("-expires_at")
    grant_id: int | None = grants.values_list("pk", flat=True).first()
    return grant_id


def _mark_break_glass(patient: Patient, grant_id: int | None) -> None:
    """Remember on the instance whether access rests on a grant (and which one), so
    the page shows the banner and the audit row is flagged with the grant's id."""
    patient.via_break_glass = grant_id is not None  # type: ignore[attr-defined]
    patient.break_glass_grant_id = grant_id  # type: ignore[attr-defined]


def break_glass_detail(patient: Patient) -> dict[str, int]:
    """The audit detail naming the grant a read of `patient` rests on (empty if none)."""
    grant_id: int | None = getattr(patient, "break_glass_grant_id", None)
    return {} if grant_id is None else {"grant_id": grant_id}


@dataclass(frozen=True)
class AccessBasis:
    """How a user reaches a patient they may see: in their own right
    (`grant_id` None) or only through the live break-glass grant `grant_id`."""

    grant_id: int | None = None

    @property
    def via_break_glass(self) -> bool:
        return self.grant_id is not None


def access_basis(user: User, patient: Patient, *, clinical: bool) -> AccessBasis | None:
    """Whether and how `user` may see `patient` (demographics, or with `clinical` the
    clinical record), checked against the database; None means no access at all."""
    scope = _scope_q(user, clinical=clinical)
    if scope is not None and Patient.objects.filter(scope, pk=patient.pk).exists():
        return AccessBasis()
    grant_id = _usable_grant_id(user, patient.pk)
    return None if grant_id is None else AccessBasis(grant_id=grant_id)


def get_patient_for_user(request: HttpRequest, pk: int, *, clinical: bool = False) -> Patient:
    """Fetch one patient the requesting user may see, or raise 404.

    Sets `patient.via_break_glass` (and `break_glass_grant_id`) when access comes
    only from a break-glass grant, so the page can show it and the audit row can be
    flagged with the grant.
    """
    user: User = request.user  # type: ignore[assignment]
    base = Patient.objects.select_related("site", "user")
    scope = _scope_q(user, clinical=clinical)
    patient: Patient | None = None
    if scope is not None:
        patient = base.filter(scope, pk=pk).first()
    if patient is not None:
        _mark_break_glass(patient, None)
        return patient
    if can_break_glass(user):
        patient = (
            base.annotate(grant_id=_live_grant_id(user))
            .filter(grant_id__isnull=False, pk=pk)
            .first()
        )
        if patient is not None:
            _mark_break_glass(patient, patient.grant_id)
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
    grant_id = _usable_grant_id(user, patient.pk)
    if grant_id is not None:
        _mark_break_glass(patient, grant_id)
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
    return access_basis(user, patient, clinical=True) is not None


def demographics_write_basis(user: User, patient: Patient) -> AccessBasis | None:
    """Front desk and clinicians who can see the patient may change demographics and
    contacts; the basis says whether that rests on a break-glass grant."""
    if not can_list_patients(user):
        return None
    return access_basis(user, patient, clinical=False)


def clinical_write_basis(user: User, patient: Patient) -> AccessBasis | None:
    """Only clinicians with clinical access (care team or break glass) write clinical
    items; the basis says whether that rests on a break-glass grant."""
    if user.role not in CLINICAL_ROLES:
        return None
    return access_basis(user, patient, clinical=True)


def can_edit_demographics(user: User, patient: Patient) -> bool:
    return demographics_write_basis(user, patient) is not None


def can_edit_clinical(user: User, patient: Patient) -> bool:
    return clinical_write_basis(user, patient) is not None


def can_manage_care_team(user: User, patient: Patient) -> bool:
    """Front desk at the patient's site (who assign clinicians when booking) and
    clinicians with clinical access in their own right may change the care team.

    Never through break-glass (see the module docstring): the change would outlive
    the grant.
    """
    if user.role == Role.FRONT_DESK:
        basis = demographics_write_basis(user, patient)
    else:
        basis = clinical_write_basis(user, patient)
    return basis is not None and not basis.via_break_glass
