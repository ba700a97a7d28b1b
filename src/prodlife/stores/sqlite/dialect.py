"""How SQLite says what the SQL layer needs (:class:`~prodlife.stores.sql.dialect.Dialect`).

- SQL: ``?`` placeholders (numbered ``?N`` where a statement binds one value
  twice), lists of values as ``IN (?, ?, ...)`` (at most 500 at once, under
  SQLite's oldest limit of 999 parameters), no ``ON CONFLICT`` (a taken key
  raises, and only that statement is undone), no row locks to skip (writers
  take the database's write lock in turn), true and false as 1 and 0.
- Values: dates as ISO text (``2025-04-20``), instants as fixed-width UTC ISO
  text (``2025-04-20T12:00:00.000000+00:00``), so text order is time order;
  amounts as exact decimal text, summed by ``prodlife_decimal_sum`` (an
  aggregate in Python over :class:`~decimal.Decimal`, never floating point);
  documents as compact JSON text.
- Transactions: ``BEGIN IMMEDIATE`` (the write lock, at the first statement),
  or a plain ``BEGIN`` for a read-only one (a snapshot under WAL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from prodlife.clock import as_utc
from prodlife.stores._common import add_exactly
from prodlife.stores._documents import dumps, loads
from prodlife.stores.sql.dialect import Cursor, Dialect, Failure, Query
from prodlife.stores.sql.statements import Statements
from prodlife.stores.sqlite.errors import _classify, _is_duplicate

__all__ = ["DIALECT", "STATEMENTS", "SQLiteDialect"]

T = TypeVar("T")

#: ``UPDATE ... RETURNING`` arrived in SQLite 3.35.0; older libraries claim in two steps.
HAS_RETURNING = sqlite3.sqlite_version_info >= (3, 35, 0)


class DecimalSum:
    """The ``prodlife_decimal_sum`` aggregate: decimal text summed exactly, as text."""

    def __init__(self) -> None:
        self.total = Decimal(0)

    def step(self, value: str) -> None:
        """Add one amount."""
        self.total = add_exactly(self.total, Decimal(value))

    def finalize(self) -> str:
        """The sum."""
        return str(self.total)


def _instant(value: datetime) -> str:
    """``value`` as fixed-width UTC ISO text, so text order is time order."""
    return as_utc(value).isoformat(timespec="microseconds")


def _inserted(cursor: Any, sql: str, rows: Sequence[Sequence[Any]]) -> list[bool]:
    """Which of ``rows`` the insert ``sql`` wrote: all, or those before the first taken key.

    Each row inserts one row or fails alone, so the rows written before a failure are
    the connection's changes during the ``executemany``.
    """
    before = cursor.total_changes
    try:
        cursor.executemany(sql, rows)
    except sqlite3.IntegrityError as error:
        if not _is_duplicate(error):
            raise
        written = cursor.total_changes - before
        return [True] * written + [False]
    return [True] * len(rows)


class SQLiteDialect(Dialect):
    """SQLite, through the standard library's :mod:`sqlite3`."""

    title = "SQLite"
    failure_ends_transaction = False
    ignore_duplicates = ""
    returning_id = ""
    skip_locked = ""
    lock_rows = ""
    doc_bytes = "CAST(doc AS BLOB)"
    false = "0"
    true = "1"
    exact_sum = "prodlife_decimal_sum"
    no_limit = -1
    save_same_first = True
    in_list_limit = 500
    lock_hint = "open the store with a longer timeout"
    unavailable_hint = (
        "check that the path names a prodlife SQLite file in a directory that exists and is "
        "writable"
    )
    error = sqlite3.Error

    def render(self, sql: str) -> str:
        """``sql`` as it is: SQLite's placeholders are ``?``."""
        return sql

    def in_list(self, column: str, sql_type: str, count: int) -> str:
        """``column IN (?, ?, ...)``."""
        return f"{column} IN ({', '.join('?' * count)})"

    def in_values(self, values: Sequence[Any]) -> list[Any]:
        """One parameter per value."""
        return list(values)

    def day(self, value: date | None) -> str | None:
        """ISO text."""
        return None if value is None else value.isoformat()

    def instant(self, value: datetime) -> str:
        """Fixed-width UTC ISO text."""
        return _instant(value)

    def read_instant(self, value: Any) -> datetime:
        """From ISO text."""
        return datetime.fromisoformat(value)

    def amount(self, value: Decimal) -> str:
        """Exact decimal text."""
        return str(value)

    def doc(self, value: object) -> str:
        """Compact JSON text."""
        return dumps(value)

    def load(self, kind: type[T], column: Any, key: object) -> T:
        """From JSON text."""
        return loads(kind, column, key)

    def cursor(self, connection: Any) -> Cursor:
        """The connection itself."""
        cursor: Cursor = connection
        return cursor

    def begin(self, connection: Any, readonly: bool) -> None:
        """``BEGIN IMMEDIATE`` (``BEGIN`` when read-only)."""
        if connection.in_transaction:  # left over: never on a connection the pool kept
            connection.execute("ROLLBACK")
        connection.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")

    def commit(self, connection: Any) -> None:
        """``COMMIT``."""
        connection.execute("COMMIT")

    def rollback(self, connection: Any) -> bool:
        """``ROLLBACK`` when a transaction is open."""
        try:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        except sqlite3.Error:
            return False
        return not connection.in_transaction

    def run_checked(
        self, cursor: Cursor, query: Query, rows: Sequence[Sequence[Any]]
    ) -> list[bool]:
        """An insert's rows in one ``executemany`` (up to the first taken key); other writes
        one row after the other, each trying its statements in turn."""
        if len(query) == 1 and query[0].startswith("INSERT"):
            return _inserted(cursor, query[0], rows)
        done: list[bool] = []
        execute = cursor.execute
        for params in rows:
            wrote = False
            for sql in query:
                try:
                    wrote = execute(sql, params).rowcount > 0
                except sqlite3.IntegrityError as error:
                    if not _is_duplicate(error):
                        raise
                if wrote:
                    break
            done.append(wrote)
            if not wrote:
                break
        return done

    def classify(self, error: Exception, connection: Any) -> tuple[Failure, str]:
        """By the error's result code (or, without one, its message)."""
        if not isinstance(error, sqlite3.Error):  # pragma: no cover - only driver errors come
            return Failure.OTHER, str(error)
        return _classify(error), str(error)

    def has_returning(self) -> bool:
        """Whether this SQLite has ``RETURNING`` (read from the package: tests patch it)."""
        from prodlife.stores import sqlite as package

        return bool(package._HAS_RETURNING)


#: The one SQLite dialect, and its statements.
DIALECT = SQLiteDialect()
STATEMENTS = Statements(DIALECT)
