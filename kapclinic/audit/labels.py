"""The audit log in people's words: what each record is, and what changed.

The audit app is the floor every app writes to, so it imports none of them. Apps
tell it how to name their records and fields instead (in their `AppConfig.ready`):

- `name_records(object_type, field)`: records of this type are shown with their
  name, read from `field` (e.g. a site's name). Only for records that are not
  patient data; a contact or a medication is shown by its kind alone, and the
  patient column gives the MRN.
- `label_fields(object_type, labels)`: human labels for field names that the
  model's verbose names do not already give (e.g. the clinical thresholds).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

_NAME_FIELDS: dict[str, tuple[str, dict[str, Any]]] = {}
_FIELD_LABELS: dict[str, dict[str, str]] = {}


def name_records(object_type: str, field: str, **only: Any) -> None:
    """Show records of `object_type` by `field`; `only` limits which (e.g. staff users)."""
    _NAME_FIELDS[object_type] = (field, only)


def label_fields(object_type: str, labels: Mapping[str, str]) -> None:
    _FIELD_LABELS.setdefault(object_type, {}).update(labels)


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def kind(object_type: str) -> str:
    """ "Medication", "Site settings": the model's own name, capitalised."""
    model = _model(object_type)
    if model is None:
        return object_type
    name = str(model._meta.verbose_name)
    return name[:1].upper() + name[1:]


def field_label(object_type: str, field: str) -> str:
    """The label people know a field by: registered, else the model's verbose name."""
    registered = _FIELD_LABELS.get(object_type, {}).get(field)
    if registered:
        return registered
    model = _model(object_type)
    if model is not None:
        try:
            name = str(model._meta.get_field(field).verbose_name)  # type: ignore[union-attr]
        except FieldDoesNotExist:
            name = field.replace("_", " ")
    else:
        name = field.replace("_", " ")
    return name[:1].upper() + name[1:]


def record_names(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Readable names for (object type, object id) pairs: one query per named type."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for object_type, object_id in pairs:
        if object_id and object_type in _NAME_FIELDS:
            wanted[object_type].add(object_id)
    names: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        model = _model(object_type)
        if model is None:
            continue
        field, only = _NAME_FIELDS[object_type]
        numeric = [int(i) for i in ids if i.isdigit()]
        rows = model._base_manager.filter(pk__in=numeric, **only).values_list("pk", field)
        for pk, name in rows:
            names[(object_type, str(pk))] = f"{kind(object_type)}: {name}"
    return names


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def changes(object_type: str, detail: Mapping[str, Any]) -> list[Change]:
    """Old and new values, where the event recorded them (settings, never PHI)."""
    recorded = detail.get("changes")
    if not isinstance(recorded, Mapping):
        return []
    out = []
    for name, pair in sorted(recorded.items()):
        if isinstance(pair, list | tuple) and len(pair) == 2:
            out.append(Change(field_label(object_type, name), _shown(pair[0]), _shown(pair[1])))
    return out


def changed_fields(object_type: str, detail: Mapping[str, Any]) -> list[str]:
    """The labels of the fields an event says it changed (names only, no values)."""
    fields = detail.get("fields")
    if not isinstance(fields, list):
        return []
    return [field_label(object_type, str(name)) for name in fields]
