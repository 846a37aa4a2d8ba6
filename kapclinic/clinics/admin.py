"""Django admin for the organisation, sites, rooms and chairs.

Clinic admins (is_staff, role clinic_admin) may use it without per-model Django
permissions; every save and delete made here writes an audit row like the
clinic pages do. Site settings are edited only on the clinic page, which keeps
old and new values in the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Chair, Organisation, Room, Site


def _is_clinic_admin(request: HttpRequest) -> bool:
    user = request.user
    return (
        isinstance(user, User)
        and user.is_active
        and (user.is_superuser or user.role == Role.CLINIC_ADMIN)
    )


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Open to clinic admins; every change is recorded in the audit trail."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_clinic_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_clinic_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_clinic_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_clinic_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_clinic_admin(request)

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        record(
            actor=_actor(request),
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            detail={"fields": sorted(form.changed_data), "via": "django-admin"},
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        pk = obj.pk
        label = obj._meta.label_lower
        super().delete_model(request, obj)
        detail = {"via": "django-admin"}
        record(
            actor=_actor(request),
            action=AuditAction.DELETE,
            object_type=label,
            object_id=str(pk),
            detail=detail,
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "phone", "email"]


class RoomInline(admin.TabularInline[Room, Site]):
    model = Room
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_clinic_admin(request)


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ["name", "city", "time_zone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "city"]
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(AuditedAdmin):
    list_display = ["name", "site", "kind", "is_active"]
    list_filter = ["site", "kind", "is_active"]
    list_select_related = ["site"]


@admin.register(Chair)
class ChairAdmin(AuditedAdmin):
    list_display = ["name", "room", "monitored", "is_active"]
    list_filter = ["room__site", "monitored", "is_active"]
    list_select_related = ["room__site"]
