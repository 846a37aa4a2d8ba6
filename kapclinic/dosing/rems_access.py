"""Who sees REMS monitoring forms: the nurses and prescribers with clinical access to
the patient (their care team, a nurse at the site on the day of the visit), or,
like every other page of the record, a nurse or prescriber holding a live
break-glass grant for the patient. Anyone else gets a 404, as for every record.

A grant opens the patient, not a role: a therapist or clinic admin with a grant
reads the chart, but the REMS form stays with the roles that fill it in. Lists (the
forms due) never include patients reached only through a grant: a grant opens one
record, not a roster.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role, User
from kapclinic.dosing.models import DosingSession
from kapclinic.patients.access import get_patient_for_user, visible_patients
from kapclinic.treatment.models import Drug

REMS_ROLES = frozenset({Role.NURSE, Role.PRESCRIBER})


def _rems_kind() -> QuerySet[DosingSession]:
    """Sessions that have a REMS form: esketamine, with a dose given."""
    return DosingSession.objects.filter(plan__drug=Drug.ESKETAMINE, first_dose_at__isnull=False)


def rems_sessions(user: User) -> QuerySet[DosingSession]:
    """Esketamine sessions with a dose given, for patients whose record `user` may see
    in their own right (no break-glass: this feeds the list of forms due)."""
    if user.role not in REMS_ROLES:
        return DosingSession.objects.none()
    return _rems_kind().filter(patient__in=visible_patients(user, clinical=True))


def get_rems_session_for_user(request: HttpRequest, pk: int) -> DosingSession:
    """One such session with what its form shows, or 404.

    The patient comes through `get_patient_for_user`, the chokepoint the chart uses:
    it applies the clinical scope, honours a live break-glass grant (marking
    `session.patient.via_break_glass` and the grant's id for the banner and the audit
    row) and audits a refusal.
    """
    user = current_user(request)
    if user.role not in REMS_ROLES:
        raise Http404("No such session")
    session = (
        _rems_kind()
        .select_related("site", "appointment", "nurse", "prescriber_on_site", "rems_form")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404("No such session")
    session.patient = get_patient_for_user(request, session.patient_id, clinical=True)
    return session
