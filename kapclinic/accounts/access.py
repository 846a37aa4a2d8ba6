"""Who is signed in, and where they belong after signing in."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from kapclinic.accounts import two_factor
from kapclinic.accounts.models import Role, User


def current_user(request: HttpRequest) -> User:
    """The signed-in user; views behind LoginRequiredMiddleware always have one."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def passed_second_factor(user: User) -> bool:
    """Whether this session passed the second factor, or the user needs none.

    TwoFactorRequiredMiddleware holds back every protected view until then, but
    public views (home, articles, sign-in) run for a half-signed-in user too: before
    such a view trusts a role (staff see drafts), it must ask this.
    """
    return two_factor.is_verified(user) or not two_factor.is_required(user)


def verified_staff(request: HttpRequest) -> User | None:
    """The signed-in, active clinic staff member, counted as staff only once they
    have passed the second factor where it is required; otherwise None."""
    user = request.user
    if not isinstance(user, User) or not (user.is_active and user.is_clinic_staff):
        return None
    return user if passed_second_factor(user) else None


def landing_url(user: User) -> str:
    """Each role's home page: clinic admins configure, front desk and nurses run the
    site's day from "Today", prescribers and therapists start on their patients,
    patients on their record."""
    if user.is_clinic_admin:
        return resolve_url("clinics:sites")
    if user.role in (Role.FRONT_DESK, Role.NURSE):
        return resolve_url("scheduling:today")
    if user.is_clinic_staff:
        return resolve_url("patients:list")
    return resolve_url("patients:portal")


def safe_next_url(request: HttpRequest) -> str:
    """The `next` parameter if it is a path on this site, else an empty string.

    Only absolute paths are accepted: a bare word such as "home" would otherwise be
    taken by `redirect()` as a URL name to reverse.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def after_login_url(request: HttpRequest, user: User) -> str:
    return safe_next_url(request) or landing_url(user)
