"""The SQLite store: prodlife's embedded default (``open_store("sqlite:///billing.db")``).

It keeps every aggregate as a JSON document (:mod:`prodlife.stores._documents`)
next to the columns its queries need, with the standard library's
:mod:`sqlite3` and nothing else. It behaves exactly as the in-memory reference
store (:mod:`prodlife.stores.memory`): the same results, in the same order,
with the same errors.

Durability and concurrency
--------------------------
- **WAL** (``journal_mode=WAL``): readers never block the writer and the
  writer never blocks readers; a commit appends to the ``-wal`` file, which
  SQLite folds back into the database file (checkpoints) as it grows. A
  process killed mid-transaction leaves only uncommitted frames behind, which
  the next opener ignores: the file holds exactly what was committed.
- **synchronous=NORMAL**: in WAL mode this never corrupts the database and
  never loses a commit when the *process* dies; a power cut or an operating
  system crash may lose the last transactions committed before it (they are
  in the WAL but not yet synced). This is SQLite's recommended setting for
  WAL and makes commits several times faster than ``FULL``. A host that must
  keep every acknowledged commit through a power cut passes
  ``synchronous="FULL"``.
- **Writers serialize**: a transaction starts with ``BEGIN IMMEDIATE`` on its
  first statement, taking the write lock then, so two writing transactions
  (threads or processes) never interleave their reads and writes. One that
  cannot get the lock within ``timeout`` seconds (the busy timeout) raises
  :class:`~prodlife.errors.StoreBusy`. Saving a service and adding invoice
  lines and events before any read are deferred to the first statement or
  the commit, with their documents already encoded, so a scheduler batch
  holds the lock only while its statements run (a stale version or a missing
  service is then reported by ``commit``). A ``readonly`` transaction starts
  with a plain ``BEGIN`` and reads a snapshot alongside the writer.
- **Connections**: a small pool; a transaction takes a connection of its own
  and gives it back at its end, so threads never share one. ``":memory:"``
  is one private database on a single connection: its transactions take
  turns, as the in-memory store's do. Foreign keys are on, and each
  connection keeps up to 64 MiB of pages in its cache.

Schema and migrations
---------------------
The store creates and upgrades its own schema when it is opened. The table
``schema_version`` holds one row, the number of migrations applied;
``_MIGRATIONS`` is the ordered list of forward migrations (each a list of SQL
statements) and :data:`SCHEMA_VERSION` their count. Opening a file applies the
missing ones, all in one transaction (all or none); opening a file written by
a newer prodlife (a higher version) raises :class:`~prodlife.errors.StoreError`
and touches nothing. Version 1 holds:

- ``catalog_versions(name PK, effective, doc)``;
- ``price_plans(code PK, doc)``;
- ``promotions(code_key PK, code, doc)`` (``code_key`` is the upper-case
  code: codes compare ignoring case) and ``promotion_uses(code_key, order_id,
  customer_id, PK(code_key, order_id))``;
- ``services(id PK, customer_id, product_code, status, due_on, version,
  worker, lease_until, doc)``, indexed by customer, product, status and
  ``(due_on, id)`` for the scheduler;
- ``orders(id PK, customer_id, placed_at, doc)``;
- ``invoice_lines(sequence PK AUTOINCREMENT, service_id, customer_id,
  product_code, issued_at, currency, amount, doc)``, indexed by service,
  customer and ``issued_at``;
- ``events(sequence PK AUTOINCREMENT, service_id, published, doc)``, with a
  partial index of the unpublished ones.

Dates are ISO text (``2025-04-20``) and instants fixed-width UTC ISO text
(``2025-04-20T12:00:00.000000+00:00``), so text order is time order. Amounts
are exact decimal text, summed in Python with :class:`~decimal.Decimal`, never
as floating point. Every value reaches SQL as a bound parameter.

Errors
------
Driver errors never escape: a duplicate key becomes
:class:`~prodlife.errors.AlreadyExists`, a lock held too long
:class:`~prodlife.errors.StoreBusy`, a file that cannot be opened or is not a
database :class:`~prodlife.errors.StoreUnavailable`, and anything else
:class:`~prodlife.errors.StoreError`, with the driver's error as ``__cause__``.

>>> store = SQLiteStore(":memory:")
>>> with store.transaction() as uow:
...     uow.services.count(ServiceQuery())
0
>>> store.close()
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal

from prodlife.catalog.catalog import CatalogVersion, CatalogVersions
from prodlife.clock import as_utc
from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    StoreBusy,
    StoreError,
    StoreUnavailable,
    ValidationError,
)
from prodlife.lifecycle.events import Event
from prodlife.lifecycle.invoicing import InvoiceLine
from prodlife.lifecycle.orders import Order
from prodlife.lifecycle.services import Service
from prodlife.money import CONTEXT, Money
from prodlife.ports import (
    IssuedLine,
    ProductRevenue,
    ServiceQuery,
    StoredEvent,
    check_limit,
)
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.promotions import Promotion
from prodlife.stores._documents import dumps, loads

if TYPE_CHECKING:
    from prodlife.ports import Store, UnitOfWork

__all__ = ["SCHEMA_VERSION", "SQLiteStore", "SQLiteUnitOfWork"]

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

#: ``UPDATE ... RETURNING`` arrived in SQLite 3.35.0; older libraries claim in two steps.
_HAS_RETURNING = sqlite3.sqlite_version_info >= (3, 35, 0)

#: The ``synchronous`` settings a store accepts (never formatted from the caller's text).
_SYNCHRONOUS: Final[dict[str, str]] = {
    "NORMAL": "PRAGMA synchronous = NORMAL",
    "FULL": "PRAGMA synchronous = FULL",
    "EXTRA": "PRAGMA synchronous = EXTRA",
}

#: Each connection's page cache: 64 MiB (negative: KiB), taken only as pages are read. The
#: default 2 MiB keeps too little of the indexes of a million services; this halves the
#: time a scheduler run spends in SQLite.
_CACHE_SIZE = "PRAGMA cache_size = -65536"

#: Idle connections a file store keeps for the next transactions.
_IDLE_CONNECTIONS = 8

# SQLite's primary result codes (``sqlite_errorcode & 0xFF``) and the extended
# ones for a duplicate key.
_BUSY, _LOCKED, _READONLY, _CANTOPEN, _NOTADB, _PERM = 5, 6, 8, 14, 26, 3
_DUPLICATE_KEY = frozenset({1555, 2067})  # SQLITE_CONSTRAINT_PRIMARYKEY, _UNIQUE

_READ_ONLY_WRITE = (
    "this transaction is read-only; open store.transaction() without readonly=True to write"
)
_ENDED = (
    "this transaction has ended (committed or rolled back); open a new one with store.transaction()"
)

# --- SQL (constant strings, so sqlite3's statement cache prepares each once) ---------------------

_VERSION_TABLE = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
_VERSION_READ = "SELECT version FROM schema_version"
_VERSION_CREATE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"
)
_VERSION_WRITE = "INSERT OR REPLACE INTO schema_version (id, version) VALUES (1, ?)"

_CATALOG_ADD = "INSERT INTO catalog_versions (name, effective, doc) VALUES (?, ?, ?)"
_CATALOG_ALL = "SELECT name, doc FROM catalog_versions ORDER BY rowid"

_PLAN_ADD = "INSERT INTO price_plans (code, doc) VALUES (?, ?)"
_PLAN_GET = "SELECT doc FROM price_plans WHERE code = ?"
_PLAN_REPLACE = "UPDATE price_plans SET doc = ? WHERE code = ?"
_PLAN_ALL = "SELECT code, doc FROM price_plans ORDER BY code"

_PROMOTION_ADD = "INSERT INTO promotions (code_key, code, doc) VALUES (?, ?, ?)"
_PROMOTION_GET = "SELECT doc FROM promotions WHERE code_key = ?"
_PROMOTION_CODE = "SELECT code FROM promotions WHERE code_key = ?"
_PROMOTION_ALL = "SELECT code, doc FROM promotions ORDER BY code"
_USE_ADD = "INSERT INTO promotion_uses (code_key, order_id, customer_id) VALUES (?, ?, ?)"
_USES = "SELECT count(*) FROM promotion_uses WHERE code_key = ?"
_USES_BY = "SELECT count(*) FROM promotion_uses WHERE code_key = ? AND customer_id = ?"

_SERVICE_ADD = (
    "INSERT INTO services (id, customer_id, product_code, status, due_on, version, doc) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_SERVICE_GET = "SELECT doc FROM services WHERE id = ?"
_SERVICE_MANY_PREFIX = "SELECT id, doc FROM services WHERE id IN ("
#: Ids read per statement by ``get_many`` (under SQLite's oldest limit of 999 parameters).
_MANY = 500
_SERVICE_SAVE = (
    "UPDATE services SET customer_id = ?, product_code = ?, status = ?, due_on = ?, "
    "version = ?, worker = NULL, lease_until = NULL, doc = ? WHERE id = ? AND version = ?"
)
#: A save that keeps the customer, product and status (a renewal invoice, most saves) leaves
#: their indexes alone; SQLite rewrites an index whenever its column is SET, even unchanged.
_SERVICE_SAVE_SAME = (
    "UPDATE services SET due_on = ?, version = ?, worker = NULL, lease_until = NULL, doc = ? "
    "WHERE id = ? AND version = ? AND customer_id = ? AND product_code = ? AND status = ?"
)
_SERVICE_VERSION = "SELECT version FROM services WHERE id = ?"
_CLAIM_FREE = (
    "SELECT id FROM services WHERE due_on IS NOT NULL AND due_on <= ? "
    "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_on, id LIMIT ?"
)
_CLAIM = (
    "UPDATE services SET worker = ?, lease_until = ? WHERE id IN (" + _CLAIM_FREE + ") "
    "RETURNING id, due_on"
)
_CLAIM_ONE = "UPDATE services SET worker = ?, lease_until = ? WHERE id = ?"
_RELEASE = "UPDATE services SET worker = NULL, lease_until = NULL WHERE id = ? AND worker = ?"

_ORDER_ADD = "INSERT INTO orders (id, customer_id, placed_at, doc) VALUES (?, ?, ?, ?)"
_ORDER_GET = "SELECT doc FROM orders WHERE id = ?"
_ORDER_REPLACE = "UPDATE orders SET customer_id = ?, placed_at = ?, doc = ? WHERE id = ?"
_ORDER_FOR = "SELECT id, doc FROM orders WHERE customer_id = ? ORDER BY placed_at, id"

_LINE_ADD = (
    "INSERT INTO invoice_lines "
    "(service_id, customer_id, product_code, issued_at, currency, amount, doc) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_LINE_FOR_SERVICE = (
    "SELECT sequence, product_code, issued_at, doc FROM invoice_lines "
    "WHERE service_id = ? ORDER BY sequence"
)
_LINE_FOR_CUSTOMER = (
    "SELECT sequence, product_code, issued_at, doc FROM invoice_lines "
    "WHERE customer_id = ? ORDER BY sequence"
)
_REVENUE = (
    "SELECT product_code, currency, amount FROM invoice_lines "
    "WHERE issued_at >= ? AND issued_at < ?"
)

_EVENT_ADD = "INSERT INTO events (service_id, doc) VALUES (?, ?)"
_EVENT_FOR_SERVICE = (
    "SELECT sequence, published, doc FROM events WHERE service_id = ? ORDER BY sequence"
)
_EVENT_UNPUBLISHED = (
    "SELECT sequence, doc FROM events WHERE published = 0 ORDER BY sequence LIMIT ?"
)
_EVENT_PUBLISH = "UPDATE events SET published = 1 WHERE sequence = ? AND published = 0"

#: The filters of a :class:`ServiceQuery`, in the order :func:`_find_sql` adds them.
_FILTERS: Final = (
    "customer_id = ?",
    "product_code = ?",
    "status = ?",
    "due_on IS NOT NULL AND due_on <= ?",
    "id > ?",
)


@cache
def _find_sql(used: tuple[bool, ...], count: bool) -> str:
    """The (constant) SQL of a service query with these filters, built once per shape."""
    where = " AND ".join(clause for clause, on in zip(_FILTERS, used, strict=True) if on)
    condition = f" WHERE {where}" if where else ""
    if count:
        return f"SELECT count(*) FROM services{condition}"
    return f"SELECT id, doc FROM services{condition} ORDER BY id LIMIT ?"


# --- values <-> columns --------------------------------------------------------------------------


def _instant(value: datetime) -> str:
    """``value`` as fixed-width UTC ISO text, so text order is time order."""
    return as_utc(value).isoformat(timespec="microseconds")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sql_limit(limit: int | None) -> int:
    """The ``LIMIT`` for ``limit``: -1 (none) for ``None`` and negatives (sliced afterwards)."""
    return -1 if limit is None or limit < 0 else limit


def _sliced(found: list[Any], limit: int | None) -> list[Any]:
    """What the reference store's ``items[:limit]`` keeps of everything found, for negatives."""
    return found[:limit] if limit is not None and limit < 0 else found


# --- driver errors -------------------------------------------------------------------------------


def _code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code if isinstance(code, int) else None


def _is_duplicate(error: sqlite3.Error) -> bool:
    code = _code(error)
    if code is not None:
        return code in _DUPLICATE_KEY
    message = str(error)
    return "UNIQUE constraint failed" in message or "PRIMARY KEY" in message


def _translate(error: sqlite3.Error, where: str) -> StoreError:
    """The prodlife error for a driver ``error`` raised while doing ``where``."""
    code = _code(error)
    message = str(error)
    if code is None:  # a driver without error codes: go by the message
        lowered = message.lower()
        busy = "database is locked" in lowered or "database is busy" in lowered
        unavailable = "unable to open" in lowered or "not a database" in lowered
    else:
        busy = code & 0xFF in (_BUSY, _LOCKED)
        unavailable = code & 0xFF in (_CANTOPEN, _NOTADB, _PERM, _READONLY)
    if busy:
        return StoreBusy(
            f"the SQLite database stayed locked by another writer while {where} ({message}); "
            "retry later, or open the store with a longer timeout"
        )
    if unavailable:
        return StoreUnavailable(
            f"the SQLite database cannot be used while {where} ({message}); check that the "
            "path names a prodlife SQLite file in a directory that exists and is writable"
        )
    return StoreError(f"the SQLite store failed while {where} ({message})")


def _not_unicode(error: UnicodeEncodeError) -> ValidationError:
    return ValidationError(
        f"text {error.object[error.start : error.end]!r} is not valid Unicode (a lone "
        "surrogate) and cannot be stored; fix the id or code that holds it"
    )


# --- the unit of work ----------------------------------------------------------------------------


class SQLiteUnitOfWork:
    """One SQLite transaction (``BEGIN IMMEDIATE``); see :class:`prodlife.ports.UnitOfWork`.

    Made by :meth:`SQLiteStore.transaction`; its repositories read and write
    on the transaction's connection. After :meth:`commit` or :meth:`rollback`
    every use raises :class:`~prodlife.errors.StoreError`.
    """

    __slots__ = (
        "_begun",
        "_catalog",
        "_connection",
        "_events",
        "_lines",
        "_open",
        "_orders",
        "_plans",
        "_promotions",
        "_queue",
        "_readonly",
        "_services",
    )

    def __init__(
        self,
        connection: sqlite3.Connection,
        catalog_cache: dict[str, tuple[str, CatalogVersion]],
        readonly: bool = False,
    ) -> None:
        self._connection = connection
        self._open = True
        self._readonly = readonly
        self._begun = False
        self._queue: list[Callable[[], None]] = []
        self._catalog = _Catalog(self, catalog_cache)
        self._plans = _PricePlans(self)
        self._promotions = _Promotions(self)
        self._services = _Services(self)
        self._orders = _Orders(self)
        self._lines = _Lines(self)
        self._events = _Events(self)

    @property
    def catalog(self) -> _Catalog:
        """Catalog versions."""
        return self._catalog

    @property
    def price_plans(self) -> _PricePlans:
        """Price plans."""
        return self._plans

    @property
    def promotions(self) -> _Promotions:
        """Promotions and their uses."""
        return self._promotions

    @property
    def services(self) -> _Services:
        """Services."""
        return self._services

    @property
    def orders(self) -> _Orders:
        """Orders."""
        return self._orders

    @property
    def invoice_lines(self) -> _Lines:
        """Invoice lines."""
        return self._lines

    @property
    def events(self) -> _Events:
        """The event outbox."""
        return self._events

    @property
    def scheduler(self) -> _Services:
        """Scheduler claims (kept on the services' rows)."""
        return self._services

    def commit(self) -> None:
        """Keep what this transaction wrote (``COMMIT``) and end it.

        Raises:
            StoreError: the transaction has ended, or the commit failed (then
                nothing is kept and the transaction is over).
        """
        connection = self.connection()
        if not self._begun and not self._queue:
            self._open = False  # nothing was read or written: there is nothing to commit
            return
        try:
            self.begin()
        except BaseException:
            self.end()
            raise
        try:
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            self.end()
            raise _translate(error, "committing") from error
        self._open = False

    def rollback(self) -> None:
        """Drop what this transaction wrote (``ROLLBACK``) and end it; nothing once ended."""
        if not self._open:
            return
        self._open = False
        try:
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")
        except sqlite3.Error as error:
            raise _translate(error, "rolling back") from error

    # --- shared by the repositories --------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """The transaction's connection, while it is open (else ``StoreError``)."""
        if not self._open:
            raise StoreError(_ENDED)
        return self._connection

    def writable(self) -> sqlite3.Connection:
        """The connection, for a write: ``StoreError`` once ended or when read-only."""
        connection = self.connection()
        if self._readonly:
            raise StoreError(_READ_ONLY_WRITE)
        return connection

    def begin(self) -> sqlite3.Connection:
        """Start the transaction on its first statement, then run the writes deferred so far.

        Starting late keeps the write lock for the statements alone: a scheduler
        batch encodes its documents before ``BEGIN IMMEDIATE``, so workers sharing
        the file wait only for each other's statements.
        """
        connection = self.connection()
        if self._begun:
            return connection
        try:
            connection.execute("BEGIN" if self._readonly else "BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise _translate(error, "starting a transaction") from error
        self._begun = True
        queue, self._queue = self._queue, []
        for run in queue:
            run()
        return connection

    def defer(self, run: Callable[[], None]) -> None:
        """Run the write ``run`` once the transaction has started (now, if it has).

        Its errors (a stale version, a missing service) then surface at the next
        statement or at :meth:`commit`, which the ports allow.
        """
        self.writable()
        if self._begun:
            run()
        else:
            self._queue.append(run)

    def end(self) -> bool:
        """Roll back unless committed, never raising; whether the connection is still sound."""
        self._queue.clear()
        self._open = False
        connection = self._connection
        try:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        except sqlite3.Error:
            return False
        return not connection.in_transaction

    def one(self, sql: str, parameters: Sequence[object], where: str) -> Any:
        """The first row ``sql`` returns, or ``None``."""
        connection = self.begin()
        try:
            return connection.execute(sql, parameters).fetchone()
        except UnicodeEncodeError as error:
            raise _not_unicode(error) from error
        except sqlite3.Error as error:
            raise _translate(error, where) from error

    def rows(self, sql: str, parameters: Sequence[object], where: str) -> list[Any]:
        """Every row ``sql`` returns."""
        connection = self.begin()
        try:
            return connection.execute(sql, parameters).fetchall()
        except UnicodeEncodeError as error:
            raise _not_unicode(error) from error
        except sqlite3.Error as error:
            raise _translate(error, where) from error

    def change(self, sql: str, parameters: Sequence[object], where: str) -> int:
        """Run one write; how many rows it changed."""
        self.writable()
        connection = self.begin()
        try:
            return connection.execute(sql, parameters).rowcount
        except UnicodeEncodeError as error:
            raise _not_unicode(error) from error
        except sqlite3.Error as error:
            raise _translate(error, where) from error

    def changes(self, sql: str, parameters: Sequence[Sequence[object]], where: str) -> None:
        """Run one write for each parameter row (``executemany``)."""
        self.writable()
        connection = self.begin()
        try:
            connection.executemany(sql, parameters)
        except UnicodeEncodeError as error:
            raise _not_unicode(error) from error
        except sqlite3.Error as error:
            raise _translate(error, where) from error

    def insert(self, sql: str, parameters: Sequence[object], kind: str, key: object) -> None:
        """Insert one row; ``AlreadyExists(kind, key)`` when its key is taken."""
        self.writable()
        connection = self.begin()
        try:
            connection.execute(sql, parameters)
        except UnicodeEncodeError as error:
            raise _not_unicode(error) from error
        except sqlite3.IntegrityError as error:
            if _is_duplicate(error):
                raise AlreadyExists(kind, key) from error
            raise _translate(error, f"storing the {kind} {key!r}") from error
        except sqlite3.Error as error:
            raise _translate(error, f"storing the {kind} {key!r}") from error


# --- repositories --------------------------------------------------------------------------------


class _Catalog:
    """Catalog versions, decoded once per store: a version is never changed once stored."""

    __slots__ = ("_cache", "_uow")

    def __init__(self, uow: SQLiteUnitOfWork, cache: dict[str, tuple[str, CatalogVersion]]) -> None:
        self._uow = uow
        self._cache = cache

    def add_version(self, version: CatalogVersion) -> None:
        if not isinstance(version, CatalogVersion):
            raise ValidationError(f"{version!r} is not a CatalogVersion; pass one")
        self._uow.connection()
        doc = dumps(version)
        self._uow.insert(
            _CATALOG_ADD,
            (version.name, version.effective.isoformat(), doc),
            "catalog version",
            version.name,
        )

    def versions(self) -> CatalogVersions:
        rows = self._uow.rows(_CATALOG_ALL, (), "reading the catalog versions")
        if not rows:
            raise NotFound("catalog version", "any", "add one with uow.catalog.add_version()")
        cache = self._cache
        found = []
        for name, doc in rows:
            cached = cache.get(name)
            if cached is None or cached[0] != doc:
                cached = (doc, loads(CatalogVersion, doc, name))
                cache[name] = cached
            found.append(cached[1])
        return CatalogVersions(tuple(found))


class _PricePlans:
    __slots__ = ("_uow",)

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def add(self, plan: PricePlan) -> None:
        self._uow.connection()
        self._uow.insert(_PLAN_ADD, (plan.code, dumps(plan)), "price plan", plan.code)

    def get(self, code: str) -> PricePlan:
        row = self._uow.one(_PLAN_GET, (code,), f"reading the price plan {code!r}")
        if row is None:
            raise NotFound("price plan", code)
        return loads(PricePlan, row[0], code)

    def replace(self, plan: PricePlan) -> None:
        self._uow.connection()
        where = f"replacing the price plan {plan.code!r}"
        if not self._uow.change(_PLAN_REPLACE, (dumps(plan), plan.code), where):
            raise NotFound("price plan", plan.code)

    def all(self) -> list[PricePlan]:
        rows = self._uow.rows(_PLAN_ALL, (), "reading the price plans")
        return [loads(PricePlan, doc, code) for code, doc in rows]


class _Promotions:
    __slots__ = ("_uow",)

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def add(self, promotion: Promotion) -> None:
        self._uow.connection()
        code = promotion.code
        self._uow.insert(_PROMOTION_ADD, (code.upper(), code, dumps(promotion)), "promotion", code)

    def get(self, code: str) -> Promotion:
        row = self._uow.one(_PROMOTION_GET, (code.upper(),), f"reading the promotion {code!r}")
        if row is None:
            raise NotFound("promotion", code)
        return loads(Promotion, row[0], code)

    def all(self) -> list[Promotion]:
        rows = self._uow.rows(_PROMOTION_ALL, (), "reading the promotions")
        return [loads(Promotion, doc, code) for code, doc in rows]

    def record_use(self, code: str, customer_id: str, order_id: str) -> None:
        key = code.upper()
        row = self._uow.one(_PROMOTION_CODE, (key,), f"reading the promotion {code!r}")
        if row is None:
            raise NotFound("promotion", code)
        self._uow.insert(
            _USE_ADD,
            (key, order_id, customer_id),
            "use of promotion on order",
            f"{row[0]} on {order_id}",
        )

    def uses(self, code: str, customer_id: str | None = None) -> int:
        where = f"counting the uses of the promotion {code!r}"
        if customer_id is None:
            row = self._uow.one(_USES, (code.upper(),), where)
        else:
            row = self._uow.one(_USES_BY, (code.upper(), customer_id), where)
        return int(row[0])


class _Services:
    """Services and the scheduler's claims on them (one table)."""

    __slots__ = ("_uow",)

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def add(self, service: Service, *, due_on: date | None) -> None:
        if not isinstance(service, Service):
            raise ValidationError(f"{service!r} is not a Service; pass one")
        self._uow.connection()
        self._uow.insert(
            _SERVICE_ADD,
            (
                service.id,
                service.customer_id,
                service.product_code,
                service.status.status.value,
                None if due_on is None else due_on.isoformat(),
                service.version,
                dumps(service),
            ),
            "service",
            service.id,
        )

    def get(self, service_id: str) -> Service:
        row = self._uow.one(_SERVICE_GET, (service_id,), f"reading the service {service_id!r}")
        if row is None:
            raise NotFound("service", service_id)
        return loads(Service, row[0], service_id)

    def get_many(self, service_ids: Sequence[str]) -> list[Service]:
        keys = list(service_ids)
        found: dict[str, Service] = {}
        for start in range(0, len(keys), _MANY):
            chunk = sorted(set(keys[start : start + _MANY]) - found.keys())
            if not chunk:
                continue
            # Only placeholders are joined into the SQL; every id is a bound parameter.
            sql = _SERVICE_MANY_PREFIX + ", ".join("?" * len(chunk)) + ")"
            rows = self._uow.rows(sql, chunk, "reading services")
            found.update((key, loads(Service, doc, key)) for key, doc in rows)
        for key in keys:
            if key not in found:
                raise NotFound("service", key)
        return [found[key] for key in keys]

    def save(self, service: Service, *, expected_version: int, due_on: date | None) -> None:
        if not isinstance(service, Service):
            raise ValidationError(f"{service!r} is not a Service; pass one")
        uow = self._uow
        uow.writable()
        where = f"saving the service {service.id!r}"
        parameters = (
            service.customer_id,
            service.product_code,
            service.status.status.value,
            None if due_on is None else due_on.isoformat(),
            service.version,
            dumps(service),
            service.id,
            expected_version,
        )

        same = (*parameters[3:], service.customer_id, service.product_code, parameters[2])

        def run() -> None:
            if uow.change(_SERVICE_SAVE_SAME, same, where):
                return
            if uow.change(_SERVICE_SAVE, parameters, where):
                return
            row = uow.one(_SERVICE_VERSION, (service.id,), where)
            if row is None:
                raise NotFound("service", service.id)
            raise ConcurrencyConflict("service", service.id, expected_version, row[0])

        uow.defer(run)

    @staticmethod
    def _filters(query: ServiceQuery) -> tuple[tuple[bool, ...], list[object]]:
        values: list[object] = []
        used = []
        status = None if query.status is None else query.status.value
        for value in (
            query.customer_id,
            query.product_code,
            status,
            _day(query.due_on_or_before),
            query.after_id,
        ):
            used.append(value is not None)
            if value is not None:
                values.append(value)
        return tuple(used), values

    def find(self, query: ServiceQuery) -> list[Service]:
        used, values = self._filters(query)
        values.append(_sql_limit(query.limit))
        rows = self._uow.rows(_find_sql(used, False), values, "finding services")
        return [loads(Service, doc, key) for key, doc in rows]

    def count(self, query: ServiceQuery) -> int:
        used, values = self._filters(query)
        row = self._uow.one(_find_sql(used, True), values, "counting services")
        return int(row[0])

    # --- scheduler claims ------------------------------------------------------------------------

    def claim_due(
        self, on: date, *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[str]:
        uow = self._uow
        uow.writable()
        now = as_utc(now)
        day, since, until = on.isoformat(), _instant(now), _instant(now + lease)
        where = "claiming due services"
        if limit < 1:
            return []
        if _HAS_RETURNING:
            rows = uow.rows(_CLAIM, (worker, until, day, since, limit), where)
            rows.sort(key=lambda row: (row[1], row[0]))
            return [row[0] for row in rows]
        ids = [row[0] for row in uow.rows(_CLAIM_FREE, (day, since, limit), where)]
        uow.changes(_CLAIM_ONE, [(worker, until, key) for key in ids], where)
        return ids

    def release(self, service_ids: Sequence[str], *, worker: str) -> None:
        self._uow.changes(
            _RELEASE, [(key, worker) for key in service_ids], "releasing scheduler claims"
        )


class _Orders:
    __slots__ = ("_uow",)

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def add(self, order: Order) -> None:
        self._uow.connection()
        self._uow.insert(
            _ORDER_ADD,
            (order.id, order.customer_id, _instant(order.placed_at), dumps(order)),
            "order",
            order.id,
        )

    def get(self, order_id: str) -> Order:
        row = self._uow.one(_ORDER_GET, (order_id,), f"reading the order {order_id!r}")
        if row is None:
            raise NotFound("order", order_id)
        return loads(Order, row[0], order_id)

    def replace(self, order: Order) -> None:
        self._uow.connection()
        changed = self._uow.change(
            _ORDER_REPLACE,
            (order.customer_id, _instant(order.placed_at), dumps(order), order.id),
            f"replacing the order {order.id!r}",
        )
        if not changed:
            raise NotFound("order", order.id)

    def for_customer(self, customer_id: str) -> list[Order]:
        rows = self._uow.rows(_ORDER_FOR, (customer_id,), "reading a customer's orders")
        return [loads(Order, doc, key) for key, doc in rows]


def _issued(rows: list[Any]) -> list[IssuedLine]:
    return [
        IssuedLine(loads(InvoiceLine, doc, sequence), product, datetime.fromisoformat(at), sequence)
        for sequence, product, at, doc in rows
    ]


class _Lines:
    __slots__ = ("_uow",)

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def add(self, lines: Sequence[InvoiceLine], *, product_code: str, issued_at: datetime) -> None:
        uow = self._uow
        uow.writable()
        at = _instant(issued_at)
        rows = [
            (
                line.service_id,
                line.customer_id,
                product_code,
                at,
                line.amount.currency.code,
                str(line.amount.amount),
                dumps(line),
            )
            for line in lines
        ]
        uow.defer(lambda: uow.changes(_LINE_ADD, rows, "storing invoice lines"))

    def for_service(self, service_id: str) -> list[IssuedLine]:
        return _issued(
            self._uow.rows(_LINE_FOR_SERVICE, (service_id,), "reading a service's invoice lines")
        )

    def for_customer(self, customer_id: str) -> list[IssuedLine]:
        return _issued(
            self._uow.rows(_LINE_FOR_CUSTOMER, (customer_id,), "reading a customer's invoice lines")
        )

    def revenue_by_product(self, start: datetime, end: datetime) -> list[ProductRevenue]:
        rows = self._uow.rows(
            _REVENUE, (_instant(start), _instant(end)), "adding up revenue by product"
        )
        sums: dict[tuple[str, str], list[Any]] = {}
        add = CONTEXT.add
        for product, currency, amount in rows:
            total = sums.get((product, currency))
            if total is None:
                sums[(product, currency)] = [add(Decimal(0), Decimal(amount)), 1]
            else:
                total[0] = add(total[0], Decimal(amount))
                total[1] += 1
        return [
            ProductRevenue(product, Money(total, currency), count)
            for (product, currency), (total, count) in sorted(sums.items())
        ]


class _Events:
    __slots__ = ("_uow",)

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def add(self, events: Sequence[Event]) -> None:
        uow = self._uow
        uow.writable()
        rows = [(event.service_id, dumps(event)) for event in events]
        uow.defer(lambda: uow.changes(_EVENT_ADD, rows, "storing events"))

    def for_service(self, service_id: str) -> list[StoredEvent]:
        rows = self._uow.rows(_EVENT_FOR_SERVICE, (service_id,), "reading a service's events")
        return [
            StoredEvent(sequence, loads(Event, doc, sequence), bool(published))
            for sequence, published, doc in rows
        ]

    def unpublished(self, limit: int | None = None) -> list[StoredEvent]:
        check_limit(limit)
        rows = self._uow.rows(
            _EVENT_UNPUBLISHED, (_sql_limit(limit),), "reading unpublished events"
        )
        found = [StoredEvent(sequence, loads(Event, doc, sequence)) for sequence, doc in rows]
        return _sliced(found, limit)

    def mark_published(self, sequences: Sequence[int]) -> None:
        self._uow.changes(
            _EVENT_PUBLISH, [(sequence,) for sequence in sequences], "marking events published"
        )


# --- the store -----------------------------------------------------------------------------------


class SQLiteStore:
    """A transactional store in an SQLite file (``open_store("sqlite:///billing.db")``).

    Args:
        path: the database file (created with its schema when missing), or
            ``":memory:"`` for a private in-memory database.
        timeout: how many seconds a transaction waits for another writer's
            lock before raising :class:`~prodlife.errors.StoreBusy`.
        synchronous: ``"NORMAL"`` (the default; see the module's notes on
            durability), ``"FULL"`` or ``"EXTRA"``.

    Raises:
        StoreUnavailable: the file cannot be opened or is not a database.
        StoreError: the file was written by a newer prodlife (its schema
            version is higher than :data:`SCHEMA_VERSION`), or a migration failed.
        ValidationError: an option has a wrong value.

    Safe to share between threads (each transaction has a connection of its
    own) and between processes opening the same file.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        synchronous: Literal["NORMAL", "FULL", "EXTRA"] = "NORMAL",
    ) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise ValidationError(f"timeout {timeout!r} must be a number of seconds, 0 or more")
        if synchronous not in _SYNCHRONOUS:
            raise ValidationError(
                f"synchronous {synchronous!r} is not one of {', '.join(_SYNCHRONOUS)}"
            )
        self._path = os.fspath(path)
        if not isinstance(self._path, str) or not self._path:
            raise StoreUnavailable(
                f"{path!r} names no SQLite file; pass a path such as 'billing.db' or ':memory:'"
            )
        self._timeout = float(timeout)
        self._synchronous = _SYNCHRONOUS[synchronous]
        self._memory = self._path == ":memory:"
        self._limit = 1 if self._memory else None
        self._condition = threading.Condition(threading.Lock())
        self._idle: list[sqlite3.Connection] = []
        self._in_use = 0
        self._threads: set[int] = set()  # the threads with a transaction open
        self._closed = False
        self._pid = os.getpid()
        self._abandoned: list[sqlite3.Connection] = []
        self._catalog_cache: dict[str, tuple[str, CatalogVersion]] = {}
        connection = self._connect()
        try:
            self._prepare(connection)
        except BaseException:
            connection.close()
            raise
        self._idle.append(connection)

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return f"<SQLiteStore {self._path!r}{state}>"

    @property
    def path(self) -> str:
        """The database file (or ``":memory:"``)."""
        return self._path

    # --- opening ---------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(
                self._path,
                timeout=self._timeout,
                isolation_level=None,
                check_same_thread=False,
                cached_statements=256,
            )
        except sqlite3.Error as error:
            raise StoreUnavailable(
                f"cannot open the SQLite database {self._path!r} ({error}); check that its "
                "directory exists and is writable"
            ) from error
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute(self._synchronous)
            connection.execute(_CACHE_SIZE)
        except sqlite3.Error as error:
            connection.close()
            raise _translate(error, f"opening {self._path!r}") from error
        return connection

    def _prepare(self, connection: sqlite3.Connection) -> None:
        """Turn WAL on and bring the schema to :data:`SCHEMA_VERSION`."""
        where = f"opening {self._path!r}"
        try:
            mode = str(connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            if mode != "wal" and not self._memory:
                raise StoreUnavailable(
                    f"the SQLite database {self._path!r} cannot use write-ahead logging "
                    f"(journal mode {mode!r}); keep it on a local file system"
                )
            if self._schema_version(connection) == SCHEMA_VERSION:
                return
            connection.execute("BEGIN IMMEDIATE")
            try:
                self._migrate(connection)
                connection.execute("COMMIT")
            finally:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
        except sqlite3.Error as error:
            raise _translate(error, where) from error

    def _schema_version(self, connection: sqlite3.Connection) -> int:
        if connection.execute(_VERSION_TABLE).fetchone() is None:
            return 0
        row = connection.execute(_VERSION_READ).fetchone()
        version = 0 if row is None else row[0]
        if not isinstance(version, int) or version < 0:
            raise StoreError(
                f"the SQLite database {self._path!r} has an unreadable schema version "
                f"{version!r}; restore it from a backup"
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the SQLite database {self._path!r} has schema version {version}, newer than "
                f"the {SCHEMA_VERSION} this prodlife knows; it was written by a newer prodlife: "
                "upgrade prodlife to open it"
            )
        return version

    def _migrate(self, connection: sqlite3.Connection) -> None:
        """Apply the missing migrations (inside the caller's transaction)."""
        version = self._schema_version(connection)  # again, under the write lock
        connection.execute(_VERSION_CREATE)
        for statements in _MIGRATIONS[version:SCHEMA_VERSION]:
            for statement in statements:
                connection.execute(statement)
        connection.execute(_VERSION_WRITE, (SCHEMA_VERSION,))

    # --- the pool --------------------------------------------------------------------------------

    def _acquire(self, thread: int) -> sqlite3.Connection:
        with self._condition:
            if thread in self._threads:
                raise StoreError(
                    "this thread already has a transaction open on this store, and a second "
                    "one would wait for it forever; do the work in the open one"
                )
            while True:
                if self._closed:
                    raise StoreError("this store is closed; open a new one with open_store()")
                if not self._memory and self._pid != os.getpid():
                    # A forked child: the parent's connections must not be used (nor closed).
                    self._abandoned.extend(self._idle)
                    self._idle.clear()
                    self._in_use = 0
                    self._threads.clear()
                    self._pid = os.getpid()
                if self._idle:
                    self._in_use += 1
                    self._threads.add(thread)
                    return self._idle.pop()
                if self._limit is None or self._in_use < self._limit:
                    self._in_use += 1
                    self._threads.add(thread)
                    break
                self._condition.wait()
        try:
            return self._connect()
        except BaseException:
            with self._condition:
                self._in_use -= 1
                self._threads.discard(thread)
                self._condition.notify()
            raise

    def _release(self, connection: sqlite3.Connection, thread: int, sound: bool) -> None:
        with self._condition:
            self._in_use -= 1
            self._threads.discard(thread)
            keep = (
                sound
                and not self._closed
                and self._pid == os.getpid()
                and (self._memory or len(self._idle) < _IDLE_CONNECTIONS)
            )
            if keep:
                self._idle.append(connection)
            self._condition.notify()
        if not keep:
            connection.close()

    # --- the store -------------------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[SQLiteUnitOfWork]:
        """Open a transaction (``BEGIN IMMEDIATE``); rolled back unless committed in the block.

        A ``readonly`` one starts with a plain ``BEGIN``: under WAL it reads a
        snapshot without waiting for writers, and refuses writes.

        Raises:
            StoreBusy: another writer held the database longer than ``timeout``.
            StoreError: the store is closed, or this thread already has a
                transaction open on it (the second would wait for the first forever).
        """
        thread = threading.get_ident()
        connection = self._acquire(thread)
        sound = True
        try:
            try:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
            except sqlite3.Error as error:
                raise _translate(error, "starting a transaction") from error
            uow = SQLiteUnitOfWork(connection, self._catalog_cache, readonly)
            try:
                yield uow
            finally:
                sound = uow.end() or self._memory
        finally:
            self._release(connection, thread, sound)

    def close(self) -> None:
        """Close the store's connections (one in use closes when its transaction ends).

        Using the store afterwards raises :class:`~prodlife.errors.StoreError`.
        """
        with self._condition:
            if self._closed:
                return
            self._closed = True
            idle, self._idle = self._idle, []
            self._condition.notify_all()
        for connection in idle:
            connection.close()

    def __enter__(self) -> SQLiteStore:
        """The store itself; leaving the ``with`` block closes it."""
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()


if TYPE_CHECKING:

    def _fits(store: SQLiteStore, uow: SQLiteUnitOfWork) -> tuple[Store, UnitOfWork]:
        return store, uow
