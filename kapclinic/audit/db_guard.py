"""A database trigger that refuses changes to audit rows.

`AuditEvent.save` and `.delete` already refuse, but a bulk `QuerySet.update()` or a
stray SQL statement from the application would not go through them. The trigger
makes the database itself refuse UPDATE (both databases) and DELETE (PostgreSQL).
The one update allowed is sealing a pending row (`audit/seal.py`): setting its
seq, prev_hash and hash once, with every other column unchanged.
SQLite keeps DELETE allowed because Django's test flush empties tables with
DELETE; a deleted row is still caught by `verify_audit`. Someone with rights to
drop the trigger can still tamper; the hash chain is what detects that.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditevent"
TRIGGER = "audit_event_append_only"
MESSAGE = "audit events are append-only"

_POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
           AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash')
               = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{MESSAGE}';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()
    """,
]
# The first form (migration 0003), before audit rows had a `seq` to seal.
_POSTGRES_INSTALL_V1 = [
    f"""
    CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}';
    END;
    $$ LANGUAGE plpgsql
    """,
    _POSTGRES_INSTALL[1],
]
_POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TRIGGER}()",
]
# Every column but the three that sealing sets.
CONTENT_COLUMNS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_role",
    "action",
    "outcome",
    "patient_id",
    "object_type",
    "object_id",
    "ip_address",
    "request_id",
    "path",
    "flagged",
    "detail",
)
_SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT_COLUMNS)
_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TRIGGER} BEFORE UPDATE ON {TABLE}
    WHEN OLD.seq IS NOT NULL OR NEW.seq IS NULL OR {_SQLITE_CHANGED}
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}');
    END
    """
]
_SQLITE_INSTALL_V1 = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TRIGGER} BEFORE UPDATE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}');
    END
    """
]
_SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {TRIGGER}"]


def _statements(connection: BaseDatabaseWrapper, *, install: bool, v1: bool = False) -> list[str]:
    if connection.vendor == "postgresql":
        if install:
            return _POSTGRES_INSTALL_V1 if v1 else _POSTGRES_INSTALL
        return _POSTGRES_REMOVE
    if connection.vendor == "sqlite":
        if install:
            return _SQLITE_INSTALL_V1 if v1 else _SQLITE_INSTALL
        return _SQLITE_REMOVE
    return []


def install(connection: BaseDatabaseWrapper, *, v1: bool = False) -> None:
    """Install the trigger; `v1=True` is the first form, for migration 0003 only."""
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=True, v1=v1):
            cursor.execute(sql)


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=False):
            cursor.execute(sql)
