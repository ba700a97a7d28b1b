"""The SQL layer written once: a migration written once reaches each database in its own types.

The repositories, claims and unit of work of :mod:`prodlife.stores.sql` are proved by the
conformance suite on both SQL stores (``test_contract.py``); here, what is shared in the schema.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from prodlife.stores import sqlite as sqlite_module
from prodlife.stores.postgres import schema as postgres_schema
from prodlife.stores.sql.schema import MIGRATIONS, render
from prodlife.stores.sqlite import SQLiteStore
from prodlife.stores.sqlite import schema as sqlite_schema

#: A table as a new migration would write it: once, with type names.
NOTES = (
    (
        "CREATE TABLE notes (sequence {sequence}, service_id {key} NOT NULL, "
        "at {instant} NOT NULL, day {date}, amount {amount} NOT NULL, doc {doc} NOT NULL, "
        "done {flag} NOT NULL DEFAULT {false}, tries {integer}, note {text})",
        "CREATE INDEX notes_by_service ON notes (service_id, sequence)",
    ),
)


def test_both_dialects_name_every_type_and_render_the_shared_migrations() -> None:
    assert set(sqlite_schema.TYPES) == set(postgres_schema.TYPES)
    for schema in (sqlite_schema, postgres_schema):
        own = len(schema._OWN)
        assert schema._MIGRATIONS[own:] == render(MIGRATIONS, schema.TYPES)
        assert own + len(MIGRATIONS) == schema.SCHEMA_VERSION


def test_a_shared_migration_creates_sqlite_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "billing.db"
    added = render(NOTES, sqlite_schema.TYPES)
    monkeypatch.setattr(sqlite_module, "_MIGRATIONS", (*sqlite_module._MIGRATIONS, *added))
    known = sqlite_module.SCHEMA_VERSION + 1
    monkeypatch.setattr(sqlite_module, "SCHEMA_VERSION", known)
    SQLiteStore(path).close()
    with sqlite3.connect(path) as connection:
        columns = {row[1]: row[2] for row in connection.execute("PRAGMA table_info(notes)")}
        (version,) = connection.execute("SELECT version FROM schema_version").fetchone()
    assert columns == {
        "sequence": "INTEGER",
        "service_id": "TEXT",
        "at": "TEXT",
        "day": "TEXT",
        "amount": "TEXT",
        "doc": "TEXT",
        "done": "INTEGER",
        "tries": "INTEGER",
        "note": "TEXT",
    }
    assert version == known


def test_a_shared_migration_creates_postgresql_columns(
    postgresql_url: str, postgresql_new_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    from prodlife.stores.postgres import PostgresStore

    added = render(NOTES, postgres_schema.TYPES)
    monkeypatch.setattr(postgres_schema, "_MIGRATIONS", (*postgres_schema._MIGRATIONS, *added))
    monkeypatch.setattr(postgres_schema, "SCHEMA_VERSION", postgres_schema.SCHEMA_VERSION + 1)
    PostgresStore(postgresql_url, schema=postgresql_new_schema).close()
    with psycopg.connect(postgresql_url) as connection:
        rows: list[Any] = connection.execute(
            "SELECT column_name, data_type, collation_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'notes'",
            (postgresql_new_schema,),
        ).fetchall()
    assert {name: (kind, collation) for name, kind, collation in rows} == {
        "sequence": ("bigint", None),
        "service_id": ("text", "C"),
        "at": ("timestamp with time zone", None),
        "day": ("date", None),
        "amount": ("numeric", None),
        "doc": ("jsonb", None),
        "done": ("boolean", None),
        "tries": ("integer", None),
        "note": ("text", None),
    }
