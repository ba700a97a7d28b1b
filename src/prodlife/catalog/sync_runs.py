"""A synchronization run: what one import did, row by row (seed 004's "process runs").

A :class:`SyncRun` is a plain value: the definition it ran with, the file, when
it started and finished (from the clock the host injects), and one
:class:`RowResult` per row of the file, whose errors say the row, the column,
a code and what to do. :func:`run_to_data` and :func:`run_from_data` turn it
into JSON-safe data and back, losslessly; the stores keep runs
(:class:`prodlife.ports.SyncRunRepository`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs
import cattrs
from cattrs.v import format_exception

from prodlife._text import shown
from prodlife.catalog.sync_definition import SyncDefinition, SyncMode
from prodlife.errors import ProdlifeError, ValidationError
from prodlife.serialization import InvalidData, make_converter

__all__ = [
    "FileFormat",
    "RowError",
    "RowOutcome",
    "RowResult",
    "SyncRun",
    "run_from_data",
    "run_to_data",
]


class FileFormat(enum.Enum):
    """The formats a synchronization reads and writes."""

    CSV = "csv"
    XML = "xml"
    XLSX = "xlsx"


class RowOutcome(enum.Enum):
    """What became of one row."""

    #: A new product was added.
    CREATED = "created"
    #: A matching product was changed.
    UPDATED = "updated"
    #: A matching product already was as the row says.
    UNCHANGED = "unchanged"
    #: The row has errors; nothing of it was applied.
    FAILED = "failed"
    #: The row is valid, but another row failed in an all-or-nothing run.
    NOT_APPLIED = "not applied"
    #: The row is empty: every cell blank.
    SKIPPED = "skipped"


@attrs.frozen(slots=True)
class RowError:
    """One thing wrong with a row.

    Args:
        code: what is wrong, e.g. ``"value.date"`` or a catalog rule such as
            ``"product.validity"`` (docs/sync.md lists every code).
        description: what is wrong and how to fix it.
        column: the column at fault, when one is.
    """

    code: str
    description: str
    column: str | None = None


def _errors(values: Iterable[RowError]) -> tuple[RowError, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class RowResult:
    """What became of one row of the file.

    Args:
        row: where the row is: its line in a CSV file or spreadsheet (the
            header is row 1), its position in an XML file (the first
            ``<product>`` is 1).
        outcome: what became of it.
        product_code: the product it created or matched, when known.
        errors: why it failed; empty unless it did.
    """

    row: int
    outcome: RowOutcome
    product_code: str | None = None
    errors: tuple[RowError, ...] = attrs.field(default=(), converter=_errors)


def _rows(values: Iterable[RowResult]) -> tuple[RowResult, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class SyncRun:
    """One synchronization run: the definition, the file, the times and each row's result.

    Args:
        definition: the definition it ran with.
        file_name: the file's name.
        file_format: how the file was read.
        mode: all or nothing, or row by row.
        started: when it started (from the injected clock).
        finished: when it finished.
        rows: one result per row of the file, in the file's order.
        catalog_version: the catalog version the run stored, if it stored one.
    """

    definition: SyncDefinition
    file_name: str
    file_format: FileFormat
    mode: SyncMode
    started: datetime
    finished: datetime
    rows: tuple[RowResult, ...] = attrs.field(converter=_rows)
    catalog_version: str | None = None

    def count(self, outcome: RowOutcome) -> int:
        """How many rows had ``outcome``."""
        return sum(1 for row in self.rows if row.outcome is outcome)

    @property
    def created(self) -> int:
        """How many products the run created."""
        return self.count(RowOutcome.CREATED)

    @property
    def updated(self) -> int:
        """How many products the run changed."""
        return self.count(RowOutcome.UPDATED)

    @property
    def failed(self) -> int:
        """How many rows failed."""
        return self.count(RowOutcome.FAILED)

    @property
    def applied(self) -> bool:
        """Whether the run's valid rows were applied (no all-or-nothing run with a failure)."""
        return not (self.mode is SyncMode.ALL_OR_NOTHING and self.failed)

    def failures(self) -> tuple[RowResult, ...]:
        """The rows that failed, with their errors."""
        return tuple(row for row in self.rows if row.outcome is RowOutcome.FAILED)


_COUNTS = {outcome.value: outcome for outcome in RowOutcome}


def _describe(error: BaseException, kind: type | None) -> str:
    """prodlife's own message for its errors; cattrs' wording for the rest."""
    if isinstance(error, ProdlifeError):
        return str(error)
    if isinstance(error, cattrs.ForbiddenExtraKeysError):
        return f"unknown keys {sorted(map(repr, error.extra_fields))}; remove them"
    return format_exception(error, kind)


def run_to_data(run: SyncRun) -> dict[str, Any]:
    """The run as JSON-safe data, with a count per outcome for a reader's convenience.

    >>> from datetime import datetime, timezone
    >>> from prodlife.catalog.sync_definition import SyncDefinition
    >>> at = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
    >>> run = SyncRun(SyncDefinition("A"), "p.csv", FileFormat.CSV, SyncMode.ROW_BY_ROW, at, at,
    ...               [RowResult(2, RowOutcome.CREATED, "HBO")])
    >>> data = run_to_data(run)
    >>> data["counts"]["created"], data["rows"]
    (1, [{'row': 2, 'outcome': 'created', 'product_code': 'HBO', 'errors': []}])
    >>> run_from_data(data) == run
    True
    """
    data: dict[str, Any] = make_converter().unstructure(run)
    data["counts"] = {name: run.count(outcome) for name, outcome in _COUNTS.items()}
    return data


def run_from_data(data: Mapping[str, Any]) -> SyncRun:
    """Rebuild a run from :func:`run_to_data`'s data, read strictly.

    Raises:
        ValidationError: the data is not a run (a key unknown or missing, a
            value of the wrong type, counts that disagree with the rows).
    """
    if not isinstance(data, Mapping):
        raise ValidationError(f"a sync run is a mapping, not {shown(data)}")
    fields = dict(data)
    counts = fields.pop("counts", None)
    try:
        run: SyncRun = make_converter(strict=True).structure(fields, SyncRun)
    except InvalidData as error:
        found = "; ".join(
            cattrs.transform_error(error.detail, path="run", format_exception=_describe)
        )
        raise ValidationError(f"the data is not a sync run: {found}") from None
    except ProdlifeError as error:
        raise ValidationError(f"the data is not a sync run: {error}") from None
    if counts is not None:
        expected = {name: run.count(outcome) for name, outcome in _COUNTS.items()}
        if counts != expected:
            raise ValidationError(
                f"the run's counts {shown(counts)} disagree with its rows {expected}; "
                "drop the counts or fix the rows"
            )
    return run
