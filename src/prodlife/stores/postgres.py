"""The PostgreSQL store: prodlife's aggregates in a PostgreSQL database, through psycopg 3.

Open it with ``open_store("postgresql://user@host/dbname")`` or
``PostgresStore(url, schema="billing")``; psycopg comes with the ``postgres``
extra (``pip install 'prodlife[postgres]'``) and is imported only when a store
opens, so ``import prodlife`` works without it.

Schema
    Every aggregate is a ``jsonb`` document (:mod:`prodlife.stores._documents`)
    next to the columns its queries need: ``catalog_versions(name, effective)``,
    ``price_plans(code)``, ``promotions(code_key, code)`` with
    ``promotion_uses(code_key, order_id, customer_id)``, ``services(id,
    customer_id, product_code, status, due_on, version, worker, lease_until)``,
    ``orders(id, customer_id, placed_at)``, ``invoice_lines(sequence,
    service_id, customer_id, product_code, issued_at, currency, amount
    numeric)`` and ``events(sequence, service_id, published)``. Keys and codes
    use the ``"C"`` collation, so ids sort the way Python sorts them, whatever
    the database's locale. The store creates and migrates the tables when it
    opens: ``schema_version`` holds the version, and the forward migrations
    run in one transaction under ``pg_advisory_xact_lock``, so processes
    opening the store together wait for each other instead of racing. A
    database migrated by a newer prodlife is refused with
    :class:`~prodlife.errors.StoreError`. With ``schema=`` every table lives in
    that PostgreSQL schema (created when missing; each connection's
    ``search_path`` names it).

Isolation
    Each transaction runs on a connection of its own (idle connections are
    kept in a small pool), in an explicit transaction at READ COMMITTED:
    every statement sees what was committed before it started. Reads are
    plain ``SELECT`` s; writes are protected by versions: saving a service is
    ``UPDATE ... WHERE id = ... AND version = <expected>``. When two writers
    save the same service, the second waits for the first one's row lock,
    then finds the version changed and raises
    :class:`~prodlife.errors.ConcurrencyConflict`; no update is lost.

Locking
    Row locks taken by writes are held until commit or rollback. With
    ``lock_timeout`` set, a statement that waits longer for a lock raises
    :class:`~prodlife.errors.StoreBusy`; so do deadlocks and serialization
    failures (a deadlock while saving a service raises ``ConcurrencyConflict``).
    Any failed statement ends the transaction in PostgreSQL: afterwards the
    unit of work raises ``StoreError`` until its ``with`` block rolls it back.
    An ``add`` of a taken id run at once does not fail the transaction (it is
    an ``INSERT ... ON CONFLICT DO NOTHING``): it raises ``AlreadyExists`` and
    the transaction goes on, as in the other stores.

Deferred writes
    Until the transaction's first other statement (a read, or any other
    write), ``services.add``, ``services.save``, ``invoice_lines.add`` and
    ``events.add`` only queue their statement, parameters and JSON document
    (dumped at the call). The queue runs, in call order, just before that
    first statement or in ``commit``: each run of consecutive writes of one
    statement is one ``executemany`` (pipelined: one round trip for all of
    them), so a transaction that only writes costs a few round trips instead
    of one per write. Afterwards, writes run at once. An ``add`` of an id
    already added in the queue raises ``AlreadyExists`` at its call; the
    other checks run with the queue (``INSERT ... ON CONFLICT DO NOTHING
    RETURNING id``, ``UPDATE ... WHERE id = ... AND version = ... RETURNING
    id``), and the first write in call order that was refused raises what its
    call would have raised at once (``AlreadyExists``, ``NotFound``,
    ``ConcurrencyConflict`` with the version it met), from the statement
    that ran the queue or from ``commit``, as :mod:`prodlife.ports` allows.
    Any failure while the queue runs ends the transaction: ``commit`` then
    raises and keeps nothing, and every other call raises ``StoreError``
    until the ``with`` block rolls it back. A read-only transaction starts
    with a statement, so its writes are refused at their call.

Claims
    :meth:`~prodlife.ports.SchedulerRepository.claim_due` marks up to
    ``limit`` due, unclaimed services with the worker's name and a lease
    (``worker``, ``lease_until``) in one ``UPDATE`` whose rows are picked
    ``FOR UPDATE SKIP LOCKED``: workers claiming at the same time skip each
    other's rows instead of waiting, and never get the same service while a
    lease lives. Saving a service clears its claim; a dead worker's claims
    expire with their lease.

Sequences
    Invoice lines and events are numbered by ``bigserial`` columns: 1, 2, 3...
    in insertion order. A sequence number taken by a transaction that rolls
    back after its inserts ran is not reused, so a rollback can leave a gap
    (deferred inserts that never ran take none); and transactions committing
    out of order make numbers appear out of order (an outbox reader takes
    every unpublished event, not "everything after the last").

Errors
    psycopg's errors never escape: a taken key becomes
    :class:`~prodlife.errors.AlreadyExists`, lock timeouts, cancelled
    statements, deadlocks and serialization failures
    :class:`~prodlife.errors.StoreBusy`, a failed or lost connection
    :class:`~prodlife.errors.StoreUnavailable` (messages never show the
    password), anything else :class:`~prodlife.errors.StoreError`, each with
    the driver's error as its ``__cause__``.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, LiteralString, NamedTuple

from prodlife.catalog.catalog import CatalogVersion, CatalogVersions
from prodlife.clock import as_utc
from prodlife.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    ProdlifeError,
    StoreBusy,
    StoreError,
    StoreUnavailable,
    ValidationError,
)
from prodlife.lifecycle.events import Event
from prodlife.lifecycle.invoicing import InvoiceLine
from prodlife.lifecycle.orders import Order
from prodlife.lifecycle.services import Service
from prodlife.money import Money
from prodlife.ports import IssuedLine, ProductRevenue, ServiceQuery, StoredEvent, check_limit
from prodlife.pricing.plans import PricePlan
from prodlife.pricing.promotions import Promotion
from prodlife.stores._documents import decode, dumps

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow
    from psycopg.types.json import Jsonb

    from prodlife.ports import Store, UnitOfWork

    _Connection = psycopg.Connection[TupleRow]
    _Cursor = psycopg.Cursor[TupleRow]

__all__ = ["SCHEMA_VERSION", "PostgresStore", "PostgresUnitOfWork"]

_INSTALL = "pip install 'prodlife[postgres]'"

# --- the schema -------------------------------------------------------------------------------

#: The forward migrations, in order: applying ``_MIGRATIONS[n - 1]`` takes the
#: schema from version ``n - 1`` to ``n``. Append new ones; never edit old ones.
_MIGRATIONS: tuple[tuple[LiteralString, ...], ...] = (
    (
        """CREATE TABLE catalog_versions (
            name text COLLATE "C" PRIMARY KEY,
            effective date NOT NULL,
            doc jsonb NOT NULL)""",
        """CREATE TABLE price_plans (
            code text COLLATE "C" PRIMARY KEY,
            doc jsonb NOT NULL)""",
        """CREATE TABLE promotions (
            code_key text COLLATE "C" PRIMARY KEY,
            code text COLLATE "C" NOT NULL,
            doc jsonb NOT NULL)""",
        """CREATE TABLE promotion_uses (
            code_key text COLLATE "C" NOT NULL,
            order_id text COLLATE "C" NOT NULL,
            customer_id text COLLATE "C" NOT NULL,
            PRIMARY KEY (code_key, order_id))""",
        "CREATE INDEX promotion_uses_by_customer ON promotion_uses (code_key, customer_id)",
        """CREATE TABLE services (
            id text COLLATE "C" PRIMARY KEY,
            customer_id text COLLATE "C" NOT NULL,
            product_code text COLLATE "C" NOT NULL,
            status text NOT NULL,
            due_on date,
            version integer NOT NULL,
            worker text,
            lease_until timestamptz,
            doc jsonb NOT NULL)""",
        "CREATE INDEX services_by_customer ON services (customer_id, id)",
        "CREATE INDEX services_by_product ON services (product_code, id)",
        "CREATE INDEX services_by_status ON services (status, id)",
        "CREATE INDEX services_by_due_on ON services (due_on, id) WHERE due_on IS NOT NULL",
        """CREATE TABLE orders (
            id text COLLATE "C" PRIMARY KEY,
            customer_id text COLLATE "C" NOT NULL,
            placed_at timestamptz NOT NULL,
            doc jsonb NOT NULL)""",
        "CREATE INDEX orders_by_customer ON orders (customer_id, placed_at, id)",
        """CREATE TABLE invoice_lines (
            sequence bigserial PRIMARY KEY,
            service_id text COLLATE "C" NOT NULL,
            customer_id text COLLATE "C" NOT NULL,
            product_code text COLLATE "C" NOT NULL,
            issued_at timestamptz NOT NULL,
            currency text COLLATE "C" NOT NULL,
            amount numeric NOT NULL,
            doc jsonb NOT NULL)""",
        "CREATE INDEX invoice_lines_by_service ON invoice_lines (service_id, sequence)",
        "CREATE INDEX invoice_lines_by_customer ON invoice_lines (customer_id, sequence)",
        "CREATE INDEX invoice_lines_by_issued_at ON invoice_lines (issued_at)",
        """CREATE TABLE events (
            sequence bigserial PRIMARY KEY,
            service_id text COLLATE "C" NOT NULL,
            published boolean NOT NULL DEFAULT false,
            doc jsonb NOT NULL)""",
        "CREATE INDEX events_by_service ON events (service_id, sequence)",
        "CREATE INDEX events_unpublished ON events (sequence) WHERE NOT published",
    ),
)

#: The schema version this prodlife creates and reads.
SCHEMA_VERSION = len(_MIGRATIONS)

# --- the statements (constant, so each is prepared once per connection) ----------------------

_ADD_VERSION: LiteralString = (
    "INSERT INTO catalog_versions (name, effective, doc) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
)
_VERSIONS: LiteralString = "SELECT name, doc FROM catalog_versions ORDER BY effective, name"

_ADD_PLAN: LiteralString = (
    "INSERT INTO price_plans (code, doc) VALUES (%s, %s) ON CONFLICT DO NOTHING"
)
_GET_PLAN: LiteralString = "SELECT doc FROM price_plans WHERE code = %s"
_REPLACE_PLAN: LiteralString = "UPDATE price_plans SET doc = %s WHERE code = %s"
_ALL_PLANS: LiteralString = "SELECT code, doc FROM price_plans ORDER BY code"

_ADD_PROMOTION: LiteralString = (
    "INSERT INTO promotions (code_key, code, doc) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
)
_GET_PROMOTION: LiteralString = "SELECT doc FROM promotions WHERE code_key = %s"
_ALL_PROMOTIONS: LiteralString = "SELECT code, doc FROM promotions ORDER BY code"
_ADD_USE: LiteralString = (
    "INSERT INTO promotion_uses (code_key, order_id, customer_id) VALUES (%s, %s, %s) "
    "ON CONFLICT DO NOTHING"
)
_USES: LiteralString = "SELECT count(*) FROM promotion_uses WHERE code_key = %s"
_CUSTOMER_USES: LiteralString = (
    "SELECT count(*) FROM promotion_uses WHERE code_key = %s AND customer_id = %s"
)

_ADD_SERVICE: LiteralString = (
    "INSERT INTO services (id, customer_id, product_code, status, due_on, version, doc) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id"
)
_GET_SERVICE: LiteralString = "SELECT doc FROM services WHERE id = %s"
_GET_SERVICES: LiteralString = "SELECT id, doc FROM services WHERE id = ANY(%s)"
_SAVE_SERVICE: LiteralString = (
    "UPDATE services SET customer_id = %s, product_code = %s, status = %s, due_on = %s, "
    "version = %s, worker = NULL, lease_until = NULL, doc = %s WHERE id = %s AND version = %s "
    "RETURNING id"
)
_SERVICE_VERSION: LiteralString = "SELECT version FROM services WHERE id = %s"
_CLAIM_DUE: LiteralString = (
    "UPDATE services SET worker = %s, lease_until = %s WHERE id IN ("
    "SELECT id FROM services WHERE due_on <= %s AND (lease_until IS NULL OR lease_until <= %s) "
    "ORDER BY due_on, id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id, due_on"
)
_RELEASE: LiteralString = (
    "UPDATE services SET worker = NULL, lease_until = NULL "
    "WHERE id = ANY(%s::text[]) AND worker = %s"
)

_ADD_ORDER: LiteralString = (
    "INSERT INTO orders (id, customer_id, placed_at, doc) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT DO NOTHING"
)
_GET_ORDER: LiteralString = "SELECT doc FROM orders WHERE id = %s"
_REPLACE_ORDER: LiteralString = (
    "UPDATE orders SET customer_id = %s, placed_at = %s, doc = %s WHERE id = %s"
)
_CUSTOMER_ORDERS: LiteralString = (
    "SELECT id, doc FROM orders WHERE customer_id = %s ORDER BY placed_at, id"
)

_ADD_LINE: LiteralString = (
    "INSERT INTO invoice_lines "
    "(service_id, customer_id, product_code, issued_at, currency, amount, doc) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
_SERVICE_LINES: LiteralString = (
    "SELECT sequence, product_code, issued_at, doc FROM invoice_lines "
    "WHERE service_id = %s ORDER BY sequence"
)
_CUSTOMER_LINES: LiteralString = (
    "SELECT sequence, product_code, issued_at, doc FROM invoice_lines "
    "WHERE customer_id = %s ORDER BY sequence"
)
_REVENUE: LiteralString = (
    "SELECT product_code, currency, sum(amount), count(*) FROM invoice_lines "
    "WHERE issued_at >= %s AND issued_at < %s "
    "GROUP BY product_code, currency ORDER BY product_code, currency"
)

_ADD_EVENT: LiteralString = "INSERT INTO events (service_id, doc) VALUES (%s, %s)"
_SERVICE_EVENTS: LiteralString = (
    "SELECT sequence, published, doc FROM events WHERE service_id = %s ORDER BY sequence"
)
_UNPUBLISHED: LiteralString = (
    "SELECT sequence, published, doc FROM events WHERE NOT published ORDER BY sequence"
)
_UNPUBLISHED_LIMIT: LiteralString = (
    "SELECT sequence, published, doc FROM events WHERE NOT published ORDER BY sequence LIMIT %s"
)
_MARK_PUBLISHED: LiteralString = (
    "UPDATE events SET published = true WHERE sequence = ANY(%s::bigint[]) AND NOT published"
)


# --- the driver and its errors ----------------------------------------------------------------


def _require_psycopg() -> None:
    try:
        import psycopg.types.json  # noqa: F401
    except ImportError as error:
        raise StoreUnavailable(
            f"the PostgreSQL store needs psycopg 3, which cannot be imported ({error}); "
            f"install it with: {_INSTALL}"
        ) from error


class _About(NamedTuple):
    """What a statement is about, to name it in the error it may raise."""

    kind: str
    key: object
    expected: int | None = None


class _Write(NamedTuple):
    """A write deferred until the transaction's first read or its commit (parameters ready).

    ``about`` names the service of a checked write: an ``add`` (``expected`` is ``None``)
    fails when its id is taken, a ``save`` when the stored version is not ``expected``;
    ``version`` is the service's version once the write is done. Invoice lines and events
    have no check (``about`` is ``None``).
    """

    query: LiteralString
    params: tuple[Any, ...]
    about: _About | None = None
    version: int = 0


def _as_is(data: bytes) -> bytes:
    """The JSON "dumps" of a document already dumped (see ``PostgresUnitOfWork._doc``)."""
    return data


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def _translate(
    error: psycopg.Error,
    *,
    about: _About | None = None,
    broken: bool = False,
    committing: bool = False,
) -> ProdlifeError:
    """The prodlife error for a psycopg error (the caller raises it ``from error``)."""
    from psycopg import errors

    detail = _first_line(error)
    if isinstance(error, errors.UniqueViolation):
        if about is not None:
            return AlreadyExists(about.kind, about.key)
        table = error.diag.table_name or "row"
        return AlreadyExists(table, error.diag.message_detail or detail)
    if isinstance(error, errors.SerializationFailure | errors.DeadlockDetected):
        if about is not None and about.expected is not None:
            return ConcurrencyConflict(about.kind, about.key, about.expected)
        return StoreBusy(
            f"the transaction collided with a concurrent one ({detail}); roll it back and run "
            "it again"
        )
    if isinstance(error, errors.LockNotAvailable):
        return StoreBusy(
            f"another transaction held a lock longer than lock_timeout ({detail}); roll back "
            "and retry later"
        )
    if isinstance(error, errors.QueryCanceled):
        return StoreBusy(
            f"the statement was cancelled ({detail}), by statement_timeout or an administrator; "
            "roll back and retry later"
        )
    state = error.sqlstate or ""
    if broken or (
        isinstance(error, errors.OperationalError)
        and (not state or state.startswith(("08", "57P")))
    ):
        maybe = (
            "; the commit may or may not have been kept: check before doing it again"
            if committing
            else "; nothing of the transaction was kept: retry once the server is back"
        )
        return StoreUnavailable(f"the connection to PostgreSQL failed ({detail}){maybe}")
    return StoreError(f"PostgreSQL refused the request ({type(error).__name__}: {detail})")


# --- the unit of work -------------------------------------------------------------------------


def _written(cursor: _Cursor, count: int) -> list[bool]:
    """Which of the ``count`` statements of an ``executemany(..., returning=True)`` returned a
    row (an ``INSERT ... ON CONFLICT DO NOTHING`` that inserted, an ``UPDATE`` that matched)."""
    done = [cursor.fetchone() is not None]
    while cursor.nextset():
        done.append(cursor.fetchone() is not None)
    if len(done) != count:
        raise StoreError(f"PostgreSQL answered {len(done)} of {count} deferred writes")
    return done


class PostgresUnitOfWork:
    """One transaction over a :class:`PostgresStore`; see :class:`prodlife.ports.UnitOfWork`.

    It owns one connection while open. A failed statement ends the
    transaction in PostgreSQL: the unit of work then raises ``StoreError``
    until its ``with`` block rolls it back. Services added and saved, invoice
    lines and events written before the first read wait in a queue, run
    together at that read or at :meth:`commit` (see the module's
    documentation).
    """

    __slots__ = (
        "_adding",
        "_catalog",
        "_connection",
        "_cursor",
        "_deferring",
        "_ended",
        "_error",
        "_events",
        "_failure",
        "_jsonb",
        "_lines",
        "_orders",
        "_plans",
        "_promotions",
        "_queue",
        "_services",
        "_why",
    )

    def __init__(self, connection: _Connection) -> None:
        import psycopg
        from psycopg.types.json import Jsonb

        self._connection = connection
        self._cursor: _Cursor | None = connection.cursor()
        self._ended = False
        self._failure: ProdlifeError | None = None
        self._why = ""
        self._deferring = True  # until the first statement that is not a deferred write
        self._queue: list[_Write] = []
        self._adding: set[object] = set()  # the ids of the services added in the queue
        self._error: type[psycopg.Error] = psycopg.Error
        self._jsonb: type[Jsonb] = Jsonb
        self._catalog = _Catalog(self)
        self._plans = _PricePlans(self)
        self._promotions = _Promotions(self)
        self._services = _Services(self)
        self._orders = _Orders(self)
        self._lines = _Lines(self)
        self._events = _Events(self)

    # --- the repositories -------------------------------------------------------------------

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
        """Scheduler claims (kept on the services)."""
        return self._services

    # --- ending it ----------------------------------------------------------------------------

    def commit(self) -> None:
        """Keep what this transaction wrote and end it.

        Runs the writes still deferred first: when one of them fails, commit
        raises what its call would have raised, rolls back and keeps nothing.

        Raises:
            AlreadyExists: a deferred ``services.add`` found its id taken.
            NotFound: a deferred ``services.save`` found no such service.
            ConcurrencyConflict: a deferred ``services.save`` found another version.
            StoreError: the transaction had already ended or failed.
            StoreUnavailable: the connection failed while committing (whether
                the commit was kept is unknown).
        """
        cursor = self._live()
        if self._queue:
            try:
                self._flush(cursor)
            except BaseException:
                self.rollback()
                raise
        self._cursor = None
        self._ended = True
        try:
            self._connection.commit()
        except self._error as error:
            raise _translate(error, broken=self._connection.broken, committing=True) from error

    def rollback(self) -> None:
        """Drop what this transaction wrote and end it (nothing happens when it has ended)."""
        self._queue = []
        self._adding.clear()
        if self._ended:
            return
        self._cursor = None
        self._ended = True
        # When this fails the connection is gone, and the server drops the transaction with it.
        with suppress(self._error):
            self._connection.rollback()

    # --- shared by the repositories -----------------------------------------------------------

    def _live(self) -> _Cursor:
        cursor = self._cursor
        if cursor is not None:
            return cursor
        if self._failure is not None and not self._ended:
            raise StoreError(
                f"an earlier statement of this transaction failed ({self._failure}), which ended "
                f"it {self._why}; leave its with block (which rolls it back) and retry in a new "
                "transaction"
            )
        raise StoreError(
            "this transaction has ended (committed or rolled back); open a new one with "
            "store.transaction()"
        )

    def _failed(self, error: psycopg.Error, about: _About | None) -> ProdlifeError:
        self._cursor = None
        failure = _translate(error, about=about, broken=self._connection.broken)
        self._failure = failure
        self._why = "in PostgreSQL"
        return failure

    # --- deferred writes ----------------------------------------------------------------------

    def _defers(self) -> bool:
        """Whether a write is deferred now (nothing was read yet); ``StoreError`` once ended."""
        self._live()
        return self._deferring

    def _defer(self, write: _Write) -> None:
        """Queue ``write`` (``AlreadyExists`` at once for an id added earlier in the queue)."""
        about = write.about
        if about is not None and about.expected is None:
            if about.key in self._adding:
                raise AlreadyExists(about.kind, about.key)
            self._adding.add(about.key)
        self._queue.append(write)

    def _statement(self) -> _Cursor:
        """The cursor for a statement run now, once the deferred writes have run."""
        cursor = self._live()
        if self._deferring:
            self._deferring = False
            if self._queue:
                self._flush(cursor)
        return cursor

    def _flush(self, cursor: _Cursor) -> None:
        """Run the deferred writes in order, consecutive ones of one statement together.

        Each run of one statement is one ``executemany`` (pipelined: one round trip).
        When a write fails, the transaction cannot go on, and this raises what the
        first failing write's call would have raised had it run at once.
        """
        queue, self._queue = self._queue, []
        self._adding.clear()
        start = 0
        while start < len(queue):
            query = queue[start].query
            end = start + 1
            while end < len(queue) and queue[end].query == query:
                end += 1
            group = queue[start:end]
            checked = group[0].about is not None
            try:
                cursor.executemany(query, [write.params for write in group], returning=checked)
                done = _written(cursor, len(group)) if checked else []
            except self._error as error:
                raise self._failed(error, group[0].about if len(group) == 1 else None) from error
            if not all(done):
                raise self._refused(cursor, queue, start, done)
            start = end

    def _refused(
        self, cursor: _Cursor, queue: list[_Write], start: int, done: list[bool]
    ) -> ProdlifeError:
        """The error of the first write of ``queue[start:]`` not done, the transaction failed.

        ``done`` tells which of the writes from ``start`` on ran (later ones did not).
        """
        failing = start + done.index(False)
        about = queue[failing].about
        assert about is not None  # only checked writes can be refused
        failure: ProdlifeError
        if about.expected is None:
            failure = AlreadyExists(about.kind, about.key)
        else:
            found = self._found(cursor, queue, start, done, failing)
            if found is None:
                failure = NotFound(about.kind, about.key)
            else:
                failure = ConcurrencyConflict(about.kind, about.key, about.expected, found)
        self._cursor = None
        self._failure = failure
        self._why = "(its writes had run since)"
        return failure

    def _found(
        self, cursor: _Cursor, queue: list[_Write], start: int, done: list[bool], failing: int
    ) -> int | None:
        """The version the refused save ``queue[failing]`` met (``None``: no such service).

        What the queue's own writes of that service tell, else what is stored: a later
        write of it that ran tells what was there before it.
        """
        key = queue[failing].about.key  # type: ignore[union-attr]
        for index in range(failing - 1, -1, -1):
            write = queue[index]
            if (
                write.about is not None
                and write.about.key == key
                and (index < start or done[index - start])
            ):
                return write.version
        for index in range(failing + 1, start + len(done)):
            write = queue[index]
            if write.about is not None and write.about.key == key and done[index - start]:
                return write.about.expected
        try:
            row = cursor.execute(_SERVICE_VERSION, (key,)).fetchone()
        except self._error as error:
            raise self._failed(error, None) from error
        return None if row is None else int(row[0])

    # --- statements run now -------------------------------------------------------------------

    def _execute(
        self, query: LiteralString, params: Sequence[Any] = (), about: _About | None = None
    ) -> _Cursor:
        cursor = self._statement()
        try:
            return cursor.execute(query, params)
        except self._error as error:
            raise self._failed(error, about) from error

    def _executemany(self, query: LiteralString, params: Sequence[Sequence[Any]]) -> None:
        cursor = self._statement()
        try:
            cursor.executemany(query, params)
        except self._error as error:
            raise self._failed(error, None) from error

    def _one(self, query: LiteralString, params: Sequence[Any]) -> tuple[Any, ...] | None:
        cursor = self._statement()
        try:
            return cursor.execute(query, params).fetchone()
        except self._error as error:
            raise self._failed(error, None) from error

    def _all(self, query: LiteralString, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._statement()
        try:
            return cursor.execute(query, params).fetchall()
        except self._error as error:
            raise self._failed(error, None) from error

    def _count(self, query: LiteralString, params: Sequence[Any]) -> int:
        row = self._one(query, params)
        return 0 if row is None else int(row[0])

    def _doc(self, value: object) -> Jsonb:
        # Dumped now, not when the statement runs: a deferred write holds its JSON ready.
        return self._jsonb(dumps(value).encode(), _as_is)

    def _finish(self) -> None:
        self.rollback()


class _Catalog:
    """Catalog versions; see :class:`prodlife.ports.CatalogRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add_version(self, version: CatalogVersion) -> None:
        if not isinstance(version, CatalogVersion):
            raise ValidationError(f"{version!r} is not a CatalogVersion; pass one")
        uow = self._uow
        params = (version.name, version.effective, uow._doc(version))
        if uow._execute(_ADD_VERSION, params).rowcount == 0:
            raise AlreadyExists("catalog version", version.name)

    def versions(self) -> CatalogVersions:
        rows = self._uow._all(_VERSIONS)
        if not rows:
            raise NotFound("catalog version", "any", "add one with uow.catalog.add_version()")
        return CatalogVersions(tuple(decode(CatalogVersion, doc, name) for name, doc in rows))


class _PricePlans:
    """Price plans; see :class:`prodlife.ports.PricePlanRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, plan: PricePlan) -> None:
        uow = self._uow
        if uow._execute(_ADD_PLAN, (plan.code, uow._doc(plan))).rowcount == 0:
            raise AlreadyExists("price plan", plan.code)

    def get(self, code: str) -> PricePlan:
        row = self._uow._one(_GET_PLAN, (code,))
        if row is None:
            raise NotFound("price plan", code)
        return decode(PricePlan, row[0], code)

    def replace(self, plan: PricePlan) -> None:
        uow = self._uow
        if uow._execute(_REPLACE_PLAN, (uow._doc(plan), plan.code)).rowcount == 0:
            raise NotFound("price plan", plan.code)

    def all(self) -> list[PricePlan]:
        return [decode(PricePlan, doc, code) for code, doc in self._uow._all(_ALL_PLANS)]


class _Promotions:
    """Promotions and their uses; see :class:`prodlife.ports.PromotionRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, promotion: Promotion) -> None:
        uow = self._uow
        params = (promotion.code.upper(), promotion.code, uow._doc(promotion))
        if uow._execute(_ADD_PROMOTION, params).rowcount == 0:
            raise AlreadyExists("promotion", promotion.code)

    def get(self, code: str) -> Promotion:
        row = self._uow._one(_GET_PROMOTION, (code.upper(),))
        if row is None:
            raise NotFound("promotion", code)
        return decode(Promotion, row[0], code)

    def all(self) -> list[Promotion]:
        return [decode(Promotion, doc, code) for code, doc in self._uow._all(_ALL_PROMOTIONS)]

    def record_use(self, code: str, customer_id: str, order_id: str) -> None:
        promotion = self.get(code)
        params = (promotion.code.upper(), order_id, customer_id)
        if self._uow._execute(_ADD_USE, params).rowcount == 0:
            raise AlreadyExists("use of promotion on order", f"{promotion.code} on {order_id}")

    def uses(self, code: str, customer_id: str | None = None) -> int:
        if customer_id is None:
            return self._uow._count(_USES, (code.upper(),))
        return self._uow._count(_CUSTOMER_USES, (code.upper(), customer_id))


def _where(query: ServiceQuery) -> tuple[LiteralString, list[Any]]:
    clauses: list[LiteralString] = []
    params: list[Any] = []
    if query.customer_id is not None:
        clauses.append("customer_id = %s")
        params.append(query.customer_id)
    if query.product_code is not None:
        clauses.append("product_code = %s")
        params.append(query.product_code)
    if query.status is not None:
        clauses.append("status = %s")
        params.append(query.status.value)
    if query.due_on_or_before is not None:
        clauses.append("due_on <= %s")
        params.append(query.due_on_or_before)
    if query.after_id is not None:
        clauses.append("id > %s")
        params.append(query.after_id)
    if not clauses:
        return "", params
    return " WHERE " + " AND ".join(clauses), params


class _Services:
    """Services and their scheduler claims; see :class:`prodlife.ports.ServiceRepository`
    and :class:`prodlife.ports.SchedulerRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, service: Service, *, due_on: date | None) -> None:
        if not isinstance(service, Service):
            raise ValidationError(f"{service!r} is not a Service; pass one")
        uow = self._uow
        params = (
            service.id,
            service.customer_id,
            service.product_code,
            service.status.status.value,
            due_on,
            service.version,
            uow._doc(service),
        )
        if uow._defers():
            uow._defer(_Write(_ADD_SERVICE, params, _About("service", service.id), service.version))
            return
        if uow._execute(_ADD_SERVICE, params).rowcount == 0:
            raise AlreadyExists("service", service.id)

    def get(self, service_id: str) -> Service:
        row = self._uow._one(_GET_SERVICE, (service_id,))
        if row is None:
            raise NotFound("service", service_id)
        return decode(Service, row[0], service_id)

    def get_many(self, service_ids: Sequence[str]) -> list[Service]:
        keys = list(service_ids)
        rows = self._uow._all(_GET_SERVICES, (sorted(set(keys)),)) if keys else []
        found = {key: decode(Service, doc, key) for key, doc in rows}
        for key in keys:
            if key not in found:
                raise NotFound("service", key)
        return [found[key] for key in keys]

    def save(self, service: Service, *, expected_version: int, due_on: date | None) -> None:
        if not isinstance(service, Service):
            raise ValidationError(f"{service!r} is not a Service; pass one")
        uow = self._uow
        params = (
            service.customer_id,
            service.product_code,
            service.status.status.value,
            due_on,
            service.version,
            uow._doc(service),
            service.id,
            expected_version,
        )
        about = _About("service", service.id, expected_version)
        if uow._defers():
            uow._defer(_Write(_SAVE_SERVICE, params, about, service.version))
            return
        if uow._execute(_SAVE_SERVICE, params, about).rowcount:
            return
        row = uow._one(_SERVICE_VERSION, (service.id,))
        if row is None:
            raise NotFound("service", service.id)
        raise ConcurrencyConflict("service", service.id, expected_version, row[0])

    def find(self, query: ServiceQuery) -> list[Service]:
        where, params = _where(query)
        limit: LiteralString = ""
        if query.limit is not None:
            limit = " LIMIT %s"
            params.append(max(query.limit, 0))
        rows = self._uow._all(
            "SELECT id, doc FROM services" + where + " ORDER BY id" + limit, params
        )
        return [decode(Service, doc, key) for key, doc in rows]

    def count(self, query: ServiceQuery) -> int:
        where, params = _where(query)
        return self._uow._count("SELECT count(*) FROM services" + where, params)

    # --- scheduler claims ---------------------------------------------------------------------

    def claim_due(
        self, on: date, *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[str]:
        now = as_utc(now)
        if limit <= 0:
            self._uow._live()
            return []
        params = (worker, now + lease, on, now, limit)
        rows = self._uow._all(_CLAIM_DUE, params)
        rows.sort(key=lambda row: (row[1], row[0]))
        return [key for key, _ in rows]

    def release(self, service_ids: Sequence[str], *, worker: str) -> None:
        self._uow._execute(_RELEASE, (list(service_ids), worker))


class _Orders:
    """Orders; see :class:`prodlife.ports.OrderRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, order: Order) -> None:
        uow = self._uow
        params = (order.id, order.customer_id, order.placed_at, uow._doc(order))
        if uow._execute(_ADD_ORDER, params).rowcount == 0:
            raise AlreadyExists("order", order.id)

    def get(self, order_id: str) -> Order:
        row = self._uow._one(_GET_ORDER, (order_id,))
        if row is None:
            raise NotFound("order", order_id)
        return decode(Order, row[0], order_id)

    def replace(self, order: Order) -> None:
        uow = self._uow
        params = (order.customer_id, order.placed_at, uow._doc(order), order.id)
        if uow._execute(_REPLACE_ORDER, params).rowcount == 0:
            raise NotFound("order", order.id)

    def for_customer(self, customer_id: str) -> list[Order]:
        rows = self._uow._all(_CUSTOMER_ORDERS, (customer_id,))
        return [decode(Order, doc, key) for key, doc in rows]


def _issued(row: tuple[Any, ...]) -> IssuedLine:
    sequence, product_code, issued_at, doc = row
    line = decode(InvoiceLine, doc, f"invoice line {sequence}")
    return IssuedLine(line, product_code, as_utc(issued_at), sequence)


class _Lines:
    """Invoice lines; see :class:`prodlife.ports.InvoiceLineRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, lines: Sequence[InvoiceLine], *, product_code: str, issued_at: datetime) -> None:
        uow = self._uow
        issued_at = as_utc(issued_at)
        rows = [
            (
                line.service_id,
                line.customer_id,
                product_code,
                issued_at,
                line.amount.currency.code,
                line.amount.amount,
                uow._doc(line),
            )
            for line in lines
        ]
        if uow._defers():
            uow._queue.extend(_Write(_ADD_LINE, row) for row in rows)
        elif rows:
            uow._executemany(_ADD_LINE, rows)

    def for_service(self, service_id: str) -> list[IssuedLine]:
        return [_issued(row) for row in self._uow._all(_SERVICE_LINES, (service_id,))]

    def for_customer(self, customer_id: str) -> list[IssuedLine]:
        return [_issued(row) for row in self._uow._all(_CUSTOMER_LINES, (customer_id,))]

    def revenue_by_product(self, start: datetime, end: datetime) -> list[ProductRevenue]:
        rows = self._uow._all(_REVENUE, (as_utc(start), as_utc(end)))
        return [
            ProductRevenue(product, Money(total, currency), count)
            for product, currency, total, count in rows
        ]


def _stored(row: tuple[Any, ...]) -> StoredEvent:
    sequence, published, doc = row
    return StoredEvent(sequence, decode(Event, doc, f"event {sequence}"), published)


class _Events:
    """The event outbox; see :class:`prodlife.ports.EventRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def add(self, events: Sequence[Event]) -> None:
        uow = self._uow
        rows = [(event.service_id, uow._doc(event)) for event in events]
        if uow._defers():
            uow._queue.extend(_Write(_ADD_EVENT, row) for row in rows)
        elif rows:
            uow._executemany(_ADD_EVENT, rows)

    def for_service(self, service_id: str) -> list[StoredEvent]:
        return [_stored(row) for row in self._uow._all(_SERVICE_EVENTS, (service_id,))]

    def unpublished(self, limit: int | None = None) -> list[StoredEvent]:
        check_limit(limit)
        if limit is None:
            rows = self._uow._all(_UNPUBLISHED)
        else:
            rows = self._uow._all(_UNPUBLISHED_LIMIT, (max(limit, 0),))
        return [_stored(row) for row in rows]

    def mark_published(self, sequences: Sequence[int]) -> None:
        self._uow._execute(_MARK_PUBLISHED, (list(sequences),))


# --- the store ----------------------------------------------------------------------------------


#: Connections a forked child inherited from its parent's pools (see :meth:`_Pool.acquire`).
_INHERITED: list[Any] = []


class _Pool:
    """Idle connections kept for the next transactions (at most ``size``).

    A transaction takes an idle connection or opens a new one, so there are as
    many connections as transactions running at once; only ``size`` stay open
    between transactions.
    """

    def __init__(self, connect: Callable[[], _Connection], size: int) -> None:
        self._connect = connect
        self._size = size
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self.closed = False

    def acquire(self) -> _Connection:
        with self._lock:
            if self.closed:
                raise StoreError("this store is closed; open a new one with open_store()")
            if self._pid != os.getpid():
                # Inherited through fork: those sockets are the parent's, never ours to use or
                # close; kept referenced so that collecting them does not warn.
                _INHERITED.extend(self._idle)
                self._idle = []
                self._pid = os.getpid()
            while self._idle:
                connection = self._idle.pop()
                if not connection.closed and not connection.broken:
                    return connection
        return self._connect()

    def release(self, connection: _Connection) -> None:
        from psycopg.pq import TransactionStatus

        reusable = (
            not connection.closed
            and not connection.broken
            and connection.info.transaction_status == TransactionStatus.IDLE
        )
        with self._lock:
            if (
                reusable
                and not self.closed
                and self._pid == os.getpid()
                and len(self._idle) < self._size
            ):
                self._idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        with self._lock:
            self.closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _where_to(url: str) -> tuple[str, str]:
    """``user@host:port/dbname`` for messages, and the password to keep out of them."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(url)
    except Exception:  # an unreadable URL: say nothing of it
        return "the URL given", ""
    user = params.get("user") or "(default user)"
    host = params.get("host") or params.get("hostaddr") or "localhost"
    port = params.get("port") or 5432
    dbname = params.get("dbname") or "(default database)"
    return f"{user}@{host}:{port}/{dbname}", str(params.get("password") or "")


class PostgresStore:
    """A transactional store in a PostgreSQL database (``open_store("postgresql://...")``).

    Args:
        url: a libpq connection URL or string, e.g.
            ``"postgresql://billing@db.example.com/prodlife"``.
        schema: the PostgreSQL schema to keep every table in (created when
            missing); ``None`` uses the connection's own ``search_path``.
        lock_timeout: seconds a statement may wait for a lock before it
            raises :class:`~prodlife.errors.StoreBusy`; ``None`` keeps the
            server's setting (by default, wait forever).
        connect_timeout: seconds to wait for the server when connecting.
        pool_size: how many idle connections to keep for the next transactions.
        prepare: prepare each statement on its first use on a connection
            (faster); turn it off behind a pooler that cannot keep prepared
            statements (PgBouncer in transaction mode before 1.21).

    Opening creates or migrates the tables (see the module's documentation).

    Raises:
        StoreUnavailable: psycopg is not installed, or the server cannot be
            reached with ``url``.
        StoreError: the database was migrated by a newer prodlife, or the
            tables cannot be created.
    """

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        lock_timeout: float | None = None,
        connect_timeout: int = 10,
        pool_size: int = 8,
        prepare: bool = True,
    ) -> None:
        _require_psycopg()
        if schema is not None and (not isinstance(schema, str) or not schema):
            raise ValidationError(f"schema {schema!r} is not a schema name; pass a non-empty str")
        if lock_timeout is not None and (isinstance(lock_timeout, bool) or lock_timeout < 0):
            raise ValidationError(f"lock_timeout {lock_timeout!r} must be seconds >= 0 or None")
        self._url = url
        self._schema = schema
        self._lock_timeout = lock_timeout
        self._connect_timeout = connect_timeout
        self._prepare = prepare
        self._where, self._password = _where_to(url)
        self._pool = _Pool(self._connect, pool_size)
        connection = self._connect()
        try:
            self._migrate(connection)
        except BaseException:
            connection.close()
            raise
        self._pool.release(connection)

    @property
    def schema(self) -> str | None:
        """The PostgreSQL schema holding the tables (``None``: the ``search_path``'s first)."""
        return self._schema

    def _connect(self) -> _Connection:
        import psycopg
        from psycopg import sql

        try:
            connection = psycopg.connect(
                self._url, autocommit=True, connect_timeout=self._connect_timeout
            )
        except psycopg.Error as error:
            reason = _first_line(error)
            if self._password:
                reason = reason.replace(self._password, "********")
            raise StoreUnavailable(
                f"cannot connect to PostgreSQL at {self._where} ({reason}); check that the server "
                "is running and that the URL's host, port, database, user and password are right"
            ) from error
        try:
            if self._schema is not None:
                query = sql.SQL("SET search_path TO {}").format(sql.Identifier(self._schema))
                connection.execute(query)
            if self._lock_timeout is None:
                connection.execute("SET TimeZone TO 'UTC'")
            else:
                connection.execute(
                    "SELECT set_config('TimeZone', 'UTC', false), "
                    "set_config('lock_timeout', %s, false)",
                    (f"{math.ceil(self._lock_timeout * 1000)}ms",),
                )
            connection.autocommit = False
            connection.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
            connection.prepare_threshold = 0 if self._prepare else None
        except psycopg.Error as error:
            connection.close()
            raise _translate(error, broken=connection.broken) from error
        return connection

    def _migrate(self, connection: _Connection) -> None:
        import psycopg
        from psycopg import sql

        cursor = connection.cursor()
        connection.prepare_threshold = None  # run once: not worth keeping prepared
        try:
            schema = self._schema
            if schema is None:
                row = cursor.execute("SELECT current_schema()").fetchone()
                schema = None if row is None else row[0]
                if schema is None:
                    raise StoreError(
                        "no schema to create prodlife's tables in: the connection's search_path "
                        "names none that exists; pass schema='...' or create one"
                    )
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"prodlife:{schema}",))
            if self._schema is not None:
                found = cursor.execute(
                    "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
                ).fetchone()
                if found is None:
                    cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
            found = cursor.execute(
                "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'schema_version'",
                (schema,),
            ).fetchone()
            if found is None:
                cursor.execute("CREATE TABLE schema_version (version integer NOT NULL)")
            row = cursor.execute("SELECT max(version) FROM schema_version").fetchone()
            current = 0 if row is None or row[0] is None else int(row[0])
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"the database schema {schema!r} is at version {current}, newer than this "
                    f"prodlife knows (version {SCHEMA_VERSION}): a newer prodlife migrated it; "
                    "upgrade prodlife to use it"
                )
            for migration in _MIGRATIONS[current:]:
                for statement in migration:
                    cursor.execute(statement)
            if current < SCHEMA_VERSION:
                cursor.execute("DELETE FROM schema_version")
                cursor.execute(
                    "INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION,)
                )
            connection.commit()
        except psycopg.Error as error:
            raise _translate(error, broken=connection.broken) from error
        finally:
            cursor.close()
            connection.prepare_threshold = 0 if self._prepare else None

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[PostgresUnitOfWork]:
        """Open a transaction; it is rolled back unless committed inside the block.

        A ``readonly`` one runs ``SET TRANSACTION READ ONLY``: the server refuses
        its writes (``StoreError``).

        Raises:
            StoreError: the store is closed.
            StoreUnavailable: no connection to the server could be made.
        """
        connection = self._pool.acquire()
        try:
            uow = PostgresUnitOfWork(connection)
            if readonly:
                uow._execute("SET TRANSACTION READ ONLY")
        except BaseException:
            self._pool.release(connection)
            raise
        try:
            yield uow
        finally:
            uow._finish()
            self._pool.release(connection)

    def close(self) -> None:
        """Close the store's idle connections; it cannot be used afterwards.

        A transaction still open keeps its connection until its block ends.
        """
        self._pool.close()


if TYPE_CHECKING:

    def _conforms(store: PostgresStore, uow: PostgresUnitOfWork) -> tuple[Store, UnitOfWork]:
        return store, uow
