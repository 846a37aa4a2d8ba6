"""Small helpers for the accounts tests."""

from __future__ import annotations

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts.models import User
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
