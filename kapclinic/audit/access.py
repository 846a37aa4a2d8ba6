"""Who may read the audit trail: clinic admins only; everyone else gets a 404."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from kapclinic.accounts.models import User
from kapclinic.audit.models import AuditEvent, BreakGlassGrant
from kapclinic.clinics.access import require_clinic_admin


def require_audit_reader(request: HttpRequest) -> User:
    """The signed-in clinic admin, or 404 for anyone else."""
    return require_clinic_admin(request)


def get_grant(pk: int) -> BreakGlassGrant:
    """One break-glass grant with who held it and who reviewed it.

    The patient is deliberately not joined: the admin sees the patient's MRN only.
    """
    grants = BreakGlassGrant.objects.select_related("user", "reviewed_by").annotate(
        patient_mrn=F("patient__mrn")
    )
    return get_object_or_404(grants, pk=pk)


def unreviewed_grants(limit: int = 20) -> list[BreakGlassGrant]:
    """The newest break-glass grants nobody has reviewed yet, with who held them."""
    grants = BreakGlassGrant.objects.filter(reviewed_at__isnull=True).select_related("user")
    return list(grants.order_by("-granted_at")[:limit])


def grant_events(grant: BreakGlassGrant, limit: int = 500) -> QuerySet[AuditEvent]:
    """What the grant's holder did in the patient's record while the grant lasted."""
    return AuditEvent.objects.filter(
        actor_id=grant.user_id,
        patient_id=grant.patient_id,
        occurred_at__gte=grant.granted_at,
        occurred_at__lte=grant.expires_at,
    ).order_by("id")[:limit]
