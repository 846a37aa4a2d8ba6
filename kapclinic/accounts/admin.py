"""Django admin for people and their credentials.

Only clinic admins have `is_staff`, so only they reach the Django admin; they manage
accounts here without needing Django model permissions. Superuser status and
permissions are not editable here (createsuperuser is the way to grant them).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest

from kapclinic.accounts import actions
from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import ApiToken, Role, StaffCredential, User
from kapclinic.audit.django_admin import AuditedAdmin, ClinicAdminOnly


class StaffCredentialInline(ClinicAdminOnly, admin.TabularInline[StaffCredential, User]):
    model = StaffCredential
    extra = 0


class KapUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role")


class KapUserChangeForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = ("email", "full_name", "role", "sites", "is_active")


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):  # type: ignore[type-arg]  # stubs want AbstractUser; ours is AbstractBaseUser
    form = KapUserChangeForm
    add_form = KapUserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "role", "sites", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "full_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "sites")
    search_fields = ("email", "full_name")
    ordering = ("full_name",)
    filter_horizontal = ("sites",)
    inlines = (StaffCredentialInline,)
    actions = ("reset_two_factor",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Django admin access follows the role: clinic admins only.
        obj.is_staff = obj.role == Role.CLINIC_ADMIN
        super().save_model(request, obj, form, change)

    @admin.action(description="Reset two-factor (lost phone): they set it up again")
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            actions.reset_two_factor(actor=current_user(request), user=user)
        self.message_user(
            request, f"Two-factor reset for {len(queryset)} people.", messages.SUCCESS
        )


@admin.register(StaffCredential)
class StaffCredentialAdmin(AuditedAdmin, admin.ModelAdmin[StaffCredential]):
    list_display = ("user", "kind", "number", "issuer", "expires_on")
    list_filter = ("kind",)
    search_fields = ("user__full_name", "number")
    autocomplete_fields = ("user",)


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
