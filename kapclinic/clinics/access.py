"""Who may configure the clinic: clinic admins only; everyone else gets a 404.

Every clinic-configuration view's first line is `require_clinic_admin(request)`,
so a user without the role never learns whether a site, room or staff member
exists; the `get_*` helpers below then fetch one object or raise 404.
"""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from kapclinic.accounts.models import STAFF_ROLES, StaffCredential, User
from kapclinic.clinics.models import Chair, Room, Site, SiteSettings


def require_clinic_admin(request: HttpRequest) -> User:
    """The signed-in clinic admin, or 404 for anyone else."""
    user = request.user
    if not isinstance(user, User) or not user.is_active or not user.is_clinic_admin:
        raise Http404("Not found")
    return user


def sites_with_counts() -> list[Site]:
    return list(
        Site.objects.annotate(
            room_count=Count("rooms", distinct=True),
            chair_count=Count("rooms__chairs", distinct=True),
        ).order_by("name")
    )


def get_site(pk: int) -> Site:
    return get_object_or_404(
        Site.objects.select_related("organisation", "on_call_prescriber"), pk=pk
    )


def get_site_settings(site: Site) -> SiteSettings:
    """The site's settings; an unsaved row of defaults if the site has none yet.

    A site created outside kapclinic (e.g. a shell) may lack its row; saving the
    form then creates it, through the action like any other change.
    """
    row = SiteSettings.objects.filter(site=site).first() or SiteSettings(site=site)
    row.site = site
    return row


def get_room(pk: int) -> Room:
    return get_object_or_404(Room.objects.select_related("site"), pk=pk)


def get_chair(pk: int) -> Chair:
    return get_object_or_404(Chair.objects.select_related("room__site"), pk=pk)


def staff_members() -> list[User]:
    return list(
        User.objects.filter(role__in=STAFF_ROLES)
        .prefetch_related("sites")
        .annotate(credential_count=Count("credentials"))
        .order_by("-is_active", "full_name", "pk")
    )


def get_staff_member(pk: int) -> User:
    """A staff account (never a patient's portal account), or 404."""
    return get_object_or_404(User.objects.filter(role__in=STAFF_ROLES), pk=pk)


def get_credential(pk: int) -> StaffCredential:
    return get_object_or_404(
        StaffCredential.objects.select_related("user").filter(user__role__in=STAFF_ROLES), pk=pk
    )
