"""What every kapclinic page in Django admin shares: clinic admins only, and audited.

Only clinic admins have `is_staff`, so only they reach Django admin; these mixins let
them use it without per-model Django permissions, keep a superuser's own record out
of a clinic admin's hands, and write one audit row for every save and delete, as the
clinic pages do. `kapclinic.admin_site.KapAdminSite` admits only admins built on
`AuditedAdmin` and records every page they open.

No admin page may list, show or pick a patient's portal account: a form field or
queryset of accounts offers staff accounts only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import ForeignKey, ManyToManyField, Model, QuerySet
from django.forms import ModelChoiceField, ModelForm, ModelMultipleChoiceField
from django.http import Http404, HttpRequest

from kapclinic.accounts.models import STAFF_ROLES, User
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


def staff_accounts() -> QuerySet[User]:
    """The accounts an admin page may offer or show: staff, never patients."""
    return User.objects.filter(role__in=STAFF_ROLES)


class AuditedAdmin(ClinicAdminOnly):
    """Mix into a ModelAdmin: clinic admins only, each save and delete audited."""

    # Django's "view on site" link goes through a generic lookup of any object by
    # id, which KapAdminSite does not serve.
    view_on_site = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        if queryset.model is User:
            return queryset.filter(role__in=STAFF_ROLES)
        return queryset

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        # Django answers an unknown id with a redirect that says it does not exist;
        # like the rest of the app, say only "not found" (a patient's account id
        # must look the same as any id that is not there).
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is None:
            raise Http404("Not found")
        return obj

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        # A choice of accounts (an on-call prescriber, say) lists staff only, and a
        # posted patient account id is refused as an invalid choice.
        if db_field.related_model is User and "queryset" not in kwargs:
            kwargs["queryset"] = staff_accounts()
        field: ModelChoiceField[Any] | None = super().formfield_for_foreignkey(  # type: ignore[misc]
            db_field, request, **kwargs
        )
        return field

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField[Any] | None:
        if db_field.related_model is User and "queryset" not in kwargs:
            kwargs["queryset"] = staff_accounts()
        field: ModelMultipleChoiceField[Any] | None = super().formfield_for_manytomany(  # type: ignore[misc]
            db_field, request, **kwargs
        )
        return field

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
