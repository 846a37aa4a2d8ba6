"""Small helpers for the accounts tests."""

from __future__ import annotations

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts import backup_codes
from kapclinic.accounts.models import BackupCode, User
from kapclinic.audit.models import AuditEvent
from kapclinic.test import PASSWORD


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app shows right now for `device`."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)


def post_login(client, email: str, password: str = PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password, **extra}
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def backup_digests(user: User) -> set[str]:
    """What is stored of `user`'s backup codes (hashes only)."""
    return set(BackupCode.objects.filter(device__user=user).values_list("digest", flat=True))


def holds_exactly(user: User, codes: list[str] | set[str]) -> bool:
    """True when `user`'s stored backup codes are exactly `codes`."""
    devices = list(StaticDevice.objects.filter(user=user))
    stored = BackupCode.objects.filter(device__user=user).count()
    found = all(any(backup_codes.find(d, code) for d in devices) for code in codes)
    return stored == len(codes) and found
