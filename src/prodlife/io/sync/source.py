"""Reading a synchronization file into rows of cells, whatever its format.

:func:`read_source` takes a path or the file's bytes, refuses what is too large
or not in the format its name says, and hands the bytes to the reader of its
format (CSV, XML, XLSX). Each reader returns a :class:`SourceTable`: the columns
and a :class:`SourceRow` per row, each with its number, its cells by column, and
the problems found reading it (a cell too long, one too many...). A problem of
the file as a whole raises :class:`~prodlife.errors.ImportRefused`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs

from prodlife._text import unknown_key_message
from prodlife.catalog.sync_definition import SyncLimits
from prodlife.catalog.sync_runs import FileFormat, RowError
from prodlife.errors import ImportRefused
from prodlife.io.sync import _csv, _xlsx, _xml
from prodlife.io.sync.columns import COLUMNS, Cell, column_named

__all__ = ["SourceRow", "SourceTable", "TableBuilder", "format_of", "read_source"]


@attrs.define(slots=True)
class SourceRow:
    """One row of a file: where it is, its non-empty cells by column, and what is wrong."""

    number: int
    cells: dict[str, Cell]
    problems: list[RowError] = attrs.field(factory=list)


@attrs.define(slots=True)
class SourceTable:
    """A file's rows, with the columns its header names."""

    file_name: str
    file_format: FileFormat
    columns: frozenset[str]
    rows: list[SourceRow]


class TableBuilder:
    """Turns a header and rows of raw cells into a :class:`SourceTable`, checking limits."""

    def __init__(self, file_name: str, file_format: FileFormat, limits: SyncLimits) -> None:
        self.file_name = file_name
        self.file_format = file_format
        self.limits = limits
        self.columns: list[str | None] = []
        self.rows: list[SourceRow] = []

    def refuse(self, code: str, message: str) -> ImportRefused:
        """The error refusing the file."""
        return ImportRefused(self.file_name, code, message)

    def header(self, cells: Sequence[Cell]) -> None:
        """Read the header row: every non-empty cell names a column, once.

        Raises:
            ImportRefused: a header names no column, or one twice, or none at all.
        """
        columns: list[str | None] = []
        for cell in cells:
            text = "" if cell is None else str(cell)
            if not text.strip():
                columns.append(None)
                continue
            column = column_named(text)
            if column is None:
                message = unknown_key_message(text, COLUMNS, "the header", "column")[0]
                raise self.refuse("file.header", f"{message}; the template names every column")
            if column in columns:
                raise self.refuse("file.header", f"the header names column {column!r} twice")
            columns.append(column)
        if not any(columns):
            raise self.refuse(
                "file.header",
                "the first row names no column; start the file with the template's header row",
            )
        self.columns = columns

    def row(self, number: int, cells: Sequence[Cell]) -> None:
        """Add one data row (a row with every cell empty is kept, to be reported as skipped).

        Raises:
            ImportRefused: the file holds more rows than the limit.
        """
        if len(self.rows) >= self.limits.max_rows:
            raise self.refuse(
                "file.rows",
                f"the file holds more than {self.limits.max_rows} rows; split it into files "
                "within the limit",
            )
        values: dict[str, Cell] = {}
        problems: list[RowError] = []
        width = len(self.columns)
        extra: list[int] = []
        for index, cell in enumerate(cells):
            if cell is None or cell == "":
                continue
            column = self.columns[index] if index < width else None
            if column is None:
                extra.append(index)
                continue
            self.cell(values, problems, column, cell)
        if extra:
            first = extra[0]
            others = f" and {len(extra) - 1} more" if len(extra) > 1 else ""
            problems.append(
                RowError(
                    "row.extra-cells",
                    f"cell {first + 1} holds {str(cells[first])[:40]!r}{others} under no column "
                    "of the header; remove them or name their columns",
                )
            )
        self.rows.append(SourceRow(number, values, problems))

    def cell(
        self, values: dict[str, Cell], problems: list[RowError], column: str, cell: Cell
    ) -> None:
        """Keep one cell of a row, unless it is too long."""
        if isinstance(cell, str) and len(cell) > self.limits.max_cell_chars:
            problems.append(
                RowError(
                    "value.too-long",
                    f"the cell holds {len(cell)} characters, more than the limit of "
                    f"{self.limits.max_cell_chars}; shorten it",
                    column,
                )
            )
            return
        values[column] = cell

    def table(self) -> SourceTable:
        """The table read."""
        if not self.columns:
            raise self.refuse("file.empty", "the file is empty; start it with the header row")
        named = frozenset(column for column in self.columns if column is not None)
        return SourceTable(self.file_name, self.file_format, named, self.rows)


_SUFFIXES = {".csv": FileFormat.CSV, ".xml": FileFormat.XML, ".xlsx": FileFormat.XLSX}


def format_of(file_name: str) -> FileFormat:
    """The format a file's name says (``.csv``, ``.xml``, ``.xlsx``, any case).

    Raises:
        ImportRefused: the name ends otherwise.
    """
    found = _SUFFIXES.get(Path(file_name).suffix.lower())
    if found is None:
        raise ImportRefused(
            file_name,
            "file.format",
            "name the file .csv, .xml or .xlsx to say its format, or pass file_format",
        )
    return found


def _bytes_of(path: Path, limits: SyncLimits) -> bytes:
    name = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise ImportRefused(name, "file.missing", "there is no such file; check the path") from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ImportRefused(
            name, "file.unreadable", f"the file cannot be read ({reason}); check its permissions"
        ) from None
    return data


def read_source(
    source: str | Path | bytes,
    limits: SyncLimits,
    *,
    file_name: str | None = None,
    file_format: FileFormat | None = None,
) -> SourceTable:
    """Read a synchronization file into rows.

    Args:
        source: the file's path, or its content.
        limits: the largest file to read.
        file_name: the name runs record (by default the path's name); its
            suffix gives the format unless ``file_format`` does.
        file_format: the format, when the name does not say it.

    Raises:
        ImportRefused: the file is missing, too large, or cannot be read in
            its format; nothing of it was read.
    """
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        name = file_name or "the file"
    elif isinstance(source, str | Path):
        path = Path(source)
        name = file_name or path.name
        data = _bytes_of(path, limits)
    else:
        raise TypeError(f"source must be a path or bytes, not {type(source).__name__}")
    kind = file_format if file_format is not None else format_of(name)
    if not isinstance(kind, FileFormat):
        raise TypeError(f"file_format must be a FileFormat, not {type(kind).__name__}")
    if len(data) > limits.max_bytes:
        raise ImportRefused(
            name,
            "file.too-large",
            f"the file is larger than the limit of {limits.max_bytes} bytes; split it",
        )
    builder = TableBuilder(name, kind, limits)
    _READERS[kind](data, builder)
    return builder.table()


_READERS = {FileFormat.CSV: _csv.read, FileFormat.XML: _xml.read, FileFormat.XLSX: _xlsx.read}
