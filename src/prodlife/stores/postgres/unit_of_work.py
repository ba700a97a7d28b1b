"""The PostgreSQL store's unit of work: one transaction on one connection, deferred writes."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any, LiteralString

from prodlife.errors import AlreadyExists, ConcurrencyConflict, NotFound, ProdlifeError, StoreError
from prodlife.stores._documents import dumps
from prodlife.stores.postgres.errors import _About, _translate
from prodlife.stores.postgres.repositories import (
    _Catalog,
    _Events,
    _Lines,
    _Orders,
    _PricePlans,
    _Promotions,
)
from prodlife.stores.postgres.services import _Services
from prodlife.stores.postgres.sql import _SERVICE_VERSION, _Write

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow
    from psycopg.types.json import Jsonb

    _Connection = psycopg.Connection[TupleRow]
    _Cursor = psycopg.Cursor[TupleRow]


def _as_is(data: bytes) -> bytes:
    """The JSON "dumps" of a document already dumped (see ``PostgresUnitOfWork._doc``)."""
    return data


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
