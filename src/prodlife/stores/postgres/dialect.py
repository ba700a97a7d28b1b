"""How PostgreSQL says what the SQL layer needs (:class:`~prodlife.stores.sql.dialect.Dialect`).

- SQL: psycopg's ``%s`` placeholders; lists of values bound as one array
  (``id = ANY(%s::text[])``); ``INSERT ... ON CONFLICT DO NOTHING`` (a taken key
  skips the row instead of failing the transaction); ``RETURNING id`` on checked
  writes, so a pipelined batch tells which rows it wrote; claims pick their rows
  ``FOR UPDATE SKIP LOCKED``.
- Values: ``date``, ``timestamptz`` (UTC), ``numeric`` (summed by the server,
  exactly) and ``jsonb`` documents, dumped when the write is made.
- Transactions: psycopg starts one with the first statement, at READ COMMITTED
  (``SET TRANSACTION READ ONLY`` first for a read-only one); a failed
  statement ends the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

from prodlife.clock import as_utc
from prodlife.errors import StoreError
from prodlife.stores._documents import decode, dumps
from prodlife.stores.postgres.errors import _classify
from prodlife.stores.sql.dialect import Cursor, Dialect, Failure, Query
from prodlife.stores.sql.statements import Statements

__all__ = ["PostgresDialect", "dialect"]

T = TypeVar("T")


def _as_is(data: bytes) -> bytes:
    """The JSON "dumps" of a document already dumped (see :meth:`PostgresDialect.doc`)."""
    return data


def _written(cursor: Any, count: int) -> list[bool]:
    """Which of the ``count`` statements of an ``executemany(..., returning=True)`` returned a
    row (an ``INSERT ... ON CONFLICT DO NOTHING`` that inserted, an ``UPDATE`` that matched)."""
    done = [cursor.fetchone() is not None]
    while cursor.nextset():
        done.append(cursor.fetchone() is not None)
    if len(done) != count:
        raise StoreError(f"PostgreSQL answered {len(done)} of {count} deferred writes")
    return done


class PostgresDialect(Dialect):
    """PostgreSQL, through psycopg 3 (imported when the first store opens)."""

    title = "PostgreSQL"
    failure_ends_transaction = True
    ignore_duplicates = " ON CONFLICT DO NOTHING"
    returning_id = " RETURNING id"
    skip_locked = " FOR UPDATE SKIP LOCKED"
    lock_rows = " FOR UPDATE"
    doc_bytes = "convert_to(doc::text, 'UTF8')"
    false = "false"
    true = "true"
    exact_sum = "sum"
    no_limit = None
    save_same_first = False
    in_list_limit = 10_000
    lock_hint = "open the store with a longer lock_timeout"
    unavailable_hint = "nothing of the transaction was kept: retry once the server is back"

    def __init__(self) -> None:
        import psycopg
        from psycopg.pq import TransactionStatus
        from psycopg.types.json import Jsonb

        self.error = psycopg.Error
        self._jsonb = Jsonb
        self._idle = TransactionStatus.IDLE

    def render(self, sql: str) -> str:
        """``sql`` with psycopg's ``%s`` placeholders."""
        return sql.replace("?", "%s")

    def in_list(self, column: str, sql_type: str, count: int) -> str:
        """``column = ANY(%s::type[])``: one array, whatever ``count``."""
        return f"{column} = ANY(%s::{sql_type}[])"

    def in_values(self, values: Sequence[Any]) -> list[Any]:
        """The values as one array parameter."""
        return [list(values)]

    def day(self, value: date | None) -> date | None:
        """A ``date``."""
        return value

    def instant(self, value: datetime) -> datetime:
        """A ``timestamptz`` (UTC)."""
        return as_utc(value)

    def read_instant(self, value: Any) -> datetime:
        """In UTC."""
        return as_utc(value)

    def amount(self, value: Decimal) -> Decimal:
        """A ``numeric``."""
        return value

    def doc(self, value: object) -> Any:
        """``jsonb``, dumped now (a deferred write holds its JSON ready)."""
        return self._jsonb(dumps(value).encode(), _as_is)

    def load(self, kind: type[T], column: Any, key: object) -> T:
        """From the JSON psycopg decoded."""
        return decode(kind, column, key)

    def cursor(self, connection: Any) -> Cursor:
        """A cursor of its own."""
        cursor: Cursor = connection.cursor()
        return cursor

    def begin(self, connection: Any, readonly: bool) -> None:
        """psycopg begins with the first statement; ``SET TRANSACTION READ ONLY`` first when
        read-only."""
        if readonly:
            connection.execute("SET TRANSACTION READ ONLY")

    def commit(self, connection: Any) -> None:
        """``COMMIT``."""
        connection.commit()

    def rollback(self, connection: Any) -> bool:
        """``ROLLBACK``; when it fails the connection is gone, and the server drops the
        transaction with it."""
        with suppress(self.error):
            connection.rollback()
        return bool(
            not connection.closed
            and not connection.broken
            and connection.info.transaction_status == self._idle
        )

    def run_checked(
        self, cursor: Cursor, query: Query, rows: Sequence[Sequence[Any]]
    ) -> list[bool]:
        """One pipelined ``executemany`` (one round trip), its ``RETURNING`` telling which
        rows were written (PostgreSQL's checked writes have one statement each)."""
        (sql,) = query
        cursor.executemany(sql, rows, returning=True)  # type: ignore[call-arg]
        return _written(cursor, len(rows))

    def classify(self, error: Exception, connection: Any) -> tuple[Failure, str]:
        """By psycopg's error class and SQLSTATE."""
        broken = bool(connection is not None and connection.broken)
        return _classify(error, broken)  # type: ignore[arg-type]

    def usable(self, connection: Any) -> bool:
        """Whether an idle connection is still open."""
        return bool(not connection.closed and not connection.broken)


@cache
def dialect() -> tuple[PostgresDialect, Statements]:
    """The PostgreSQL dialect and its statements (made when the first store opens)."""
    made = PostgresDialect()
    return made, Statements(made)
