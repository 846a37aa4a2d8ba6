"""Shared by the PostgreSQL benchmarks: the database and its durability settings."""

from __future__ import annotations

import os


def prepare_cluster() -> None:
    """Create DATABASE_URL's database, and turn durability back on.

    scripts/with-postgres starts its throwaway cluster with fsync and synchronous
    commit off, which would flatter every write; production runs with them on.
    """
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("run under scripts/with-postgres (needs DATABASE_URL to PostgreSQL)")
    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"ALTER SYSTEM SET {setting} = on")
        conn.execute("SELECT pg_reload_conf()")
