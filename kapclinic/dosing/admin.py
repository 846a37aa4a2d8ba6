"""Django admin for the dosing floor's configuration: each site's own pre-dose rules
(pregnancy test, fasting for routes other than esketamine). Clinic admins only, every
save audited. Sessions, doses and readings are not here: they name patients and
change only through the audited actions."""

from __future__ import annotations

from django.contrib import admin

from kapclinic.audit.django_admin import AuditedAdmin
from kapclinic.dosing import device_admin  # noqa: F401  (monitors' tokens: listed and revoked)
from kapclinic.dosing.models import DosingSitePolicy


@admin.register(DosingSitePolicy)
class DosingSitePolicyAdmin(AuditedAdmin, admin.ModelAdmin[DosingSitePolicy]):
    list_display = (
        "site",
        "pregnancy_test_required",
        "other_routes_no_food_minutes",
        "other_routes_no_liquids_minutes",
    )
