"""CSV synchronization files: UTF-8 with or without a BOM, ``;`` or ``,`` found from the header."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from prodlife.io.sync.columns import column_named

if TYPE_CHECKING:
    from prodlife.io.sync.source import TableBuilder

__all__ = ["read", "write"]

_BOMS = {b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


def _text(data: bytes, builder: TableBuilder) -> str:
    for bom, name in _BOMS.items():
        if data.startswith(bom):
            raise builder.refuse(
                "file.encoding", f"the file is {name}; save it as UTF-8 (with or without a BOM)"
            )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise builder.refuse(
            "file.encoding",
            f"byte {data[error.start]:#04x} on line {line} is not UTF-8; save the file as "
            "UTF-8 (with or without a BOM)",
        ) from None


def _delimiter(text: str) -> str:
    """``;`` or ``,``: whichever splits the first line into more known column names.

    A header of one column says neither: then whichever the next lines hold more of.
    """
    first = text.split("\n", 1)[0]

    def known(delimiter: str) -> int:
        try:
            cells = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            return 0
        return sum(1 for cell in cells if column_named(cell) is not None)

    semicolons, commas = known(";"), known(",")
    if semicolons == commas:
        sample = text[:4096]
        semicolons, commas = sample.count(";"), sample.count(",")
    return ";" if semicolons > commas else ","


def read(data: bytes, builder: TableBuilder) -> None:
    """Read a CSV file's header and rows into ``builder``.

    Raises:
        ImportRefused: the file is not UTF-8, is malformed, or breaks a limit.
    """
    text = _text(data, builder)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if number == 1:
                builder.header(cells)
            elif cells:
                builder.row(number, cells)
    except csv.Error as error:
        raise builder.refuse(
            "csv.syntax", f"row {number + 1} cannot be read ({error}); check its quotes"
        ) from None


def write(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A CSV file of ``rows`` under ``header``: UTF-8 with a BOM (so spreadsheets read it so)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")
