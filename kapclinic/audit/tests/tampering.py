"""Lift the append-only trigger for a moment, to play an attacker with database rights."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from kapclinic.audit import db_guard


@contextmanager
def tampering() -> Iterator[None]:
    db_guard.remove(connection)
    try:
        yield
    finally:
        db_guard.install(connection)
