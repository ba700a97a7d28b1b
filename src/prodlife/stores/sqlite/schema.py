"""The SQLite store's schema: its own (frozen) migrations, then the ones every database shares."""

from __future__ import annotations

import sqlite3
from typing import Final

from prodlife.stores.sql.schema import MIGRATIONS, render

#: SQLite's own migrations, as released versions wrote them: frozen. New ones go in
#: :data:`prodlife.stores.sql.schema.MIGRATIONS`, written once for every database.
_OWN: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE catalog_versions (
            name TEXT PRIMARY KEY NOT NULL,
            effective TEXT NOT NULL,
            doc TEXT NOT NULL
        )""",
        """CREATE TABLE price_plans (
            code TEXT PRIMARY KEY NOT NULL,
            doc TEXT NOT NULL
        )""",
        """CREATE TABLE promotions (
            code_key TEXT PRIMARY KEY NOT NULL,
            code TEXT NOT NULL,
            doc TEXT NOT NULL
        )""",
        """CREATE TABLE promotion_uses (
            code_key TEXT NOT NULL REFERENCES promotions (code_key),
            order_id TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            PRIMARY KEY (code_key, order_id)
        )""",
        "CREATE INDEX promotion_uses_customer ON promotion_uses (code_key, customer_id)",
        """CREATE TABLE services (
            id TEXT PRIMARY KEY NOT NULL,
            customer_id TEXT NOT NULL,
            product_code TEXT NOT NULL,
            status TEXT NOT NULL,
            due_on TEXT,
            version INTEGER NOT NULL,
            worker TEXT,
            lease_until TEXT,
            doc TEXT NOT NULL
        )""",
        "CREATE INDEX services_customer ON services (customer_id, id)",
        "CREATE INDEX services_product ON services (product_code, id)",
        "CREATE INDEX services_status ON services (status, id)",
        """CREATE INDEX services_due ON services (due_on, id, lease_until)
            WHERE due_on IS NOT NULL""",
        """CREATE TABLE orders (
            id TEXT PRIMARY KEY NOT NULL,
            customer_id TEXT NOT NULL,
            placed_at TEXT NOT NULL,
            doc TEXT NOT NULL
        )""",
        "CREATE INDEX orders_customer ON orders (customer_id, placed_at, id)",
        """CREATE TABLE invoice_lines (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            service_id TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            product_code TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            currency TEXT NOT NULL,
            amount TEXT NOT NULL,
            doc TEXT NOT NULL
        )""",
        "CREATE INDEX invoice_lines_service ON invoice_lines (service_id)",
        "CREATE INDEX invoice_lines_customer ON invoice_lines (customer_id)",
        """CREATE INDEX invoice_lines_issued
            ON invoice_lines (issued_at, product_code, currency, amount)""",
        """CREATE TABLE events (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            service_id TEXT NOT NULL,
            published INTEGER NOT NULL DEFAULT 0,
            doc TEXT NOT NULL
        )""",
        "CREATE INDEX events_service ON events (service_id)",
        "CREATE INDEX events_unpublished ON events (sequence) WHERE published = 0",
    ),
    # 2: the due index leaves out the lease, so claiming a service rewrites no index entry
    # (a claim checks the lease on the row itself).
    (
        "DROP INDEX services_due",
        "CREATE INDEX services_due ON services (due_on, id) WHERE due_on IS NOT NULL",
    ),
)

#: How SQLite writes the column types of the shared migrations.
TYPES: Final = {
    "key": "TEXT",
    "text": "TEXT",
    "integer": "INTEGER",
    "flag": "INTEGER",
    "date": "TEXT",
    "instant": "TEXT",
    "amount": "TEXT",
    "doc": "TEXT",
    "bytes": "BLOB",
    "sequence": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "false": "0",
    "true": "1",
    "compact": " WITHOUT ROWID",
    "doc_line_type": "json_extract(doc, '$.type')",
    "doc_cancellation": "json_extract(CASE WHEN json_valid(doc) THEN doc END, '$.cancellation')",
    "doc_bundle_id": "json_extract(CASE WHEN json_valid(doc) THEN doc END, '$.bundle_id')",
}

#: The forward migrations, in order; each is a list of SQL statements.
_MIGRATIONS: tuple[tuple[str, ...], ...] = _OWN + render(MIGRATIONS, TYPES)

#: The schema version this code writes: how many migrations it knows.
SCHEMA_VERSION: Final[int] = len(_MIGRATIONS)

VERSION_TABLE: Final = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"
)

_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"


def tables(connection: sqlite3.Connection) -> set[str]:
    """The names of the tables in the database (SQLite's own left out)."""
    return {name for (name,) in connection.execute(_TABLES) if not name.startswith("sqlite_")}
