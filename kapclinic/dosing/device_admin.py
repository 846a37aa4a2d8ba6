"""Clinic admins list monitors' tokens and revoke them (audited); they never see or
make one here: `manage.py create_device_token` shows a new token once."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from kapclinic.accounts.access import current_user
from kapclinic.audit.django_admin import AuditedAdmin
from kapclinic.dosing.device_tokens import DeviceToken, revoke_device_token


@admin.register(DeviceToken)
class DeviceTokenAdmin(AuditedAdmin, admin.ModelAdmin[DeviceToken]):
    list_display = ("prefix", "label", "site", "created_at", "last_used_at", "revoked_at")
    list_filter = ("site", "revoked_at")
    search_fields = ("label", "prefix")
    readonly_fields = ("site", "label", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("token_hash", "created_by")
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewable, never edited: revoking is the only change, through the action.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke selected monitor tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[DeviceToken]) -> None:
        for token in queryset:
            revoke_device_token(actor=current_user(request), token=token)
        self.message_user(request, f"{len(queryset)} monitor tokens revoked.", messages.SUCCESS)
