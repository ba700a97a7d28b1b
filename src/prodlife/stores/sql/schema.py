"""Schema versions and migrations, the same way in every SQL database.

A store creates and upgrades its own tables when it opens. The table
``schema_version`` holds one row, the number of migrations applied; a dialect's
migrations are an ordered list of forward steps (each a list of statements), and
opening applies the missing ones in one transaction, all or none, under the
database's lock (``BEGIN IMMEDIATE`` in SQLite, an advisory lock in PostgreSQL),
so that stores opening together wait for each other. A database written by a
newer prodlife (a higher version) is refused and left untouched.

Each dialect's first migrations are its own and frozen (they are what released
versions wrote). Migrations added since are written once, here, in
:data:`MIGRATIONS`: their column types are names in braces that each dialect
renders (:func:`render`), so that a new table is one edit for every database:

====================== ======================================= =========================
name                   SQLite                                  PostgreSQL
====================== ======================================= =========================
``{key}``              ``TEXT`` (ids and codes)                ``text COLLATE "C"``
``{text}``             ``TEXT``                                ``text``
``{integer}``          ``INTEGER``                             ``integer``
``{flag}``             ``INTEGER`` (0 or 1)                    ``boolean``
``{date}``             ``TEXT`` (ISO 8601)                     ``date``
``{instant}``          ``TEXT`` (fixed-width UTC ISO 8601)     ``timestamptz``
``{amount}``           ``TEXT`` (exact decimal)                ``numeric``
``{doc}``              ``TEXT`` (JSON)                         ``jsonb``
``{bytes}``            ``BLOB``                                ``bytea``
``{sequence}``         ``INTEGER PRIMARY KEY AUTOINCREMENT``   ``bigserial PRIMARY KEY``
``{false}``            ``0``                                   ``false``
``{true}``             ``1``                                   ``true``
``{compact}``          ``WITHOUT ROWID`` (after a table)       nothing
``{doc_line_type}``    ``json_extract(doc, '$.type')``         ``doc->>'type'``
``{doc_cancellation}`` ``json_extract(doc, '$.cancellation')`` ``doc->>'cancellation'``
``{doc_bundle_id}``    ``json_extract(doc, '$.bundle_id')``    ``doc->>'bundle_id'``
====================== ======================================= =========================

Another program's database is never taken over silently: a database (in
PostgreSQL, a schema) that holds tables but no ``schema_version`` is refused with
:class:`~prodlife.errors.ForeignDatabase`, unless the store is opened with
``allow_foreign_tables=True`` (prodlife's tables then go beside the others).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from prodlife._numbers import is_whole
from prodlife.errors import ForeignDatabase, StoreError

if TYPE_CHECKING:
    from prodlife.stores.sql.dialect import Cursor

__all__ = ["MIGRATIONS", "check_not_foreign", "current_version", "migrate", "render"]

#: The migrations written once for every SQL database, run after each dialect's own.
#: Append new ones; never edit one that was released.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1. Product synchronization runs (prodlife.ports.SyncRunRepository), newest first.
    (
        "CREATE TABLE sync_runs ("
        "id {sequence}, "
        "started {instant} NOT NULL, "
        "file_name {text} NOT NULL, "
        "definition {text} NOT NULL, "
        "created {integer} NOT NULL, "
        "updated {integer} NOT NULL, "
        "failed {integer} NOT NULL, "
        "doc {doc} NOT NULL)",
        "CREATE INDEX sync_runs_newest ON sync_runs (started, id)",
    ),
    # 2. Services at rest: their histories in a table of their own, one row an entry, and
    # the scheduler's due dates and claims in another, so that neither a long life nor a
    # claim rewrites a service's row (prodlife.stores.sql.services).
    (
        "CREATE TABLE service_history ("
        "service_id {key} NOT NULL, "
        "number {integer} NOT NULL, "
        "doc {doc} NOT NULL, "
        "PRIMARY KEY (service_id, number)){compact}",
        "CREATE TABLE schedule ("
        "service_id {key} NOT NULL PRIMARY KEY, "
        "due_on {date}, "
        "worker {text}, "
        "lease_until {instant}){compact}",
        "INSERT INTO schedule (service_id, due_on, worker, lease_until) "
        "SELECT id, due_on, worker, lease_until FROM services",
        "CREATE INDEX schedule_due ON schedule (due_on, service_id) WHERE due_on IS NOT NULL",
        "DROP INDEX IF EXISTS services_due",
        "DROP INDEX IF EXISTS services_by_due_on",
        "ALTER TABLE services DROP COLUMN due_on",
        "ALTER TABLE services DROP COLUMN worker",
        "ALTER TABLE services DROP COLUMN lease_until",
    ),
    # 3. Physical goods (prodlife.ports.GoodsRepository): warehouses, each product's
    # movements numbered 0, 1, 2..., the serial numbers receipts brought (each once per
    # product), and each meter's readings numbered likewise, one per reading time.
    (
        "CREATE TABLE goods_warehouses (code {key} PRIMARY KEY, doc {doc} NOT NULL)",
        "CREATE TABLE goods_movements ("
        "product_code {key} NOT NULL, "
        "sequence {integer} NOT NULL, "
        "on_day {date} NOT NULL, "
        "holder_kind {key}, "
        "holder_id {key}, "
        "holder_customer {key}, "
        "doc {doc} NOT NULL, "
        "PRIMARY KEY (product_code, sequence))",
        "CREATE INDEX goods_movements_holder ON goods_movements (holder_id, holder_kind)",
        "CREATE TABLE goods_serials ("
        "product_code {key} NOT NULL, "
        "serial {key} NOT NULL, "
        "movement_product {key} NOT NULL, "
        "movement_sequence {integer} NOT NULL, "
        "PRIMARY KEY (product_code, serial))",
        "CREATE TABLE goods_readings ("
        "product_code {key} NOT NULL, "
        "serial {key} NOT NULL, "
        "reading_type {key} NOT NULL, "
        "reading_no {integer} NOT NULL, "
        "read_at {instant} NOT NULL, "
        "customer_id {key}, "
        "doc {doc} NOT NULL, "
        "record {doc}, "
        "PRIMARY KEY (product_code, serial, reading_type, reading_no))",
        "CREATE UNIQUE INDEX goods_readings_at "
        "ON goods_readings (product_code, serial, reading_type, read_at)",
        "CREATE INDEX goods_readings_customer ON goods_readings (customer_id, read_at)",
    ),
    # 4. Invoices and payments (prodlife.stores.sql.invoices): invoices with the columns
    # queries filter on (the status kept on every write), the services each bills, each
    # number series' last count, customers' credit balances, payments by reference.
    (
        "CREATE TABLE invoices ("
        "number {key} PRIMARY KEY, "
        "customer_id {key} NOT NULL, "
        "due_on {date} NOT NULL, "
        "status {text} NOT NULL, "
        "version {integer} NOT NULL, "
        "doc {doc} NOT NULL)",
        "CREATE INDEX invoices_customer ON invoices (customer_id, due_on, number)",
        "CREATE INDEX invoices_status ON invoices (status, due_on, number)",
        "CREATE TABLE invoice_services ("
        "service_id {key} NOT NULL, "
        "number {key} NOT NULL, "
        "PRIMARY KEY (service_id, number)){compact}",
        "CREATE TABLE invoice_series (series {key} PRIMARY KEY, last {integer} NOT NULL)",
        "CREATE TABLE credit_balances ("
        "customer_id {key} NOT NULL, "
        "currency {key} NOT NULL, "
        "amount {amount} NOT NULL, "
        "PRIMARY KEY (customer_id, currency)){compact}",
        "CREATE TABLE payments ("
        "reference {key} PRIMARY KEY, "
        "customer_id {key} NOT NULL, "
        "received_at {instant} NOT NULL, "
        "doc {doc} NOT NULL)",
        "CREATE INDEX payments_customer ON payments (customer_id, received_at, reference)",
        # Revenue leaves tax lines out: each journal line keeps its type (read from the
        # documents of the lines written before).
        "ALTER TABLE invoice_lines ADD COLUMN line_type {text} NOT NULL DEFAULT ''",
        "UPDATE invoice_lines SET line_type = {doc_line_type}",
    ),
    # 5. Withdrawn catalog versions (prodlife.ports.CatalogRepository.withdraw_version):
    # their names, never used again, so that a version never changes once stored.
    ("CREATE TABLE catalog_withdrawn (name {key} PRIMARY KEY, effective {date} NOT NULL)",),
    # 6. Resellers' offerings (prodlife.ports.OfferingRepository): the marketplace products
    # each reseller sells, its price plan and limits, one document per reseller.
    ("CREATE TABLE reseller_offerings (reseller {key} PRIMARY KEY, doc {doc} NOT NULL)",),
    # 7. Open cancellation requests (prodlife.ports.ServiceQuery.cancellation_pending): a
    # column kept on every write (Service.cancellation_pending), filled from the documents
    # written before (a request, and a status that has not ended), and an index of the
    # services that have one alone, so that staff's list of open requests reads only those.
    (
        "ALTER TABLE services ADD COLUMN cancelling {flag} NOT NULL DEFAULT {false}",
        "UPDATE services SET cancelling = {true} WHERE {doc_cancellation} IS NOT NULL "
        "AND status NOT IN ('cancelled', 'deleted', 'terminated')",
        "CREATE INDEX services_cancelling ON services (id) WHERE cancelling",
    ),
    # 8. One catalog version per effective date, kept by the database: two transactions
    # adding versions of one date at once cannot both commit (the second's insert fails).
    # Each version's compact form (prodlife.stores._catalog_form), with the digest of the
    # document it was made beside, read instead of the document while that is unchanged.
    (
        "CREATE UNIQUE INDEX catalog_versions_effective ON catalog_versions (effective)",
        "CREATE TABLE catalog_forms ("
        "name {key} PRIMARY KEY, "
        "digest {text} NOT NULL, "
        "form {bytes} NOT NULL)",
    ),
    # 9. A bundle's components (prodlife.ports.ServiceQuery.bundle_id): a column kept on
    # every write (Service.bundle_id), filled from the documents written before, and an index
    # of the components alone, so that following a bundle's status reads its components, not
    # every service of its customer.
    (
        "ALTER TABLE services ADD COLUMN bundle_id {text}",
        "UPDATE services SET bundle_id = {doc_bundle_id}",
        "CREATE INDEX services_bundle ON services (bundle_id) WHERE bundle_id IS NOT NULL",
    ),
)

_READ = "SELECT max(version) FROM schema_version"
_CLEAR = "DELETE FROM schema_version"
_WRITE = "INSERT INTO schema_version (version) VALUES (?)"


def render(
    migrations: Sequence[Sequence[str]], types: Mapping[str, str]
) -> tuple[tuple[str, ...], ...]:
    """``migrations`` with their type names (``{doc}``...) in one dialect's types."""
    return tuple(tuple(statement.format_map(types) for statement in step) for step in migrations)


def check_not_foreign(tables: Collection[str], allowed: bool, where: str, fix: str) -> None:
    """Refuse a database holding ``tables`` but no ``schema_version``, unless ``allowed``.

    Raises:
        ForeignDatabase: another program's tables, and no prodlife schema; ``fix`` says
            where prodlife's tables should go instead.
    """
    if tables and "schema_version" not in tables and not allowed:
        raise ForeignDatabase(where, sorted(tables), fix)


def current_version(cursor: Cursor, has_table: bool, known: int, where: str) -> int:
    """The schema version of the database on ``cursor`` (0: none yet).

    Args:
        has_table: whether the database has a ``schema_version`` table.
        known: the version this prodlife writes.
        where: the database, for messages.

    Raises:
        StoreError: the version is unreadable, or higher than ``known`` (a newer prodlife).
    """
    if not has_table:
        return 0
    row = cursor.execute(_READ).fetchone()
    version = 0 if row is None or row[0] is None else row[0]
    if not is_whole(version, 0):
        raise StoreError(
            f"{where} has an unreadable schema version {version!r}; restore it from a backup"
        )
    if version > known:
        raise StoreError(
            f"{where} has schema version {version}, newer than the {known} this prodlife "
            "knows; it was written by a newer prodlife: upgrade prodlife to open it"
        )
    return version


def migrate(
    cursor: Cursor,
    render_sql: Any,
    version_table: str,
    version: int,
    migrations: Sequence[Sequence[str]],
    known: int,
) -> None:
    """Apply ``migrations[version:known]`` and record ``known`` (in the caller's transaction).

    Args:
        cursor: where the statements run.
        render_sql: the dialect's ``render`` (placeholders).
        version_table: the dialect's ``CREATE TABLE IF NOT EXISTS schema_version``.
        version: the version the database is at (see :func:`current_version`).
        migrations: the dialect's migrations.
        known: the version to bring it to.
    """
    if version == known:
        return
    cursor.execute(version_table)
    for statements in migrations[version:known]:
        for statement in statements:
            cursor.execute(statement)
    cursor.execute(_CLEAR)
    cursor.execute(render_sql(_WRITE), (known,))
