"""The PostgreSQL store itself: connecting, and its pool of connections."""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from prodlife.errors import StoreError, StoreUnavailable, ValidationError
from prodlife.stores.postgres.errors import _first_line, _require_psycopg, _translate
from prodlife.stores.postgres.schema import migrate
from prodlife.stores.postgres.unit_of_work import PostgresUnitOfWork

if TYPE_CHECKING:
    from prodlife.stores.postgres.unit_of_work import _Connection


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
            migrate(connection, self._schema, self._prepare)
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
