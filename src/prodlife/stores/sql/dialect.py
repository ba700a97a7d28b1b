"""What a database says its own way: the one interface the SQL layer asks a dialect through.

A dialect (:mod:`prodlife.stores.sqlite.dialect`, :mod:`prodlife.stores.postgres.dialect`)
answers four kinds of questions, and nothing else differs between the SQL stores:

- **SQL text**: its placeholders, the few clauses not every database has (``ON CONFLICT
  DO NOTHING``, ``RETURNING``, ``FOR UPDATE SKIP LOCKED``), how a list of values is bound,
  how it writes true and false, and which aggregate sums decimal text exactly;
- **values**: how a date, an instant, an amount and a document become a column, and how a
  column becomes a value again;
- **the driver**: starting, committing and rolling back a transaction, and running a batch
  of checked writes (each of which may be refused);
- **errors**: which of its driver's errors is which :class:`Failure`
  (:mod:`prodlife.stores.sql.errors` turns that into prodlife's error, written once).
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, NamedTuple, Protocol, TypeVar

from prodlife.errors import ProdlifeError

__all__ = ["About", "Cursor", "Dialect", "Failure", "Query", "Write"]

T = TypeVar("T")

#: A checked write's statements, tried in turn until one writes a row (most have one).
Query = tuple[str, ...]


class Failure(enum.Enum):
    """What kind of failure a driver error is (the dialect tells, the SQL layer says it)."""

    DUPLICATE = "a key that is taken"
    COLLISION = "a collision with a concurrent transaction (deadlock or serialization failure)"
    LOCKED = "a lock held too long by another transaction"
    CANCELLED = "a statement cancelled"
    UNAVAILABLE = "a database that cannot be reached or used"
    OTHER = "anything else"


class About(NamedTuple):
    """What a statement is about, to name it in the error it may raise.

    ``expected`` is the version a save expects (``None`` for any other write).
    """

    kind: str
    key: object
    expected: int | None = None


class Write(NamedTuple):
    """A write deferred until the transaction's first statement (parameters ready).

    ``about`` names the service of a checked write: an ``add`` (``expected`` is
    ``None``) is refused when its id is taken, a ``save`` when the stored version
    is not ``expected``; ``version`` is the service's version once the write is
    done. Invoice lines and events are not checked (``about`` is ``None``).
    """

    query: Query
    params: tuple[Any, ...]
    about: About | None = None
    version: int = 0


class Result(Protocol):
    """What a statement returns: its rows and how many it changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Cursor(Protocol):
    """Where statements run: an sqlite3 connection or a psycopg cursor."""

    def execute(self, sql: Any, parameters: Any = ..., /) -> Any: ...

    def executemany(self, sql: Any, parameters: Any, /) -> Any: ...


class Dialect(ABC):
    """One database's way of saying what the SQL layer needs (one instance per store)."""

    #: The database's name in messages.
    title: ClassVar[str]
    #: Whether a failed statement ends the whole transaction (PostgreSQL) or only itself.
    failure_ends_transaction: ClassVar[bool]
    #: Appended to an ``INSERT`` whose key may be taken: the row is then skipped, not refused.
    ignore_duplicates: ClassVar[str]
    #: Appended to a checked write for :meth:`run_checked` to see which rows it wrote.
    returning_id: ClassVar[str]
    #: Appended to the claim's inner ``SELECT`` so that claimers skip each other's rows.
    skip_locked: ClassVar[str]
    #: Appended to a ``SELECT`` to lock the rows it reads until the transaction ends (empty
    #: where a writing transaction locks the whole database when it begins).
    lock_rows: ClassVar[str]
    #: A ``doc`` column's JSON as UTF-8 bytes, always the same bytes for the same document.
    doc_bytes: ClassVar[str]
    #: How the database writes false and true.
    false: ClassVar[str]
    true: ClassVar[str]
    #: The aggregate that sums the decimal ``amount`` column exactly.
    exact_sum: ClassVar[str]
    #: The ``LIMIT`` value that means none.
    no_limit: ClassVar[object]
    #: Whether a save that keeps a service's customer, product and status should try an
    #: ``UPDATE`` that leaves their columns out first (SQLite rewrites an index whenever its
    #: column is SET, even to the same value).
    save_same_first: ClassVar[bool]
    #: Advice when a lock was held too long: how to wait longer.
    lock_hint: ClassVar[str]
    #: Advice when the database cannot be used: what to check.
    unavailable_hint: ClassVar[str]
    #: The driver's base error class.
    error: type[Exception]

    # --- SQL text ------------------------------------------------------------------------

    @abstractmethod
    def render(self, sql: str) -> str:
        """``sql``, written with ``?`` placeholders, in this database's placeholders."""

    @abstractmethod
    def in_list(self, column: str, sql_type: str, count: int) -> str:
        """A condition: ``column`` is one of ``count`` values (bound by :meth:`in_values`)."""

    @abstractmethod
    def in_values(self, values: Sequence[Any]) -> list[Any]:
        """The parameters :meth:`in_list` binds for ``values``."""

    #: The most values one :meth:`in_list` binds (longer lists are read in chunks).
    in_list_limit: ClassVar[int]

    # --- values ------------------------------------------------------------------------

    @abstractmethod
    def day(self, value: date | None) -> Any:
        """A date (or ``None``) as its column."""

    @abstractmethod
    def instant(self, value: datetime) -> Any:
        """An aware instant as its column (UTC)."""

    @abstractmethod
    def read_instant(self, value: Any) -> datetime:
        """An instant column as an aware UTC datetime."""

    @abstractmethod
    def amount(self, value: Decimal) -> Any:
        """An exact amount as its column."""

    @abstractmethod
    def doc(self, value: object) -> Any:
        """``value``'s document as its column, encoded now."""

    @abstractmethod
    def load(self, kind: type[T], column: Any, key: object) -> T:
        """The ``kind`` a document column holds (``StoreError`` naming ``key`` if unreadable)."""

    # --- the driver --------------------------------------------------------------------

    @abstractmethod
    def cursor(self, connection: Any) -> Cursor:
        """Where a transaction on ``connection`` runs its statements."""

    @abstractmethod
    def begin(self, connection: Any, readonly: bool) -> None:
        """Start a transaction on ``connection`` (driver errors escape)."""

    @abstractmethod
    def commit(self, connection: Any) -> None:
        """Commit (driver errors escape)."""

    @abstractmethod
    def rollback(self, connection: Any) -> bool:
        """Roll back whatever is open, never raising; whether the connection is still sound."""

    @abstractmethod
    def run_checked(
        self, cursor: Cursor, query: Query, rows: Sequence[Sequence[Any]]
    ) -> list[bool]:
        """Run a checked write for each of ``rows``; which of them wrote a row.

        Each row tries the statements of ``query`` in turn until one writes; an insert
        whose key is taken writes nothing. It may stop at the first row that wrote
        nothing (the list is then shorter). Other driver errors escape.
        """

    @abstractmethod
    def classify(self, error: Exception, connection: Any) -> tuple[Failure, str]:
        """Which failure a driver ``error`` is, and its one-line description."""

    def translate(
        self,
        error: Exception,
        connection: Any,
        where: str,
        about: About | None = None,
        committing: bool = False,
    ) -> ProdlifeError:
        """The prodlife error for a driver ``error`` raised on ``connection`` while doing
        ``where`` (see :mod:`prodlife.stores.sql.errors`)."""
        from prodlife.stores.sql.errors import error_for

        failure, detail = self.classify(error, connection)
        return error_for(
            failure,
            detail,
            title=self.title,
            hints=(self.lock_hint, self.unavailable_hint),
            where=where,
            about=about,
            committing=committing,
        )

    def has_returning(self) -> bool:
        """Whether ``UPDATE ... RETURNING`` works (claims then take one statement)."""
        return True
