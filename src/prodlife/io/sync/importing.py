"""Importing a synchronization file: into a catalog value, or as a new version in a store.

:func:`import_products` reads a file and applies it to a catalog, returning
the new catalog and the :class:`~prodlife.catalog.sync_runs.SyncRun`;
:func:`synchronize` does the same against a store's catalog version in force,
and stores the result as a new catalog version, with the run, in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import attrs

from prodlife._bulk import bulk
from prodlife.catalog.catalog import Catalog, CatalogVersion, CatalogVersions
from prodlife.catalog.sync_definition import SyncDefinition, SyncMode
from prodlife.catalog.sync_runs import FileFormat, RowResult, SyncRun
from prodlife.clock import Clock, as_utc
from prodlife.errors import NotFound, ValidationError
from prodlife.io.sync.apply import apply_rows
from prodlife.io.sync.source import SourceTable, read_source
from prodlife.ports import Store, StoredSyncRun, UnitOfWork

#: Where product synchronization logs (``prodlife.io.sync.importing``); no handler is set.
log = logging.getLogger(__name__)

__all__ = ["ImportResult", "import_products", "synchronize"]


@attrs.frozen(slots=True)
class ImportResult:
    """A file applied to a catalog.

    Args:
        catalog: the catalog after the run: the one given, when nothing was
            applied.
        run: what the run did, row by row.
    """

    catalog: Catalog
    run: SyncRun


def _check(definition: object, mode: object) -> None:
    if not isinstance(definition, SyncDefinition):
        raise ValidationError(f"{definition!r} is not a SyncDefinition; pass one")
    if not isinstance(mode, SyncMode):
        raise ValidationError(
            f"mode {mode!r} is not a SyncMode; pass SyncMode.ALL_OR_NOTHING or SyncMode.ROW_BY_ROW"
        )


def import_products(
    catalog: Catalog,
    source: str | Path | bytes,
    definition: SyncDefinition,
    *,
    clock: Clock,
    mode: SyncMode = SyncMode.ALL_OR_NOTHING,
    file_name: str | None = None,
    file_format: FileFormat | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> ImportResult:
    """Create and update ``catalog``'s products from a CSV, XML or XLSX file.

    Args:
        catalog: the catalog the rows apply to.
        source: the file's path, or its content.
        definition: how rows match products, and the defaults.
        clock: where the run's start and finish come from.
        mode: all or nothing (the default), or row by row.
        file_name: the name the run records (by default the path's); its
            suffix gives the format unless ``file_format`` does.
        file_format: the format, when the name does not say it.
        progress: called with (rows read, rows in the file) every thousand
            rows and once all are read, e.g. to draw a progress bar.

    Returns:
        The new catalog and the run. Problems of single rows never raise:
        the run lists them, each with its row, column, code and description.

    Raises:
        ImportRefused: the file as a whole cannot be imported (missing, too
            large, not in its format, without the matching column, an XML
            entity bomb...); nothing was applied.
    """
    _check(definition, mode)
    started = as_utc(clock.now())
    with bulk():
        table = read_source(source, definition.limits, file_name=file_name, file_format=file_format)
        applied = apply_rows(catalog, table, definition, mode, progress)
    return ImportResult(
        applied.catalog, _run(definition, table, mode, started, clock, applied.rows)
    )


def synchronize(
    store: Store,
    source: str | Path | bytes,
    definition: SyncDefinition,
    *,
    version: str,
    effective: date,
    clock: Clock,
    mode: SyncMode = SyncMode.ALL_OR_NOTHING,
    file_name: str | None = None,
    file_format: FileFormat | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> StoredSyncRun:
    """Import a file into a store: a new catalog version, from the one in force on ``effective``.

    The file applies to the catalog version in force on ``effective`` (an
    empty catalog when the store has none); when it changes that catalog, the
    result is stored as version ``version`` taking effect on ``effective``.
    The run is recorded in the store (``uow.sync_runs``) in the same
    transaction, whatever became of its rows: a run that changes nothing
    (every row failed or unchanged, or an all-or-nothing run with a failure)
    records the run and stores no version, and a failure before the commit
    keeps neither.

    Args:
        store: the store (any :class:`~prodlife.ports.Store`).
        source: the file's path, or its content.
        definition: how rows match products, and the defaults.
        version: the new version's name.
        effective: the day the new version takes effect.
        clock: where the run's start and finish come from.
        mode: all or nothing (the default), or row by row.
        file_name: the name the run records.
        file_format: the format, when the name does not say it.
        progress: as for :func:`import_products`.

    Returns:
        The run as recorded, with the id the store gave it; its
        ``run.catalog_version`` names the version stored, if any.

    Raises:
        ImportRefused: the file as a whole cannot be imported; nothing was
            stored or recorded.
        InvalidCatalog: a stored version is already called ``version`` or
            already takes effect on ``effective``; nothing was stored or recorded.
    """
    _check(definition, mode)
    if not isinstance(effective, date):
        raise ValidationError(f"effective {effective!r} is not a date; pass a datetime.date")
    started = as_utc(clock.now())
    with bulk():
        table = read_source(source, definition.limits, file_name=file_name, file_format=file_format)
        with store.transaction() as uow:
            stored, rows = _store(uow, table, definition, mode, version, effective, progress)
            run = _run(definition, table, mode, started, clock, rows, stored)
            run_id = uow.sync_runs.add(run)
            uow.commit()
    log.info(
        "synchronized %s: %d rows, catalog version %s", run.file_name, len(rows), stored or "none"
    )
    return StoredSyncRun(run_id, run)


def _run(
    definition: SyncDefinition,
    table: SourceTable,
    mode: SyncMode,
    started: datetime,
    clock: Clock,
    rows: tuple[RowResult, ...],
    stored: str | None = None,
) -> SyncRun:
    """The run that applied ``table``, finished now."""
    return SyncRun(
        definition,
        table.file_name,
        table.file_format,
        mode,
        started,
        as_utc(clock.now()),
        rows,
        stored,
    )


def _store(
    uow: UnitOfWork,
    table: SourceTable,
    definition: SyncDefinition,
    mode: SyncMode,
    version: str,
    effective: date,
    progress: Callable[[int, int], object] | None,
) -> tuple[str | None, tuple[RowResult, ...]]:
    """Apply ``table`` to the version in force on ``effective``, and add the result to ``uow``."""
    try:
        versions: tuple[CatalogVersion, ...] = uow.catalog.versions().versions
    except NotFound:
        versions = ()
    base = next((v for v in reversed(versions) if v.effective <= effective), None)
    catalog = base.catalog if base is not None else Catalog()
    applied = apply_rows(catalog, table, definition, mode, progress)
    if applied.catalog == catalog:
        return None, applied.rows
    new = CatalogVersion(version, effective, applied.catalog)
    CatalogVersions((*versions, new))  # refuses a second version on the same day
    uow.catalog.add_version(new)
    return version, applied.rows
