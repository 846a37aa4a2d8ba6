"""Who may see a dosing session and a site's live board.

The board is for the clinicians on the floor (nurse, prescriber, therapist) at the
site; a site they do not work at is a 404. One session's page is for clinicians who
may read the patient's clinical record (care team, a nurse at the site on the day of
the visit, or a break-glass grant): anyone else gets the same 404 as for a session
that does not exist.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import CLINICAL_ROLES, Role, User
from kapclinic.clinics.models import Site
from kapclinic.dosing.models import DosingSession, SessionAlert
from kapclinic.patients.access import get_patient_for_user

BOARD_ROLES = frozenset({Role.NURSE, Role.PRESCRIBER, Role.THERAPIST})


def board_sites(user: User) -> list[Site]:
    """The sites whose board `user` may open (none for other roles)."""
    if not user.is_active or user.role not in BOARD_ROLES:
        return []
    return list(user.sites.order_by("name"))


def get_board_site(request: HttpRequest, site_id: int | None) -> tuple[User, Site, list[Site]]:
    """The site whose board is asked for (the user's first by default), or 404."""
    user = current_user(request)
    sites = board_sites(user)
    if not sites:
        raise Http404("No board")
    if site_id is None:
        return user, sites[0], sites
    for site in sites:
        if site.pk == site_id:
            return user, site, sites
    raise Http404("No board")


def get_session_for_user(request: HttpRequest, pk: int) -> DosingSession:
    """One session whose patient's clinical record the clinician may read, or 404."""
    user = current_user(request)
    if user.role not in CLINICAL_ROLES:
        raise Http404("No such session")
    session = (
        DosingSession.objects.select_related(
            "site", "plan", "appointment__chair__room", "nurse", "prescriber_on_site"
        )
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404("No such session")
    # The patient fetch applies (and audits a refusal of) the clinical scope.
    session.patient = get_patient_for_user(request, session.patient_id, clinical=True)
    return session


def get_alert_for_user(request: HttpRequest, session_pk: int, pk: int) -> SessionAlert:
    session = get_session_for_user(request, session_pk)
    alert = SessionAlert.objects.filter(session=session, pk=pk).first()
    if alert is None:
        raise Http404("No such alert")
    alert.session = session
    return alert
