"""Who may read the audit trail: clinic admins only; everyone else gets a 404."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from kapclinic.accounts.models import User
from kapclinic.audit.models import BreakGlassGrant
from kapclinic.clinics.access import require_clinic_admin


def require_audit_reader(request: HttpRequest) -> User:
    """The signed-in clinic admin, or 404 for anyone else."""
    return require_clinic_admin(request)


def get_grant(pk: int) -> BreakGlassGrant:
    """One break-glass grant with who held it and who reviewed it.

    The patient is deliberately not joined: the admin sees the patient's id only.
    """
    return get_object_or_404(BreakGlassGrant.objects.select_related("user", "reviewed_by"), pk=pk)
