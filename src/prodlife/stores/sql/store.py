"""What every SQL store does the same way: transactions over a pool of connections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

from prodlife.stores.sql.unit_of_work import SQLUnitOfWork

if TYPE_CHECKING:
    from prodlife.catalog.catalog import CatalogVersion
    from prodlife.stores.sql.dialect import Dialect
    from prodlife.stores.sql.pool import Pool
    from prodlife.stores.sql.statements import Statements

__all__ = ["SQLStore"]

U = TypeVar("U", bound=SQLUnitOfWork)


class SQLStore(Generic[U]):
    """The transactions of an SQL store; a dialect's store sets what it opens them with.

    A subclass sets ``_unit_of_work`` (its unit of work class) and, when it opens,
    ``_dialect``, ``_sql`` (the statements in its dialect) and ``_pool``.
    """

    _unit_of_work: type[U]
    _dialect: Dialect
    _sql: Statements
    _pool: Pool

    def __init__(self) -> None:
        # Catalog versions decoded once per store (a stored version never changes).
        self._catalog_cache: dict[str, CatalogVersion] = {}

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[U]:
        """Open a transaction; it is rolled back unless committed inside the block.

        The database transaction starts with the first statement (SQLite: ``BEGIN
        IMMEDIATE``, taking the write lock then). A ``readonly`` one reads a snapshot
        alongside writers (SQLite's ``BEGIN``, PostgreSQL's ``READ ONLY``) and refuses
        writes at their call.

        Raises:
            StoreError: the store is closed (or, in SQLite, this thread already has a
                transaction open on it: the second would wait for the first forever).
            StoreBusy: another writer held the database longer than the store waits.
            StoreUnavailable: no connection to the database could be made.
        """
        connection = self._pool.acquire()
        sound = False
        try:
            uow = self._unit_of_work(
                self._dialect, self._sql, connection, self._catalog_cache, readonly
            )
            try:
                yield uow
            finally:
                sound = uow.end()
        finally:
            self._pool.release(connection, sound)

    def close(self) -> None:
        """Close the store's idle connections; it cannot be used afterwards.

        A transaction still open keeps its connection until its block ends.
        Using the store afterwards raises :class:`~prodlife.errors.StoreError`.
        """
        self._pool.close()

    def __enter__(self) -> SQLStore[U]:
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
