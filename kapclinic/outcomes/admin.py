"""Django admin for the on-call rota (clinic admins, every save audited). Responses
and alerts name patients and change only through the audited actions."""

from __future__ import annotations

from django.contrib import admin

from kapclinic.audit.django_admin import AuditedAdmin
from kapclinic.outcomes.models import OnCallContact, OnCallShift


@admin.register(OnCallShift)
class OnCallShiftAdmin(AuditedAdmin, admin.ModelAdmin[OnCallShift]):
    list_display = ("site", "prescriber", "start", "end")
    list_filter = ("site",)


@admin.register(OnCallContact)
class OnCallContactAdmin(AuditedAdmin, admin.ModelAdmin[OnCallContact]):
    """The numbers escalation texts go to (one per prescriber on the rota)."""

    list_display = ("user", "sms_number")
