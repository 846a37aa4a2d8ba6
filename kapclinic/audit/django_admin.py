"""What every kapclinic page in Django admin shares: clinic admins only, and audited.

Only clinic admins have `is_staff`, so only they reach Django admin; these mixins let
them use it without per-model Django permissions, keep a superuser's own record out
of a clinic admin's hands, and write one audit row for every save and delete, as the
clinic pages do.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction

VIA = "django-admin"


def is_clinic_admin(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and user.is_active and (user.is_superuser or user.is_clinic_admin)


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


class ClinicAdminOnly:
    """Permissions for Django admin classes and inlines: clinic admins (and superusers)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_clinic_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_clinic_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_clinic_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_clinic_admin(request) and _may_touch(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_clinic_admin(request) and _may_touch(request, obj)


def _may_touch(request: HttpRequest, obj: Any) -> bool:
    # A clinic admin must not take over a superuser (e.g. by setting its password).
    return not (getattr(obj, "is_superuser", False) and not request.user.is_superuser)


class AuditedAdmin(ClinicAdminOnly):
    """Mix into a ModelAdmin: clinic admins only, each save and delete audited."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        record(
            actor=_actor(request),
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            detail={"fields": sorted(form.changed_data), "via": VIA},
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        pk, label = obj.pk, obj._meta.label_lower
        super().delete_model(request, obj)  # type: ignore[misc]
        record(
            actor=_actor(request),
            action=AuditAction.DELETE,
            object_type=label,
            object_id=str(pk),
            detail={"via": VIA},
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # One audited delete per row, never a silent bulk delete.
        for obj in queryset:
            self.delete_model(request, obj)
