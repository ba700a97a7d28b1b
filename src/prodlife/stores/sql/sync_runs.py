"""The SQL stores' product synchronization runs (:class:`prodlife.ports.SyncRunRepository`).

A run is one row of ``sync_runs``: its document, and beside it the columns a
person looks at in the database (when it started, the file, the definition's
name, how many rows it created, updated and failed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prodlife.catalog.sync_runs import SyncRun
from prodlife.errors import NotFound
from prodlife.ports import StoredSyncRun, check_limit
from prodlife.stores._common import sync_run, sync_run_id

if TYPE_CHECKING:
    from prodlife.stores.sql.unit_of_work import SQLUnitOfWork

__all__ = ["SyncRuns"]


class SyncRuns:
    """Synchronization runs, append only; see :class:`prodlife.ports.SyncRunRepository`."""

    __slots__ = ("_uow",)

    def __init__(self, uow: SQLUnitOfWork) -> None:
        self._uow = uow

    def add(self, run: SyncRun) -> int:
        """Store ``run`` now; the id the database gave it."""
        sync_run(run)
        uow = self._uow
        dialect = uow.dialect
        params = (
            dialect.instant(run.started),
            run.file_name,
            run.definition.name,
            run.created,
            run.updated,
            run.failed,
            dialect.doc(run),
        )
        return uow.insert_id(uow.sql.sync_run_add, params, "storing the sync run")

    def get(self, run_id: int) -> SyncRun:
        """The run ``run_id``. Raises ``NotFound``."""
        wanted = sync_run_id(run_id)
        uow = self._uow
        row = uow.one(uow.sql.sync_run_get, (wanted,), "reading the sync run", wanted)
        if row is None:
            raise NotFound("sync run", wanted)
        return uow.dialect.load(SyncRun, row[0], wanted)

    def recent(self, limit: int | None = None) -> list[StoredSyncRun]:
        """The runs, newest first (latest ``started``, then highest id); at most ``limit``."""
        check_limit(limit)
        uow = self._uow
        dialect = uow.dialect
        wanted = dialect.no_limit if limit is None else limit
        rows = uow.all(uow.sql.sync_run_recent, (wanted,), "reading the sync runs")
        return [StoredSyncRun(key, dialect.load(SyncRun, doc, key)) for key, doc in rows]
