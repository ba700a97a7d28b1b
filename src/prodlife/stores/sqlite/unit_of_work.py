"""The SQLite store's unit of work: one transaction on one connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from prodlife.catalog.catalog import CatalogVersion
from prodlife.errors import AlreadyExists, StoreError
from prodlife.stores.sqlite.errors import _is_duplicate, _not_unicode, _translate
from prodlife.stores.sqlite.repositories import (
    _Catalog,
    _Events,
    _Lines,
    _Orders,
    _PricePlans,
    _Promotions,
)
from prodlife.stores.sqlite.services import _Services

_READ_ONLY_WRITE = (
    "this transaction is read-only; open store.transaction() without readonly=True to write"
)
_ENDED = (
    "this transaction has ended (committed or rolled back); open a new one with store.transaction()"
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
