"""Every column of an audit row is covered by its hash, so changing any one is caught.

The field list comes from the model, so a column added later is tampered with here
too, and the coverage test fails until the hash and `verify_audit` include it.
"""

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from kapclinic.audit import chain
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.audit.tests.tampering import tampering
from kapclinic.audit.verify import ROW_FIELDS

pytestmark = pytest.mark.django_db

NOT_HASHED = {"id", "hash"}
# Chain columns: not inside the payload, but covered all the same. prev_hash is the
# prefix of the hashed text; seq is the order `verify_audit` walks the chain in, so a
# changed seq reorders the walk and breaks the links around the row.
CHAIN_COLUMNS = {"prev_hash", "seq"}
HASHED_FIELDS = [f for f in AuditEvent._meta.concrete_fields if f.attname not in NOT_HASHED]


@pytest.fixture
def events(cast):
    return [
        record(actor=cast.admin, action=AuditAction.LIST),
        record(
            actor=cast.nurse,
            action=AuditAction.VIEW,
            patient=cast.patient,
            obj=cast.patient,
            detail={"fields": ["allergies"]},
        ),
        record(actor=cast.prescriber, action=AuditAction.UPDATE, patient=cast.patient),
    ]


def _other_value(field: models.Field, value: Any) -> Any:
    """A different value of the same kind, as an attacker with database rights would write."""
    if isinstance(field, models.ForeignKey):
        related = field.related_model
        assert isinstance(related, type) and issubclass(related, models.Model)
        return related._default_manager.exclude(pk=value).values_list("pk", flat=True).first()
    if isinstance(field, models.DateTimeField):
        return value + dt.timedelta(seconds=1)
    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(field, models.JSONField):
        return {**value, "tampered": True}
    if isinstance(field, models.BigIntegerField):
        return value + 1000
    if isinstance(field, models.GenericIPAddressField):
        return "203.0.113.9" if value != "203.0.113.9" else "203.0.113.10"
    if isinstance(field, models.CharField):
        if field.choices:
            return next(choice for choice, _ in field.choices if choice != value)
        # Same length where possible (hashes are exactly 64 characters).
        return value[:-1] + ("y" if value.endswith("x") else "x") if value else "x"
    raise AssertionError(f"teach this test how to tamper with a {type(field).__name__}")


@pytest.mark.parametrize("field", HASHED_FIELDS, ids=lambda f: f.attname)
def test_changing_any_hashed_column_is_reported(events, capsys, field):
    target = events[1]
    value = AuditEvent.objects.filter(pk=target.pk).values_list(field.attname, flat=True).get()
    new_value = _other_value(field, value)
    assert new_value not in (None, value)
    with tampering():
        AuditEvent.objects.filter(pk=target.pk).update(**{field.attname: new_value})
    with pytest.raises(CommandError):
        call_command("verify_audit")
    err = capsys.readouterr().err
    if field.attname == "seq":
        # The walk reaches the rows around it in the wrong order.
        assert ": broken link" in err
    else:
        assert f"row {target.pk}: altered" in err


def test_the_hash_covers_every_column_but_id_and_hash(events):
    columns = {f.attname for f in AuditEvent._meta.concrete_fields}
    assert set(ROW_FIELDS) | {"seq"} == columns
    row = dict(zip(ROW_FIELDS, AuditEvent.objects.values_list(*ROW_FIELDS)[1], strict=True))
    payload = chain.event_payload(
        **{k: v for k, v in row.items() if k not in {*NOT_HASHED, "prev_hash"}}
    )
    assert set(payload) | CHAIN_COLUMNS == columns - NOT_HASHED
