"""Every change to the clinic's configuration: sites, rooms, chairs, thresholds.

Each action is atomic, takes a keyword-only `actor`, re-reads the row it changes
under a lock, saves only the fields that changed and writes one audit row in the
same transaction. Nothing changed means nothing saved and nothing audited. Staff
accounts and credentials are in `clinics/staff_actions.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models, transaction

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Chair, Organisation, Room, Site, SiteSettings
from kapclinic.clinics.thresholds import THRESHOLD_FIELDS

M = TypeVar("M", bound=models.Model)

SITE_FIELDS = (
    "name",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
    "time_zone",
    "on_call_prescriber",
    "is_active",
)
ROOM_FIELDS = ("name", "kind", "is_active")
CHAIR_FIELDS = ("name", "monitored", "is_active")


def concrete_field(model: type[models.Model] | models.Model, name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def apply_changes(
    obj: models.Model, data: Mapping[str, Any], fields: tuple[str, ...]
) -> dict[str, list[Any]]:
    """Set each of `fields` present in `data` that differs; return {field: [old, new]}.

    Foreign keys are compared (and reported) by primary key.
    """
    changes: dict[str, list[Any]] = {}
    for name in fields:
        if name not in data:
            continue
        field = concrete_field(obj, name)
        if field.many_to_one:
            old = getattr(obj, field.attname)
            new = _plain(data[name])
            if old != new:
                setattr(obj, field.attname, new)
                changes[name] = [old, new]
        else:
            old = getattr(obj, name)
            if old != data[name]:
                setattr(obj, name, data[name])
                changes[name] = [old, data[name]]
    return changes


def create_row(
    obj: M,
    data: Mapping[str, Any],
    fields: tuple[str, ...],
    *,
    actor: User,
    detail: Mapping[str, Any] | None = None,
) -> M:
    """Fill `obj` from `data`, validate, insert it and audit the creation.

    `detail` adds to the audit row's detail (ids only, never personal data).
    """
    apply_changes(obj, data, fields)
    obj.full_clean()
    obj.save()
    audit_detail = {"fields": sorted(fields), **(detail or {})}
    record(actor=actor, action=AuditAction.CREATE, obj=obj, detail=audit_detail)
    return obj


def update_row(
    obj: models.Model,
    data: Mapping[str, Any],
    fields: tuple[str, ...],
    *,
    actor: User,
    detail: Mapping[str, Any] | None = None,
) -> list[str]:
    """Apply `data` to `obj` (already locked by the caller); save and audit what changed.

    Returns the names of the changed fields; nothing changed means nothing written.
    """
    changes = apply_changes(obj, data, fields)
    if not changes:
        return []
    obj.full_clean()
    obj.save(update_fields=[concrete_field(obj, name).attname for name in changes])
    changed = sorted(changes)
    audit_detail = {"fields": changed, **(detail or {})}
    record(actor=actor, action=AuditAction.UPDATE, obj=obj, detail=audit_detail)
    return changed


@transaction.atomic
def create_site(*, actor: User, organisation: Organisation, data: Mapping[str, Any]) -> Site:
    """A new site with its settings row of default thresholds."""
    site = create_row(Site(organisation=organisation), data, SITE_FIELDS, actor=actor)
    SiteSettings.objects.create(site=site)
    return site


@transaction.atomic
def update_site(site: Site, *, actor: User, data: Mapping[str, Any]) -> list[str]:
    locked = Site.objects.select_for_update().get(pk=site.pk)
    return update_row(locked, data, SITE_FIELDS, actor=actor)


@transaction.atomic
def create_room(*, actor: User, site: Site, data: Mapping[str, Any]) -> Room:
    return create_row(Room(site=site), data, ROOM_FIELDS, actor=actor)


@transaction.atomic
def update_room(room: Room, *, actor: User, data: Mapping[str, Any]) -> list[str]:
    locked = Room.objects.select_for_update().get(pk=room.pk)
    return update_row(locked, data, ROOM_FIELDS, actor=actor)


@transaction.atomic
def create_chair(*, actor: User, room: Room, data: Mapping[str, Any]) -> Chair:
    return create_row(Chair(room=room), data, CHAIR_FIELDS, actor=actor)


@transaction.atomic
def update_chair(chair: Chair, *, actor: User, data: Mapping[str, Any]) -> list[str]:
    locked = Chair.objects.select_for_update().get(pk=chair.pk)
    return update_row(locked, data, CHAIR_FIELDS, actor=actor)


@transaction.atomic
def update_site_settings(
    site: Site, *, actor: User, data: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """Change a site's clinical thresholds; the audit row keeps old and new values.

    Thresholds are not PHI, so the values themselves go in the audit detail.
    """
    row = SiteSettings.objects.select_for_update().filter(site=site).first()
    if row is None:
        row = SiteSettings(site=site)
    changes = apply_changes(row, data, THRESHOLD_FIELDS)
    if not changes:
        return {}
    row.full_clean()
    if row.pk is None:
        row.save()
    else:
        row.save(update_fields=list(changes))
    record(actor=actor, action=AuditAction.SETTINGS, obj=row, detail={"changes": changes})
    return changes
