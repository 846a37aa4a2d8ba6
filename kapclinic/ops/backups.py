"""Consistent backups and restores of the whole database, checked with verify_audit.

SQLite: the online backup API copies a consistent snapshot while the app goes on
writing (a plain file copy can miss what is still in the `-wal` file). PostgreSQL:
`pg_dump` custom format (one snapshot, compressed) and `pg_restore`. Every backup
is verified by restoring it into a scratch database and running `verify_audit`
there; every restore runs `verify_audit`, whose anchors report a backup older
than the newest anchored events.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

SQLITE_SUFFIX = ".sqlite3"
POSTGRES_SUFFIX = ".pgdump"


def default_path() -> Path:
    suffix = SQLITE_SUFFIX if connection.vendor == "sqlite" else POSTGRES_SUFFIX
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"kapclinic-{stamp}{suffix}"


def _pg_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise CommandError(f"{command[0]} failed: {done.stderr.strip()}")


def backup(path: Path) -> None:
    """Write a consistent copy of the database to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return
    if connection.vendor != "postgresql":
        raise CommandError(f"No backup method for {connection.vendor}.")
    db = connection.settings_dict
    args, env = _pg_args(db)
    _run(["pg_dump", "--format=custom", *args, f"--file={path}", str(db["NAME"])], env)


def restore(path: Path) -> None:
    """Replace the database's contents with the backup at `path`."""
    if not path.is_file():
        raise CommandError(f"No backup file at {path}.")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    db = connection.settings_dict
    connection.close()  # pg_restore --clean drops tables this connection may hold
    args, env = _pg_args(db)
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *args,
            f"--dbname={db['NAME']}",
            str(path),
        ],
        env,
    )


def _database_url(db: dict[str, Any], name: str) -> str:
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(name, safe='')}"


@contextmanager
def _scratch_database(path: Path) -> Iterator[str]:
    """A DATABASE_URL for a database holding the backup at `path`, removed after."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{path.resolve()}"
        return
    db = connection.settings_dict
    name = f"kapclinic_check_{uuid.uuid4().hex[:8]}"
    args, env = _pg_args(db)
    _run(["createdb", *args, name], env)
    try:
        _run(["pg_restore", "--no-owner", *args, f"--dbname={name}", str(path)], env)
        yield _database_url(db, name)
    finally:
        _run(["dropdb", *args, name], env)


def verify_live() -> tuple[bool, str]:
    """Run verify_audit on the live database."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
        ok = True
    except CommandError as exc:
        err.write(f"{exc}\n")
        ok = False
    return ok, (out.getvalue() + err.getvalue()).strip()


def verify_backup(path: Path) -> tuple[bool, str]:
    """Run verify_audit, in a process of its own, on a copy of the backup at `path`.

    A separate process opens the copy exactly as a restored clinic would, and
    leaves this process's own database connection alone.
    """
    with _scratch_database(path) as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "AUDIT_ANCHOR_FILE": str(settings.AUDIT_ANCHOR_FILE),
        }
        done = subprocess.run(  # noqa: S603
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "verify_audit"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    return done.returncode == 0, (done.stdout + done.stderr).strip()
