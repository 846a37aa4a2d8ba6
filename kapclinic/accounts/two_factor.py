"""Two-factor sign-in: which users need it, their devices, and checking codes.

Staff sign in with a TOTP authenticator app; single-use backup codes (a django-otp
StaticDevice holding hashed codes, see `backup_codes.py`) cover a lost phone.
Patients may opt in from their security page; once they have a confirmed
authenticator, every sign-in asks them for a code too, and they may turn it off
again (staff may not).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts import backup_codes
from kapclinic.accounts.models import BackupCode, User

TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
_TOTP_CODE = re.compile(r"^\d{6}$")


def is_required(user: User) -> bool:
    """Staff must pass a second factor, except in demo mode; a patient must once they
    have enrolled an authenticator, in demo mode too (they chose it, so a demo
    installation must not quietly drop it)."""
    if user.is_clinic_staff:
        return not settings.DEMO_MODE
    return user.is_patient and confirmed_totp(user) is not None


def may_enrol(user: User) -> bool:
    """Who may set up a second factor: staff (required) and patients (opt-in)."""
    return user.is_clinic_staff or user.is_patient


def may_disable(user: User) -> bool:
    """Only patients may turn two-factor off; it is mandatory for staff."""
    return user.is_patient


def is_verified(user: object) -> bool:
    """True when this request's session passed a second factor (OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user: User) -> TOTPDevice:
    """The unconfirmed device being set up, reused so a reload keeps the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def backup_codes_left(user: User) -> int:
    count: int = BackupCode.objects.filter(device__user=user, device__confirmed=True).count()
    return count


def secret_base32(device: TOTPDevice) -> str:
    """The secret as people type it into an authenticator app, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no external request)."""
    qr = segno.make(device.config_url, error="m")
    # A viewBox and no fixed size, so the stylesheet can fit the code to a phone's width
    # (at a fixed 5 px a module it was wider than a 390 px screen, and cut off).
    svg: str = qr.svg_inline(scale=5, omitsize=True, title="QR code for your authenticator app")
    return svg


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


@dataclass(frozen=True)
class CodeCheck:
    device: Device | None
    throttled: bool = False

    @property
    def method(self) -> str:
        return "backup_code" if isinstance(self.device, StaticDevice) else "totp"


def check_code(user: User, code: str) -> CodeCheck:
    """Check a six-digit TOTP code or a backup code; a backup code is used up.

    The code's shape picks the device, so a mistyped TOTP code does not count as a
    failure against the backup codes (each device throttles its own failures).
    """
    code = normalise_code(code)
    model: type[TOTPDevice] | type[StaticDevice] = (
        TOTPDevice if _TOTP_CODE.match(code) else StaticDevice
    )
    with transaction.atomic():
        devices = model.objects.filter(user=user, confirmed=True).select_for_update()
        throttled = False
        for device in devices:
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if _verify(device, code):
                return CodeCheck(device=device)
    return CodeCheck(device=None, throttled=throttled)


def _verify(device: Device, code: str) -> bool:
    if not isinstance(device, StaticDevice):
        return bool(device.verify_token(code))
    # StaticDevice.verify_token would look for the code in plain text; ours are
    # hashed. The same bookkeeping as django-otp's: a failure counts towards the
    # throttle, a success resets it.
    if backup_codes.use(device, code):
        device.throttle_reset(commit=False)
        device.set_last_used_timestamp(commit=False)
        device.save()
        return True
    device.throttle_increment()
    return False


def check_setup_code(device: TOTPDevice, code: str) -> CodeCheck:
    """Check the first code from a device that is being set up."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(device=None, throttled=True)
    if device.verify_token(normalise_code(code)):
        return CodeCheck(device=device)
    return CodeCheck(device=None)


def new_backup_tokens() -> list[str]:
    return backup_codes.new_codes(settings.BACKUP_CODE_COUNT)
