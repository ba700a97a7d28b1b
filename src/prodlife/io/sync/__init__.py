"""Product synchronization (seed 004): import and export products as CSV, XML or XLSX files.

A :class:`SyncDefinition` says how a file's rows match products (on the code or
the alternative code), whether matching products are updated, and the defaults
for what a row leaves empty. :func:`import_products` applies a file to a
catalog and :func:`synchronize` to a store's catalog, as a new version; both
record a :class:`SyncRun` with one result per row. :func:`export_products`
writes products back, and :func:`template` the empty file. See docs/sync.md. A run's
definition and record are catalog values (:mod:`prodlife.catalog.sync_definition`,
:mod:`prodlife.catalog.sync_runs`), stored by :mod:`prodlife.stores`.
"""

from prodlife.catalog.sync_definition import (
    MatchOn,
    SyncDefaults,
    SyncDefinition,
    SyncLimits,
    SyncMode,
)
from prodlife.catalog.sync_runs import (
    FileFormat,
    RowError,
    RowOutcome,
    RowResult,
    SyncRun,
    run_from_data,
    run_to_data,
)
from prodlife.io.sync.columns import COLUMNS
from prodlife.io.sync.export import export_products, template, write_products, write_template
from prodlife.io.sync.importing import ImportResult, import_products, synchronize

__all__ = [
    "COLUMNS",
    "FileFormat",
    "ImportResult",
    "MatchOn",
    "RowError",
    "RowOutcome",
    "RowResult",
    "SyncDefaults",
    "SyncDefinition",
    "SyncLimits",
    "SyncMode",
    "SyncRun",
    "export_products",
    "import_products",
    "run_from_data",
    "run_to_data",
    "synchronize",
    "template",
    "write_products",
    "write_template",
]
