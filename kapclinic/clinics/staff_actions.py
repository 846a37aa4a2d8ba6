"""Every change a clinic admin makes to staff accounts and their credentials.

Same rules as `clinics/actions.py`: atomic, keyword-only `actor`, one audit row in
the same transaction, e-mail only after commit. A new account gets an unusable
password and a link to set its own, so no admin ever knows a colleague's password.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kapclinic.accounts.models import STAFF_ROLES, Role, StaffCredential, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.actions import apply_changes, create_row, update_row
from kapclinic.clinics.branding import clinic_name
from kapclinic.clinics.models import Site

CREDENTIAL_FIELDS = (
    "kind",
    "number",
    "issuer",
    "expires_on",
    "kap_training_completed_on",
    "kap_training_provider",
)


class StaffChangeRefused(Exception):
    """A change that would lock the clinic out: an admin disabling themselves, or the
    last active clinic admin deactivated or given another role."""


def _lock_for_change(member: User, *, removes_admin: bool) -> User:
    """Lock `member`'s row for a change; refuse one that would leave no active admin.

    When the change could take away an active clinic admin (demotion or
    deactivation), every active admin's row is locked first, in id order, so two
    admins removing each other at the same moment queue up and the second sees
    the first's change; the member's row comes after, in the same order, so no two
    changes wait on each other.
    """
    if removes_admin:
        admins = list(
            User.objects.select_for_update()
            .filter(role=Role.CLINIC_ADMIN, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if admins == [member.pk]:
            raise StaffChangeRefused(
                f"{member.full_name} is the clinic's only active clinic admin. "
                "Make someone else a clinic admin first."
            )
    return User.objects.select_for_update().get(pk=member.pk)


def set_password_path(user: User) -> str:
    """The path of the one-time link where `user` chooses a password."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})


def _send_invitation(user: User, base_url: str) -> None:
    link = base_url.rstrip("/") + set_password_path(user)
    name = clinic_name()
    context = {"user": user, "link": link, "site_name": name}
    send_mail(
        subject=f"Your {name} account: choose a password",
        message=render_to_string("clinics/email/staff_invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def _site_ids(sites: Iterable[Site]) -> list[int]:
    return sorted(site.pk for site in sites)


@transaction.atomic
def invite_staff(
    *,
    actor: User,
    email: str,
    full_name: str,
    role: str,
    sites: Iterable[Site],
    base_url: str,
) -> User:
    """Create a staff account and, once committed, e-mail a link to set a password."""
    if role not in STAFF_ROLES:
        raise ValueError(f"{role!r} is not a staff role")
    user = User.objects.create_user(
        email, None, full_name=full_name, role=role, is_staff=role == Role.CLINIC_ADMIN
    )
    user.sites.set(list(sites))
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        detail={
            "fields": ["email", "full_name", "role", "sites"],
            "role": role,
            "sites": _site_ids(user.sites.all()),
        },
    )
    transaction.on_commit(lambda: _send_invitation(user, base_url))
    return user


@transaction.atomic
def update_staff(
    member: User, *, actor: User, role: str, sites: Iterable[Site], full_name: str | None = None
) -> list[str]:
    """Change a staff member's role, sites or name; role and site changes are recorded."""
    if role not in STAFF_ROLES:
        raise ValueError(f"{role!r} is not a staff role")
    if member.pk == actor.pk and role != Role.CLINIC_ADMIN:
        raise StaffChangeRefused("You cannot remove your own clinic-admin role.")
    locked = _lock_for_change(member, removes_admin=role != Role.CLINIC_ADMIN)
    data: dict[str, Any] = {"role": role, "is_staff": role == Role.CLINIC_ADMIN}
    if full_name is not None:
        data["full_name"] = full_name
    changes = apply_changes(locked, data, ("full_name", "role", "is_staff"))
    old_sites = _site_ids(locked.sites.all())
    new_sites = _site_ids(sites)
    if changes:
        locked.save(update_fields=list(changes))
    if old_sites != new_sites:
        locked.sites.set(new_sites)
        changes["sites"] = [old_sites, new_sites]
    if not changes:
        return []
    # Names are personal data, so only that the name changed is kept, not its values.
    shown = {k: v for k, v in changes.items() if k in ("role", "sites")}
    changed = sorted(changes)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        detail={"fields": changed, "changes": shown},
    )
    return changed


@transaction.atomic
def set_staff_active(member: User, *, actor: User, active: bool) -> bool:
    """Deactivate (or reactivate) a staff account; returns whether anything changed.

    A deactivated user cannot sign in and their open sessions stop authenticating.
    """
    if member.pk == actor.pk and not active:
        raise StaffChangeRefused("You cannot deactivate your own account.")
    locked = _lock_for_change(member, removes_admin=not active)
    if locked.is_active == active:
        return False
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        detail={"fields": ["is_active"], "changes": {"is_active": [not active, active]}},
    )
    return True


@transaction.atomic
def add_credential(member: User, *, actor: User, data: Mapping[str, Any]) -> StaffCredential:
    credential = StaffCredential(user=member)
    detail = {"user_id": member.pk}
    return create_row(credential, data, CREDENTIAL_FIELDS, actor=actor, detail=detail)


@transaction.atomic
def update_credential(
    credential: StaffCredential, *, actor: User, data: Mapping[str, Any]
) -> list[str]:
    locked = StaffCredential.objects.select_for_update().get(pk=credential.pk)
    detail = {"user_id": locked.user_id}
    return update_row(locked, data, CREDENTIAL_FIELDS, actor=actor, detail=detail)
