"""The SQLite store itself: opening a database file and its connections."""

from __future__ import annotations

import os
import sqlite3
from typing import Final, Literal

from prodlife.errors import StoreUnavailable, ValidationError
from prodlife.stores import sqlite as _package
from prodlife.stores.sql.pool import Pool
from prodlife.stores.sql.schema import check_not_foreign, current_version, migrate
from prodlife.stores.sql.store import SQLStore
from prodlife.stores.sql.unit_of_work import SQLUnitOfWork
from prodlife.stores.sqlite.dialect import DIALECT, STATEMENTS, DecimalSum
from prodlife.stores.sqlite.errors import _translate
from prodlife.stores.sqlite.schema import VERSION_TABLE, tables

__all__ = ["SQLiteStore", "SQLiteUnitOfWork"]

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


class SQLiteUnitOfWork(SQLUnitOfWork):
    """One SQLite transaction; see :class:`prodlife.ports.UnitOfWork`.

    Made by :meth:`SQLiteStore.transaction`. It starts with ``BEGIN IMMEDIATE``
    (``BEGIN`` when read-only) on its first statement; the writes deferred until
    then (see :mod:`prodlife.stores.sql.unit_of_work`) run first. After
    :meth:`commit` or :meth:`rollback` every use raises
    :class:`~prodlife.errors.StoreError`.
    """

    __slots__ = ()

    def connection(self) -> sqlite3.Connection:
        """The transaction's connection, while it is open (else ``StoreError``)."""
        self.live()
        connection: sqlite3.Connection = self._connection
        return connection


class SQLiteStore(SQLStore[SQLiteUnitOfWork]):
    """A transactional store in an SQLite file (``open_store("sqlite:///billing.db")``).

    Args:
        path: the database file (created with its schema when missing), or
            ``":memory:"`` for a private in-memory database.
        timeout: how many seconds a transaction waits for another writer's
            lock before raising :class:`~prodlife.errors.StoreBusy`.
        synchronous: ``"NORMAL"`` (the default; see the package's notes on
            durability), ``"FULL"`` or ``"EXTRA"``.
        allow_foreign_tables: add prodlife's tables to a file that holds another
            program's tables (by default such a file is refused).

    Raises:
        StoreUnavailable: the file cannot be opened or is not a database.
        ForeignDatabase: the file holds other tables and no prodlife schema (and
            ``allow_foreign_tables`` is not set).
        StoreError: the file was written by a newer prodlife (its schema
            version is higher than :data:`SCHEMA_VERSION`), or a migration failed.
        ValidationError: an option has a wrong value.

    Safe to share between threads (each transaction has a connection of its
    own) and between processes opening the same file.
    """

    _unit_of_work = SQLiteUnitOfWork

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        synchronous: Literal["NORMAL", "FULL", "EXTRA"] = "NORMAL",
        allow_foreign_tables: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(allow_foreign_tables, bool):
            raise ValidationError(
                f"allow_foreign_tables {allow_foreign_tables!r} must be True or False"
            )
        self._allow_foreign = allow_foreign_tables
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
        self._dialect = DIALECT
        self._sql = STATEMENTS
        self._pool = Pool(
            self._connect,
            sqlite3.Connection.close,
            lambda connection: True,
            idle=_IDLE_CONNECTIONS,
            limit=1 if self._memory else None,
            one_per_thread=True,
            must_keep=self._memory,
        )
        connection = self._connect()
        try:
            self._prepare(connection)
        except BaseException:
            connection.close()
            raise
        self._pool.adopt(connection)

    def __repr__(self) -> str:
        state = " closed" if self._pool.closed else ""
        return f"<SQLiteStore {self._path!r}{state}>"

    @property
    def path(self) -> str:
        """The database file (or ``":memory:"``)."""
        return self._path

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
            connection.create_aggregate(DIALECT.exact_sum, 1, DecimalSum)  # type: ignore[arg-type]
        except sqlite3.Error as error:
            connection.close()
            raise _translate(error, f"opening {self._path!r}") from error
        return connection

    def _prepare(self, connection: sqlite3.Connection) -> None:
        """Turn WAL on and bring the schema to :data:`SCHEMA_VERSION`."""
        where = f"the SQLite database {self._path!r}"
        try:
            mode = str(connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            if mode != "wal" and not self._memory:
                raise StoreUnavailable(
                    f"{where} cannot use write-ahead logging (journal mode {mode!r}); keep it "
                    "on a local file system"
                )
            # Read from the package when opening (not bound at import): a test that patches
            # prodlife.stores.sqlite's _MIGRATIONS and SCHEMA_VERSION is seen here.
            migrations, known = _package._MIGRATIONS, _package.SCHEMA_VERSION
            names = tables(connection)
            if current_version(connection, "schema_version" in names, known, where) == known:
                return
            connection.execute("BEGIN IMMEDIATE")
            try:
                names = tables(connection)  # again, under the lock
                fix = "open a file of prodlife's own"
                check_not_foreign(names, self._allow_foreign, where, fix)
                version = current_version(connection, "schema_version" in names, known, where)
                migrate(connection, DIALECT.render, VERSION_TABLE, version, migrations, known)
                connection.execute("COMMIT")
            finally:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
        except sqlite3.Error as error:
            raise _translate(error, f"opening {self._path!r}") from error
