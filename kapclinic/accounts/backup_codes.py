"""Backup codes for two-factor sign-in, stored only as keyed hashes.

django-otp keeps its static tokens in plain text, so anyone who reads the database
(a backup, a replica, a support dump) could sign in as any staff member with a
password they also know. We keep only HMAC-SHA256(key, salt + code):

- A fast keyed hash is enough, where a typed password needs a slow one (Argon2):
  each code is made by the server with 60 random bits, so there is no dictionary
  or human habit to guess from. Without the key, which comes from SECRET_KEY and
  is not in the database, a stolen table gives nothing to test guesses against;
  with it, 2^60 guesses per code is still out of reach. A slow hash would add
  tens of milliseconds per code to every sign-in for no gain.
- A random salt per code means equal codes do not share a digest, and a digest
  says nothing about any other row.
- Rotating SECRET_KEY keeps codes working while the old key is listed in
  SECRET_KEY_FALLBACKS.

A code is used up by deleting its row; the caller holds the device's row lock,
and the delete must remove exactly one row, so two sign-ins racing with the same
code cannot both succeed.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice

from kapclinic.accounts.models import BackupCode

# Lower-case base32: the digits 0, 1, 8 and 9 are left out, so o, l, b and g cannot
# be misread as them; twelve characters carry 60 random bits.
ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
LENGTH = 12
GROUP = 4
_KEY_SALT = "kapclinic.accounts.backup_codes"


def new_codes(count: int) -> list[str]:
    """Fresh codes as people read them, in groups of four ("abcd-efgh-2345")."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        codes.append("-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP)))
    return codes


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def digest(code: str, salt: str, secret: str | bytes | None = None) -> str:
    """The stored form of a code (normalised first, so spacing and case do not matter)."""
    return salted_hmac(
        _KEY_SALT, salt + normalise(code), secret=secret, algorithm="sha256"
    ).hexdigest()


def new_salt() -> str:
    return secrets.token_hex(16)


def store(device: StaticDevice, codes: Iterable[str]) -> None:
    rows = []
    for code in codes:
        salt = new_salt()
        rows.append(BackupCode(device=device, salt=salt, digest=digest(code, salt)))
    BackupCode.objects.bulk_create(rows)


def _secrets() -> list[str | bytes]:
    return [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]


def find(device: StaticDevice, code: str) -> BackupCode | None:
    """The stored code that `code` is, if any; every row is compared, in constant time."""
    found = None
    keys = _secrets()
    for row in BackupCode.objects.filter(device=device):
        for key in keys:
            if hmac.compare_digest(row.digest, digest(code, row.salt, key)):
                found = row
    return found


def use(device: StaticDevice, code: str) -> bool:
    """Check `code` against the device's codes and use it up; True if it was one."""
    row = find(device, code)
    if row is None:
        return False
    deleted, _ = BackupCode.objects.filter(pk=row.pk).delete()
    return deleted == 1
