"""The unit of work of the SQL stores: one transaction on one connection, and its deferred writes.

Failed statements
    Where a failed statement ends the whole transaction (PostgreSQL), every
    later call raises ``StoreError`` until the ``with`` block rolls it back;
    elsewhere (SQLite) only that statement is undone and the transaction goes on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from prodlife.errors import AlreadyExists, StoreError
from prodlife.stores.sql.catalog import Catalog
from prodlife.stores.sql.deferred import DeferredWrites
from prodlife.stores.sql.errors import not_unicode, too_deep
from prodlife.stores.sql.goods import Goods
from prodlife.stores.sql.invoices import Invoices, Payments, invoice_statements
from prodlife.stores.sql.offerings import Offerings
from prodlife.stores.sql.repositories import (
    Events,
    Lines,
    Orders,
    PricePlans,
    Promotions,
)
from prodlife.stores.sql.services import Services
from prodlife.stores.sql.sync_runs import SyncRuns

if TYPE_CHECKING:
    from prodlife.catalog.catalog import CatalogVersion
    from prodlife.stores.sql.dialect import About, Cursor, Dialect
    from prodlife.stores.sql.statements import Statements

__all__ = ["SQLUnitOfWork"]

_READ_ONLY_WRITE = (
    "this transaction is read-only; open store.transaction() without readonly=True to write"
)
_ENDED = (
    "this transaction has ended (committed or rolled back); open a new one with store.transaction()"
)


class SQLUnitOfWork(DeferredWrites):
    """One transaction of an SQL store; see :class:`prodlife.ports.UnitOfWork`.

    Made by the store's ``transaction()``. After :meth:`commit` or
    :meth:`rollback` every use raises :class:`~prodlife.errors.StoreError`.
    """

    __slots__ = (
        "_begun",
        "_catalog",
        "_connection",
        "_cursor",
        "_events",
        "_goods",
        "_invoices",
        "_lines",
        "_offerings",
        "_open",
        "_orders",
        "_payments",
        "_plans",
        "_promotions",
        "_readonly",
        "_services",
        "_sync_runs",
        "dialect",
        "sql",
    )

    def __init__(
        self,
        dialect: Dialect,
        statements: Statements,
        connection: Any,
        catalog_cache: dict[str, CatalogVersion],
        readonly: bool = False,
    ) -> None:
        super().__init__()
        self.dialect = dialect
        self.sql = statements
        self._connection = connection
        self._cursor = dialect.cursor(connection)
        self._readonly = readonly
        self._open = True
        self._begun = False
        self._catalog = Catalog(self, catalog_cache)
        self._plans = PricePlans(self)
        self._promotions = Promotions(self)
        self._offerings = Offerings(self)
        self._services = Services(self)
        self._orders = Orders(self)
        self._lines = Lines(self)
        self._events = Events(self)
        self._sync_runs = SyncRuns(self)
        self._goods = Goods(self)
        billing = invoice_statements(self)
        self._invoices = Invoices(self, billing)
        self._payments = Payments(self, billing)

    # --- the repositories ------------------------------------------------------------------

    @property
    def catalog(self) -> Catalog:
        """Catalog versions."""
        return self._catalog

    @property
    def price_plans(self) -> PricePlans:
        """Price plans."""
        return self._plans

    @property
    def promotions(self) -> Promotions:
        """Promotions and their uses."""
        return self._promotions

    @property
    def offerings(self) -> Offerings:
        """Resellers' offerings."""
        return self._offerings

    @property
    def services(self) -> Services:
        """Services."""
        return self._services

    @property
    def orders(self) -> Orders:
        """Orders."""
        return self._orders

    @property
    def invoice_lines(self) -> Lines:
        """Invoice lines."""
        return self._lines

    @property
    def invoices(self) -> Invoices:
        """Invoices, their numbering and credit balances."""
        return self._invoices

    @property
    def payments(self) -> Payments:
        """Payments and refunds."""
        return self._payments

    @property
    def events(self) -> Events:
        """The event outbox."""
        return self._events

    @property
    def scheduler(self) -> Services:
        """Scheduler claims (kept on the services' rows)."""
        return self._services

    @property
    def sync_runs(self) -> SyncRuns:
        """Product synchronization runs."""
        return self._sync_runs

    @property
    def goods(self) -> Goods:
        """Physical goods: warehouses, movements, meter readings."""
        return self._goods

    # --- ending it ---------------------------------------------------------------------------

    def commit(self) -> None:
        """Keep what this transaction wrote and end it.

        Runs the writes still deferred first: when one of them is refused, commit
        raises what its call would have raised, rolls back and keeps nothing.

        Raises:
            AlreadyExists: a deferred ``services.add`` found its id taken.
            NotFound: a deferred ``services.save`` found no such service.
            ConcurrencyConflict: a deferred ``services.save`` found another version.
            StoreError: the transaction had already ended or failed, or the commit
                failed (then nothing is kept).
            StoreUnavailable: the connection failed while committing (whether the
                commit was kept is unknown).
        """
        self.live()
        if not self._begun and not self._queue:
            self._open = False  # nothing was read or written: there is nothing to commit
            return
        try:
            self.begin()
        except BaseException:
            self.rollback()
            raise
        self._open = False
        try:
            self.dialect.commit(self._connection)
        except self.dialect.error as error:
            failure = self.dialect.translate(error, self._connection, "committing", None, True)
            self.dialect.rollback(self._connection)
            raise failure from error
        self._catalog.committed()

    def rollback(self) -> None:
        """Drop what this transaction wrote and end it (nothing happens when it has ended).

        Never raises: a connection that cannot roll back is closed, and the
        database drops the transaction with it.
        """
        self._queue = []
        self._adding.clear()
        if not self._open:
            return
        self._open = False
        self.dialect.rollback(self._connection)

    def end(self) -> bool:
        """Roll back unless committed (never raising); whether the connection can be reused."""
        self._queue = []
        self._adding.clear()
        self._open = False
        return self.dialect.rollback(self._connection)

    # --- shared by the repositories ------------------------------------------------------

    def live(self) -> Cursor:
        """The cursor, while the transaction is open and has not failed (else ``StoreError``)."""
        if self._open and self._failure is None:
            return self._cursor
        if self._open:
            raise StoreError(
                f"an earlier statement of this transaction failed ({self._failure}), which "
                f"ended it {self._why}; leave its with block (which rolls it back) and retry "
                "in a new transaction"
            )
        raise StoreError(_ENDED)

    @property
    def readonly(self) -> bool:
        """Whether the transaction was opened read-only (``store.transaction(readonly=True)``)."""
        return self._readonly

    def writable(self) -> None:
        """Refuse a write once ended, or in a read-only transaction (``StoreError``)."""
        self.live()
        if self._readonly:
            raise StoreError(_READ_ONLY_WRITE)

    def defers(self) -> bool:
        """Whether a write is deferred now (no statement ran yet); refuses it like
        :meth:`writable`."""
        if not self._open or self._failure is not None or self._readonly:
            self.writable()  # raises
        return not self._begun

    def begin(self) -> Cursor:
        """The cursor for a statement run now: the transaction starts on its first
        statement, and the writes deferred so far run first."""
        cursor = self.live()
        if self._begun:
            return cursor
        try:
            self.dialect.begin(self._connection, self._readonly)
        except self.dialect.error as error:
            raise self._failed(error, "starting a transaction") from error
        self._begun = True
        if self._queue:
            self._flush(cursor)
        return cursor

    @contextmanager
    def _driving(
        self,
        where: str,
        key: object = None,
        about: About | None = None,
        *,
        ends: bool = False,
        reading: bool = False,
    ) -> Iterator[None]:
        """Run a statement inside, the driver's errors turned into prodlife's (see
        :meth:`_failed`); a read too deeply nested to decode is ``too_deep``."""
        try:
            yield
        except UnicodeEncodeError as error:
            raise not_unicode(error) from error
        except RecursionError as error:
            if not reading:
                raise
            raise too_deep(error, where, key) from error
        except self.dialect.error as error:
            raise self._failed(error, where, key, about, ends=ends) from error

    def one(self, sql: str, params: Sequence[Any], where: str, key: object = None) -> Any:
        """The first row ``sql`` returns, or ``None``."""
        cursor = self.begin()
        with self._driving(where, key, reading=True):
            return cursor.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any], where: str, key: object = None) -> list[Any]:
        """Every row ``sql`` returns."""
        cursor = self.begin()
        with self._driving(where, key, reading=True):
            rows: list[Any] = cursor.execute(sql, params).fetchall()
        return rows

    def change(
        self,
        sql: str,
        params: Sequence[Any],
        where: str,
        key: object = None,
        about: About | None = None,
    ) -> int:
        """Run one write now; how many rows it changed."""
        self.writable()
        cursor = self.begin()
        with self._driving(where, key, about):
            changed: int = cursor.execute(sql, params).rowcount
        return changed

    def change_many(self, sql: str, rows: Sequence[Sequence[Any]], where: str) -> None:
        """Run one write now for each of ``rows``."""
        self.writable()
        cursor = self.begin()
        with self._driving(where):
            cursor.executemany(sql, rows)

    def insert_many(self, sql: str, rows: Sequence[Sequence[Any]], about: About) -> None:
        """Insert ``rows`` now, in one statement; when a key is taken, ``AlreadyExists``
        and the transaction ends (some rows may be in it)."""
        self.writable()
        cursor = self.begin()
        with self._driving(f"storing the {about.kind}s", about=about, ends=True):
            cursor.executemany(sql, rows)

    def insert_id(self, sql: str, params: Sequence[Any], where: str) -> int:
        """Insert one row now into a table whose key is a sequence; the id it was given."""
        self.writable()
        cursor = self.begin()
        returning = self.dialect.has_returning()
        with self._driving(where):
            result = cursor.execute(sql + " RETURNING id" if returning else sql, params)
            key = result.fetchone()[0] if returning else result.lastrowid
        return int(key)

    def insert(self, sql: str, params: Sequence[Any], about: About) -> None:
        """Insert one row now; ``AlreadyExists`` (and the transaction goes on) when its key
        is taken."""
        self.writable()
        cursor = self.begin()
        with self._driving(f"storing the {about.kind}", about.key, about):
            written = cursor.execute(sql, params).rowcount
        if not written:
            raise AlreadyExists(about.kind, about.key)
