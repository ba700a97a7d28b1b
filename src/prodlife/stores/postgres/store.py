"""The PostgreSQL store itself: connecting, and its options."""

from __future__ import annotations

import math
from typing import Any

from prodlife._numbers import is_whole
from prodlife.errors import StoreUnavailable, ValidationError
from prodlife.stores.postgres.dialect import dialect
from prodlife.stores.postgres.errors import _first_line, _require_psycopg
from prodlife.stores.postgres.schema import prepare as prepare_schema
from prodlife.stores.sql.pool import Pool
from prodlife.stores.sql.store import SQLStore
from prodlife.stores.sql.unit_of_work import SQLUnitOfWork

__all__ = ["PostgresStore", "PostgresUnitOfWork"]


def _close(connection: Any) -> None:
    connection.close()


class PostgresUnitOfWork(SQLUnitOfWork):
    """One PostgreSQL transaction; see :class:`prodlife.ports.UnitOfWork`.

    Made by :meth:`PostgresStore.transaction`; it owns one connection while open.
    A failed statement ends the transaction in PostgreSQL: the unit of work then
    raises ``StoreError`` until its ``with`` block rolls it back. Services added
    and saved, invoice lines and events written before the first statement wait
    in a queue and run together at that statement or at :meth:`commit` (see
    :mod:`prodlife.stores.sql.unit_of_work`).
    """

    __slots__ = ()


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


class PostgresStore(SQLStore[PostgresUnitOfWork]):
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
        allow_foreign_tables: add prodlife's tables to a schema that holds another
            program's tables (by default such a schema is refused).

    Opening creates or migrates the tables (see the module's documentation).

    Raises:
        StoreUnavailable: psycopg is not installed, or the server cannot be
            reached with ``url``.
        StoreError: the database was migrated by a newer prodlife, or the
            tables cannot be created.
        ForeignDatabase: the schema holds other tables and no prodlife schema (and
            ``allow_foreign_tables`` is not set).
    """

    _unit_of_work = PostgresUnitOfWork

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        lock_timeout: float | None = None,
        connect_timeout: int = 10,
        pool_size: int = 8,
        prepare: bool = True,
        allow_foreign_tables: bool = False,
    ) -> None:
        super().__init__()
        _require_psycopg()
        if not isinstance(allow_foreign_tables, bool):
            raise ValidationError(
                f"allow_foreign_tables {allow_foreign_tables!r} must be True or False"
            )
        if schema is not None and (not isinstance(schema, str) or not schema):
            raise ValidationError(f"schema {schema!r} is not a schema name; pass a non-empty str")
        if lock_timeout is not None and (
            isinstance(lock_timeout, bool)
            or not isinstance(lock_timeout, int | float)
            or not 0 <= lock_timeout < math.inf
        ):
            raise ValidationError(f"lock_timeout {lock_timeout!r} must be seconds >= 0 or None")
        if not is_whole(connect_timeout, 1):
            raise ValidationError(
                f"connect_timeout {connect_timeout!r} must be a whole number of seconds >= 1"
            )
        if not is_whole(pool_size, 0):
            raise ValidationError(f"pool_size {pool_size!r} must be a whole number >= 0")
        if not isinstance(prepare, bool):
            raise ValidationError(f"prepare {prepare!r} must be True or False")
        self._url = url
        self._schema = schema
        self._lock_timeout = lock_timeout
        self._connect_timeout = connect_timeout
        self._prepare = prepare
        self._where, self._password = _where_to(url)
        self._dialect, self._sql = dialect()
        self._pool = Pool(
            self._connect, _close, self._dialect.usable, idle=pool_size, one_per_thread=False
        )
        connection = self._connect()
        try:
            prepare_schema(
                self._dialect, connection, self._schema, self._prepare, allow_foreign_tables
            )
        except BaseException:
            connection.close()
            raise
        self._pool.adopt(connection)

    @property
    def schema(self) -> str | None:
        """The PostgreSQL schema holding the tables (``None``: the ``search_path``'s first)."""
        return self._schema

    def _connect(self) -> Any:
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
            raise self._dialect.translate(error, connection, "connecting") from error
        return connection
