"""Django admin for the organisation, sites, rooms and chairs.

Clinic admins (is_staff, role clinic_admin) may use it without per-model Django
permissions; every save and delete made here writes an audit row like the
clinic pages do. Site settings are edited only on the clinic page, which keeps
old and new values in the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey
from django.forms import ModelChoiceField
from django.http import HttpRequest

from kapclinic.accounts.models import Role, User
from kapclinic.audit.django_admin import AuditedAdmin, is_clinic_admin
from kapclinic.clinics.models import Chair, Organisation, Room, Site


class ClinicModelAdmin(AuditedAdmin, admin.ModelAdmin[Any]):
    """Open to clinic admins; every change is recorded in the audit trail."""


@admin.register(Organisation)
class OrganisationAdmin(ClinicModelAdmin):
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
        return is_clinic_admin(request)


@admin.register(Site)
class SiteAdmin(ClinicModelAdmin):
    list_display = ["name", "city", "time_zone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "city"]
    inlines = [RoomInline]

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        # The same choice as the clinic's site page: escalated alerts go to an
        # active prescriber.
        if db_field.name == "on_call_prescriber":
            kwargs["queryset"] = User.objects.filter(role=Role.PRESCRIBER, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Room)
class RoomAdmin(ClinicModelAdmin):
    list_display = ["name", "site", "kind", "is_active"]
    list_filter = ["site", "kind", "is_active"]
    list_select_related = ["site"]


@admin.register(Chair)
class ChairAdmin(ClinicModelAdmin):
    list_display = ["name", "room", "monitored", "is_active"]
    list_filter = ["room__site", "monitored", "is_active"]
    list_select_related = ["room__site"]
