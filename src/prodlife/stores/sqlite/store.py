"""The SQLite store itself: opening a database, and its pool of connections."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Final, Literal

from prodlife.catalog.catalog import CatalogVersion
from prodlife.errors import StoreError, StoreUnavailable, ValidationError
from prodlife.stores import sqlite as _package
from prodlife.stores.sqlite.errors import _translate
from prodlife.stores.sqlite.schema import migrate, schema_version
from prodlife.stores.sqlite.unit_of_work import SQLiteUnitOfWork

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
            # Read from the package when opening (not bound at import): a test that patches
            # prodlife.stores.sqlite's _MIGRATIONS and SCHEMA_VERSION is seen here.
            migrations, known = _package._MIGRATIONS, _package.SCHEMA_VERSION
            if schema_version(connection, self._path, known) == known:
                return
            connection.execute("BEGIN IMMEDIATE")
            try:
                migrate(connection, self._path, migrations, known)
                connection.execute("COMMIT")
            finally:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
        except sqlite3.Error as error:
            raise _translate(error, where) from error

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
