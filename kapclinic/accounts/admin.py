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
from django.forms import ModelForm
from django.http import HttpRequest

from kapclinic.accounts import actions
from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role, StaffCredential, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction


class ClinicAdminPermissions:
    """Clinic admins (and superusers) may manage these models in the Django admin."""

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active and (user.is_superuser or getattr(user, "is_clinic_admin", False))
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request) and self._may_touch(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request) and self._may_touch(request, obj)

    def _may_touch(self, request: HttpRequest, obj: Any) -> bool:
        # A clinic admin must not take over a superuser (e.g. by setting its password).
        return not (getattr(obj, "is_superuser", False) and not request.user.is_superuser)


def _audit_save(request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
    record(
        actor=current_user(request),
        action=AuditAction.UPDATE if change else AuditAction.CREATE,
        obj=obj,
        detail={"fields": sorted(form.changed_data), "via": "django_admin"},
    )


class StaffCredentialInline(ClinicAdminPermissions, admin.TabularInline[StaffCredential, User]):
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
class UserAdmin(ClinicAdminPermissions, BaseUserAdmin):  # type: ignore[type-arg]  # stubs want AbstractUser; ours is AbstractBaseUser
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
        _audit_save(request, obj, form, change)

    @admin.action(description="Reset two-factor (lost phone): they set it up again")
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            actions.reset_two_factor(actor=current_user(request), user=user)
        self.message_user(
            request, f"Two-factor reset for {len(queryset)} people.", messages.SUCCESS
        )


@admin.register(StaffCredential)
class StaffCredentialAdmin(ClinicAdminPermissions, admin.ModelAdmin[StaffCredential]):
    list_display = ("user", "kind", "number", "issuer", "expires_on")
    list_filter = ("kind",)
    search_fields = ("user__full_name", "number")
    autocomplete_fields = ("user",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _audit_save(request, obj, form, change)
