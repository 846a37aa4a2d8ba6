"""Who sees REMS monitoring forms: the nurses and prescribers with clinical access to
the patient (their care team). Anyone else gets a 404, as for every record."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role, User
from kapclinic.dosing.models import DosingSession
from kapclinic.patients.access import visible_patients
from kapclinic.treatment.models import Drug

REMS_ROLES = frozenset({Role.NURSE, Role.PRESCRIBER})


def rems_sessions(user: User) -> QuerySet[DosingSession]:
    """Esketamine sessions with a dose given, for patients whose record `user` may see."""
    if user.role not in REMS_ROLES:
        return DosingSession.objects.none()
    return DosingSession.objects.filter(
        patient__in=visible_patients(user, clinical=True),
        plan__drug=Drug.ESKETAMINE,
        first_dose_at__isnull=False,
    )


def get_rems_session_for_user(request: HttpRequest, pk: int) -> DosingSession:
    """One such session with what its form shows, or 404."""
    session = (
        rems_sessions(current_user(request))
        .select_related(
            "patient", "site", "appointment", "nurse", "prescriber_on_site", "rems_form"
        )
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404("No such session")
    return session
