"""The SQL layer's schema, the same in every database: shared migrations, and refusing to
move into another program's database.

The repositories, claims and unit of work of :mod:`prodlife.stores.sql` are proved by the
conformance suite on both SQL stores (``test_contract.py``); here, what is shared in the schema.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from prodlife.errors import ForeignDatabase, ValidationError
from prodlife.lifecycle import CancellationKind, request_cancellation
from prodlife.lifecycle.service_parts import ENDED
from prodlife.lifecycle.status import ServiceStatus, Status
from prodlife.stores import open_store
from prodlife.stores import sqlite as sqlite_module
from prodlife.stores._catalog_form import load_form
from prodlife.stores._documents import loads
from prodlife.stores.postgres import schema as postgres_schema
from prodlife.stores.sql import catalog as sql_catalog
from prodlife.stores.sql.schema import MIGRATIONS, render
from prodlife.stores.sql.statements import Statements
from prodlife.stores.sqlite import SQLiteStore
from prodlife.stores.sqlite import schema as sqlite_schema
from prodlife.stores.sqlite.dialect import SQLiteDialect
from prodlife.testing.contract import make_version
from tests._lifecycle import OWNER, SERVICE_ID, at, web
from tests._support import d
from tests.stores._postgresql import IsolatedSchema

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


# --- open cancellation requests, read through their own index --------------------------------

#: The service query of staff's list of open cancellation requests (seed 003), and with paging.
_PENDING = (False, False, False, False, False, False, True, False)
_PENDING_AFTER = (False, False, False, False, True, False, True, False)
_IN_BUNDLE = (False, False, False, False, False, True, False, False)


def test_the_open_cancellations_of_older_documents_leave_out_exactly_the_ended_statuses() -> None:
    (fill,) = [sql for sql in MIGRATIONS[6] if sql.startswith("UPDATE services")]  # the 7th
    named = fill.split("NOT IN (", 1)[1].rstrip(")")
    assert {part.strip(" '") for part in named.split(",")} == {s.value for s in ENDED}


def test_a_sqlite_database_with_open_cancellations_gets_them_indexed_when_upgraded(
    tmp_path: Path,
) -> None:
    path = tmp_path / "billing.db"
    asked = request_cancellation(
        web(), OWNER, at("2025-04-10"), CancellationKind.END_OF_PERIOD, "too dear"
    ).service
    gone = web(
        id="S-2",
        status=ServiceStatus(Status.CANCELLED),
        termination_date=d("2025-04-20"),
        cancellation=asked.cancellation,
    )
    component = web(id="S-4", bundle_id="S-3")
    rows = [(web(id="S-3"), False), (asked, True), (gone, False), (component, False)]
    store = SQLiteStore(path)
    with store.transaction() as uow:
        for service, _ in rows:
            uow.services.add(service, due_on=None)
        uow.commit()
    store.close()
    with closing(sqlite3.connect(path)) as connection, connection:  # back to version 6
        connection.execute("DROP INDEX services_cancelling")  # migration 7's
        connection.execute("ALTER TABLE services DROP COLUMN cancelling")
        connection.execute("DROP INDEX catalog_versions_effective")  # migration 8's
        connection.execute("DROP TABLE catalog_forms")
        connection.execute("DROP INDEX services_bundle")  # migration 9's
        connection.execute("ALTER TABLE services DROP COLUMN bundle_id")
        connection.execute("UPDATE schema_version SET version = version - 3")
        connection.execute("UPDATE services SET doc = '[[[' WHERE id = 'S-3'")  # unreadable
    SQLiteStore(path).close()
    with closing(sqlite3.connect(path)) as connection:
        found = {
            key: (pending, bundle)
            for key, pending, bundle in connection.execute(
                "SELECT id, cancelling, bundle_id FROM services"
            )
        }
    assert found == {
        service.id: (int(pending), service.bundle_id) for service, pending in rows
    }  # each filled from its document (none from the unreadable one)


def test_sqlite_lists_a_bundles_components_from_their_index(tmp_path: Path) -> None:
    path = tmp_path / "billing.db"
    SQLiteStore(path).close()
    sql = "EXPLAIN QUERY PLAN " + Statements(SQLiteDialect()).find(_IN_BUNDLE, False)
    with closing(sqlite3.connect(path)) as connection:
        plan = " ".join(row[3] for row in connection.execute(sql, ["S-1", 10]))
    assert "USING INDEX services_bundle" in plan


def test_sqlite_lists_open_cancellation_requests_from_their_index(tmp_path: Path) -> None:
    path = tmp_path / "billing.db"
    SQLiteStore(path).close()
    statements = Statements(SQLiteDialect())
    with closing(sqlite3.connect(path)) as connection:
        assert statements.find(_PENDING, False).count("cancelling") == 1
        for used, params in ((_PENDING, [10]), (_PENDING_AFTER, ["S-1", 10])):
            sql = "EXPLAIN QUERY PLAN " + statements.find(used, False)
            plan = " ".join(row[3] for row in connection.execute(sql, params))
            assert "USING INDEX services_cancelling" in plan


def test_postgresql_lists_open_cancellation_requests_from_their_index(
    postgresql_url: str, postgresql_new_schema: str
) -> None:
    import psycopg

    from prodlife.stores.postgres import PostgresStore
    from prodlife.stores.postgres.dialect import PostgresDialect

    PostgresStore(postgresql_url, schema=postgresql_new_schema).close()
    sql = "EXPLAIN " + Statements(PostgresDialect()).find(_PENDING, False)
    with psycopg.connect(postgresql_url) as connection:
        connection.execute(f'SET search_path TO "{postgresql_new_schema}"')
        connection.execute("SET enable_seqscan = off")  # an empty table: would it use it?
        plan = " ".join(row[0] for row in connection.execute(sql, [10]).fetchall())
    assert "services_cancelling" in plan


# --- catalog versions, decoded once a store -------------------------------------------------


def _counting_loads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The names of the catalog versions the SQL stores read from the database from now on
    (from their compact forms or their documents)."""
    decoded: list[object] = []
    form, document = load_form, loads

    def from_form(data: bytes, name: str) -> Any:
        decoded.append(name)
        return form(data, name)

    def from_document(kind: type[Any], column: Any, key: object) -> Any:
        decoded.append(key)
        return document(kind, column, key)

    monkeypatch.setattr(sql_catalog, "load_form", from_form)
    monkeypatch.setattr(sql_catalog, "loads", from_document)
    return decoded


def test_a_sql_store_decodes_each_catalog_version_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'billing.db'}"
    writer, reader = open_store(url), open_store(url)
    first, second = make_version("2025"), make_version("2026", date(2026, 1, 1))
    with writer.transaction() as uow:
        uow.catalog.add_version(first)
        uow.commit()
    decoded = _counting_loads(monkeypatch)
    for _ in range(3):
        with reader.transaction(readonly=True) as uow:
            assert uow.catalog.versions().versions == (first,)
    assert decoded == ["2025"]
    with writer.transaction() as uow:
        uow.catalog.add_version(second)
        uow.commit()
    with reader.transaction(readonly=True) as uow:
        assert uow.catalog.versions().versions == (first, second)
    assert decoded == ["2025", "2026"]
    written = _counting_loads(monkeypatch)
    with writer.transaction(readonly=True) as uow:
        assert uow.catalog.versions().versions == (first, second)
    assert written == []  # the writer kept what it committed
    writer.close()
    reader.close()


# --- another program's database -------------------------------------------------------------


def _sqlite_tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows if not name.startswith("sqlite_")}


def test_a_sqlite_file_of_another_program_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
        connection.commit()

    with pytest.raises(ForeignDatabase, match=r"\(accounts\) and no prodlife schema") as raised:
        open_store(f"sqlite:///{path}")
    assert raised.value.tables == ("accounts",)
    assert "allow_foreign_tables=True" in str(raised.value)
    assert _sqlite_tables(path) == {"accounts"}


def test_a_sqlite_file_of_another_program_takes_prodlifes_tables_when_allowed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crm.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("INSERT INTO accounts (name) VALUES ('kept')")
        connection.commit()

    store = open_store(f"sqlite:///{path}", allow_foreign_tables=True)
    with store.transaction() as uow:
        uow.services.add(web(), due_on=None)
        uow.commit()
    store.close()
    again = open_store(f"sqlite:///{path}")  # prodlife's schema is there now: no option needed
    with again.transaction() as uow:
        assert uow.services.get(SERVICE_ID) == web()
    again.close()
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT name FROM accounts").fetchall() == [("kept",)]


def test_an_empty_sqlite_file_is_taken(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    path.touch()
    open_store(f"sqlite:///{path}").close()
    assert "schema_version" in _sqlite_tables(path)


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_allow_foreign_tables_is_true_or_false(tmp_path: Path, value: object) -> None:
    with pytest.raises(ValidationError, match="allow_foreign_tables"):
        open_store(f"sqlite:///{tmp_path}/billing.db", allow_foreign_tables=value)


def test_a_postgresql_schema_of_another_program_is_refused_unless_allowed(
    postgresql_url: str, postgresql_schema: IsolatedSchema, postgresql: Any
) -> None:
    postgresql.execute("CREATE TABLE accounts (id integer PRIMARY KEY, name text)")
    postgresql.execute("INSERT INTO accounts VALUES (1, 'kept')")
    postgresql.commit()

    with pytest.raises(ForeignDatabase, match="accounts") as raised:
        open_store(postgresql_url, schema=postgresql_schema.name)
    assert raised.value.tables == ("accounts",)
    assert "schema='billing'" in str(raised.value)
    tables = "SELECT tablename FROM pg_tables WHERE schemaname = %s"
    names = postgresql.execute(tables, (postgresql_schema.name,)).fetchall()
    assert names == [("accounts",)]
    postgresql.commit()

    store = open_store(postgresql_url, schema=postgresql_schema.name, allow_foreign_tables=True)
    with store.transaction() as uow:
        uow.services.add(web(), due_on=None)
        uow.commit()
    store.close()
    again = open_store(postgresql_url, schema=postgresql_schema.name)
    with again.transaction() as uow:
        assert uow.services.get(SERVICE_ID) == web()
    again.close()
    assert postgresql.execute("SELECT name FROM accounts").fetchall() == [("kept",)]
