"""``prodlife import``: a product synchronization file into a store, as a new catalog version.

The file (CSV, XML or XLSX, by its name) applies to the catalog version in force on
``--effective``; when it changes it, the result is stored as ``--version``, and the run is
recorded either way (:func:`~prodlife.io.sync.synchronize`). The command prints the run:
how many rows created, updated, left unchanged or failed, each failure with its row, column
and what to fix, and the version stored. Exit status 1 when a row failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from prodlife.catalog.sync_definition import MatchOn, SyncDefinition, SyncMode
from prodlife.catalog.sync_runs import RowOutcome, SyncRun
from prodlife.cli._args import USAGE, day, missing_database, store_option
from prodlife.clock import SystemClock
from prodlife.io.sync import synchronize
from prodlife.stores import open_store

__all__ = ["register"]

#: Exit status when a row failed (its product was not changed).
FAILED = 1


def register(commands: Any) -> None:
    """Add the ``import`` command to ``commands``."""
    command = commands.add_parser(
        "import",
        help="import a product file (CSV, XML, XLSX) as a new catalog version",
        description=(
            "Apply the product synchronization FILE to the catalog version in force on "
            "--effective in the store at --db, store the result as catalog version "
            "--version, record the run, and print it row by row. Exit status 1 when a row "
            "failed."
        ),
        epilog=(
            "example: prodlife import products.csv --db sqlite:///billing.db "
            "--version 2025-06 --effective 2025-06-01"
        ),
    )
    command.add_argument("file", type=Path, metavar="FILE", help="the .csv, .xml or .xlsx file")
    store_option(command)
    command.add_argument("--version", required=True, help="the new catalog version's name")
    command.add_argument(
        "--effective", required=True, type=day, metavar="DATE", help="when it takes effect"
    )
    command.add_argument(
        "--definition", default="command line", metavar="NAME", help="the name the run records"
    )
    command.add_argument(
        "--match-on",
        choices=("code", "alternative-code"),
        default="code",
        help="which code of a row finds the product it updates (default: code)",
    )
    command.add_argument(
        "--no-update",
        action="store_true",
        help="refuse rows that match an existing product instead of updating it",
    )
    command.add_argument(
        "--row-by-row",
        action="store_true",
        help="keep the rows that are right when others fail (default: all or nothing)",
    )
    command.set_defaults(run=_run)


def _run(arguments: argparse.Namespace) -> int:
    path: Path = arguments.file
    if not path.is_file():
        print(
            f"prodlife import: error: no such file {str(path)!r}; check the path", file=sys.stderr
        )
        return USAGE
    definition = SyncDefinition(
        arguments.definition,
        match_on=MatchOn.CODE if arguments.match_on == "code" else MatchOn.ALTERNATIVE_CODE,
        update_matching=not arguments.no_update,
    )
    if missing_database(arguments.db, "import"):
        return USAGE
    store = open_store(arguments.db)
    try:
        stored = synchronize(
            store,
            path,
            definition,
            version=arguments.version,
            effective=arguments.effective,
            clock=SystemClock(),
            mode=SyncMode.ROW_BY_ROW if arguments.row_by_row else SyncMode.ALL_OR_NOTHING,
        )
    finally:
        store.close()
    print(_text(stored.id, stored.run))
    return FAILED if stored.run.failed else 0


def _text(run_id: int, run: SyncRun) -> str:
    """The run as a person reads it: the counts, each failure, the version stored."""
    lines = [
        f"import run {run_id} of {run.file_name} ({run.file_format.value}, {run.mode.value}): "
        f"{run.created} created, {run.updated} updated, "
        f"{run.count(RowOutcome.UNCHANGED)} unchanged, {run.failed} failed, "
        f"{run.count(RowOutcome.NOT_APPLIED)} not applied"
    ]
    for row in run.rows:
        for error in row.errors:
            where = f"row {row.row}" + (f", column {error.column}" if error.column else "")
            lines.append(f"  {where}: {error.description} ({error.code})")
    version = run.catalog_version
    lines.append(f"catalog version {version} stored" if version else "no catalog version stored")
    return "\n".join(lines)
