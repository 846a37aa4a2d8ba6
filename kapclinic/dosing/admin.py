"""Dosing configuration in Django admin: monitors' tokens (listed and revoked)."""

from kapclinic.dosing import device_admin  # noqa: F401
