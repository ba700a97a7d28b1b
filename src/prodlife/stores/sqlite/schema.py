"""The SQLite store's schema: its forward migrations, and how a database is brought up to date."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Final

from prodlife.errors import StoreError

#: The forward migrations, in order; each is a list of SQL statements. Never
#: edit one that was released: append a new one.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
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

#: The schema version this code writes: how many migrations it knows.
SCHEMA_VERSION: Final[int] = len(_MIGRATIONS)

_VERSION_TABLE = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
_VERSION_READ = "SELECT version FROM schema_version"
_VERSION_CREATE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"
)
_VERSION_WRITE = "INSERT OR REPLACE INTO schema_version (id, version) VALUES (1, ?)"


def schema_version(connection: sqlite3.Connection, path: str, known: int) -> int:
    """The schema version of the database on ``connection`` (0: none yet).

    Raises:
        StoreError: the version is unreadable, or higher than ``known`` (a newer prodlife).
    """
    if connection.execute(_VERSION_TABLE).fetchone() is None:
        return 0
    row = connection.execute(_VERSION_READ).fetchone()
    version = 0 if row is None else row[0]
    if not isinstance(version, int) or version < 0:
        raise StoreError(
            f"the SQLite database {path!r} has an unreadable schema version "
            f"{version!r}; restore it from a backup"
        )
    if version > known:
        raise StoreError(
            f"the SQLite database {path!r} has schema version {version}, newer than "
            f"the {known} this prodlife knows; it was written by a newer prodlife: "
            "upgrade prodlife to open it"
        )
    return version


def migrate(
    connection: sqlite3.Connection,
    path: str,
    migrations: Sequence[Sequence[str]],
    known: int,
) -> None:
    """Apply the missing ``migrations`` up to version ``known`` (inside the caller's
    transaction)."""
    version = schema_version(connection, path, known)  # again, under the write lock
    connection.execute(_VERSION_CREATE)
    for statements in migrations[version:known]:
        for statement in statements:
            connection.execute(statement)
    connection.execute(_VERSION_WRITE, (known,))
