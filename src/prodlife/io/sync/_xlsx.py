"""Spreadsheet (``.xlsx``) synchronization files, through openpyxl (the ``xlsx`` extra).

openpyxl is imported only when a spreadsheet is read or written, so prodlife
works without it; a clear error says how to install it. The workbook's size
once unzipped is checked before openpyxl opens it (a small archive can unpack
to gigabytes), and openpyxl itself parses the workbook's XML through
defusedxml when it is installed, as it is with prodlife.
"""

from __future__ import annotations

import importlib
import io
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from prodlife.catalog.sync_runs import RowError
from prodlife.errors import ExportRefused, ImportRefused

if TYPE_CHECKING:
    from prodlife.io.sync.source import TableBuilder

__all__ = ["read", "write"]

_INSTALL = "pip install 'prodlife[xlsx]'"


def _openpyxl(file_name: str | None) -> Any:
    try:
        return importlib.import_module("openpyxl")
    except ImportError:
        message = f"spreadsheets (.xlsx) need openpyxl, which is not installed; {_INSTALL}"
        if file_name is None:
            raise ExportRefused("xlsx.unavailable", message) from None
        raise ImportRefused(file_name, "xlsx.unavailable", message) from None


def _check_archive(data: bytes, builder: TableBuilder) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise builder.refuse(
            "xlsx.syntax", "the file is not an .xlsx workbook (not a zip archive); save it as .xlsx"
        ) from None
    limit = builder.limits.max_unpacked_bytes
    if unpacked > limit:
        raise builder.refuse(
            "xlsx.too-large",
            f"the workbook unpacks to {unpacked} bytes, more than the limit of {limit}; split it",
        )


def read(data: bytes, builder: TableBuilder) -> None:
    """Read the first worksheet's header and rows into ``builder``.

    A cell holding a formula is an error of its row: synchronization imports
    values, never runs formulas.

    Raises:
        ImportRefused: openpyxl is missing, the file is not a workbook, or it
            breaks a limit.
    """
    openpyxl = _openpyxl(builder.file_name)
    _check_archive(data, builder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not read
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise builder.refuse(
            "xlsx.syntax", f"the workbook cannot be read ({type(error).__name__}: {error})"
        ) from None
    try:
        _rows(workbook, builder)
    finally:
        workbook.close()


def _rows(workbook: Any, builder: TableBuilder) -> None:
    if not workbook.worksheets:
        raise builder.refuse("file.empty", "the workbook has no worksheet")
    sheet = workbook.worksheets[0]
    try:
        rows = sheet.iter_rows()
        for number, cells in enumerate(rows, start=1):
            values = [cell.value for cell in cells]
            while values and values[-1] is None:
                values.pop()
            if number == 1:
                builder.header(values)
                continue
            if not values:
                continue
            builder.row(number, values)
            problems = builder.rows[-1].problems
            for index, cell in enumerate(cells):
                if getattr(cell, "data_type", None) != "f":
                    continue
                column = builder.columns[index] if index < len(builder.columns) else None
                problems.append(
                    RowError(
                        "value.formula",
                        f"the cell holds the formula {str(cell.value)[:40]!r}; "
                        "synchronization imports values only, so paste its value",
                        column,
                    )
                )
                if column is not None:
                    builder.rows[-1].cells.pop(column, None)
    except ImportRefused:
        raise
    except Exception as error:  # a worksheet openpyxl cannot read past a point
        raise builder.refuse(
            "xlsx.syntax", f"the worksheet cannot be read ({type(error).__name__}: {error})"
        ) from None


def write(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A workbook of ``rows`` under ``header``, every cell text (never a formula).

    Raises:
        ExportRefused: openpyxl is not installed.
    """
    openpyxl = _openpyxl(None)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("products")
    cell_of = importlib.import_module("openpyxl.cell").WriteOnlyCell

    def text_cell(value: str) -> Any:
        cell = cell_of(sheet, value=value)
        cell.data_type = "s"  # text, even when it starts with "="
        return cell

    sheet.append([text_cell(name) for name in header])
    for row in rows:
        sheet.append([text_cell(value) if value else None for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
