"""Who uses a site's controlled-substance log: its nurses and prescribers record in
it; clinic admins review it (and export it). Anyone else, or another site: 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role, User
from kapclinic.clinics.models import Site

RECORDER_ROLES = frozenset({Role.NURSE, Role.PRESCRIBER})


def may_record(user: User) -> bool:
    return user.role in RECORDER_ROLES


def log_sites(user: User) -> QuerySet[Site]:
    """The active sites whose log `user` may open: their own sites."""
    if user.role not in RECORDER_ROLES and not user.is_clinic_admin:
        return Site.objects.none()
    return user.sites.filter(is_active=True).order_by("name")


def get_site_for_log(request: HttpRequest, pk: int, *, to_record: bool = False) -> Site:
    user = current_user(request)
    if to_record and not may_record(user):
        raise Http404("No such page")
    site = log_sites(user).filter(pk=pk).first()
    if site is None:
        raise Http404("No such site")
    return site


def site_staff(site: Site) -> QuerySet[User]:
    """Who may witness waste at the site: its active nurses and prescribers."""
    return User.objects.filter(sites=site, is_active=True, role__in=RECORDER_ROLES).order_by(
        "full_name"
    )
