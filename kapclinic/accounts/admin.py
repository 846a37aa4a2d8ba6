"""People and their credentials are deliberately not in the Django admin.

Staff accounts are managed in one place, the clinic staff pages (`/clinic/staff/`,
`kapclinic/clinics/staff_views.py`): invite (the new account has an unusable password
and its owner chooses one through a one-time link), role and site changes,
deactivation, two-factor reset and professional credentials, each through an audited
action that refuses to remove the last active clinic admin. Those pages never show
patients' portal accounts.

Django's user admin would be a second, weaker door: it lists every account,
patients' included, sets passwords through its `<id>/password/` page (after which
an admin could sign in as that person), and bypasses the rules above. The smallest
safe surface is none at all, so nothing is registered here; `KapAdminSite` also
drops the admin pages django-otp and django-axes would add for devices and sign-in
attempts.

API tokens are the one exception: clinic admins list and revoke them here (never
see or make them: `manage.py create_api_token` shows a new token once).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from kapclinic.accounts import actions
from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import ApiToken
from kapclinic.audit.django_admin import AuditedAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin, admin.ModelAdmin[ApiToken]):
    """Clinic admins list tokens and revoke them; tokens are made by the
    create_api_token command, which shows the token once."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__email", "user__full_name", "name", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("token_hash",)
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewable, never edited: revoking is the only change, through the action.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            actions.revoke_api_token(actor=current_user(request), token=token)
        self.message_user(request, f"{len(queryset)} tokens revoked.", messages.SUCCESS)
