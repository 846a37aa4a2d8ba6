"""Every security write for accounts: sign-in events, two-factor enrolment, passwords.

Each action writes its AuditEvent in the same transaction. Audit details hold
steps, methods and reasons only: never the typed e-mail, password or code.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts import api_tokens, backup_codes, two_factor
from kapclinic.accounts.models import ApiToken, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditOutcome


def record_login(*, actor: User, step: str, method: str = "password") -> None:
    record(actor=actor, action=AuditAction.LOGIN, detail={"step": step, "method": method})


def record_login_failed(*, actor: User | None, step: str, locked_out: bool = False) -> None:
    """A failed sign-in; `actor` is the account the attempt named, if it exists."""
    record(
        actor=actor,
        action=AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.DENIED if locked_out else AuditOutcome.FAILURE,
        detail={"step": step, **({"reason": "locked_out"} if locked_out else {})},
    )


def record_logout(*, actor: User, reason: str = "user") -> None:
    record(actor=actor, action=AuditAction.LOGOUT, detail={"reason": reason})


def _replace_backup_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": two_factor.BACKUP_DEVICE_NAME, "confirmed": True}
    )
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.backup_codes.all().delete()
    # Plain-text codes django-otp may have made before ours: never valid again.
    StaticToken.objects.filter(device=device).delete()
    codes = two_factor.new_backup_tokens()
    backup_codes.store(device, codes)
    return codes


def _remove_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def confirm_totp_device(*, actor: User, device: TOTPDevice) -> list[str]:
    """Make a checked authenticator the user's only one and issue fresh backup codes.

    Returns the backup codes, which are shown once and never again.
    """
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    codes = _replace_backup_codes(actor)
    record(actor=actor, action=AuditAction.TWO_FACTOR, obj=actor, detail={"step": "enrolled"})
    return codes


@transaction.atomic
def regenerate_backup_codes(*, actor: User) -> list[str]:
    codes = _replace_backup_codes(actor)
    record(
        actor=actor,
        action=AuditAction.TWO_FACTOR,
        obj=actor,
        detail={"step": "backup_codes_regenerated"},
    )
    return codes


@transaction.atomic
def disable_two_factor(*, actor: User) -> None:
    """A patient turns their own two-factor sign-in off (after entering a current code).

    Staff may not: for them it is mandatory, and only a clinic admin's reset removes
    their authenticator (so that they enrol again).
    """
    if not two_factor.may_disable(actor):
        raise PermissionError("Two-factor sign-in is mandatory for staff.")
    _remove_devices(actor)
    record(actor=actor, action=AuditAction.TWO_FACTOR, obj=actor, detail={"change": "disabled"})


@transaction.atomic
def reset_two_factor(*, actor: User, user: User) -> None:
    """A clinic admin removes a user's authenticator and backup codes (a lost phone);
    they enrol again at their next request."""
    if not (actor.is_active and (actor.is_clinic_admin or actor.is_superuser)):
        raise PermissionError("Only a clinic admin resets someone's two-factor sign-in.")
    _remove_devices(user)
    record(actor=actor, action=AuditAction.TWO_FACTOR, obj=user, detail={"step": "reset"})


def record_password_changed(*, actor: User | None, user: User, via: str) -> None:
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        detail={"fields": ["password"], "via": via},
    )


@transaction.atomic
def create_api_token(*, actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Make an API token for `user`; return it and the token text, which is shown once
    and never stored. `actor` is None when made by the management command."""
    text = api_tokens.new_token()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        token_hash=api_tokens.digest(text),
        prefix=api_tokens.shown_prefix(text),
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=token,
        detail={"user_id": user.pk, "via": "command" if actor is None else "admin"},
    )
    return token, text


@transaction.atomic
def revoke_api_token(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token at once; its next request is refused. Revoking twice is a no-op."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=token,
        detail={"fields": ["revoked_at"], "user_id": token.user_id},
    )
    return token
