"""The columns of a synchronization file (seed 004's template) and how one cell reads and writes.

Every format carries the same columns, named as seed 004's XML template names
its elements, plus ``name`` (a prodlife product has a name besides its
description). Dates are written ``dd/mm/yyyy hh:mm``; lists (categories, tax
rates) separate their items with ``|``; a cell a spreadsheet would run as a
formula is written with a leading ``'``, which reading removes.

>>> neutralized("=HYPERLINK(\\"http://x\\")"), restored("'=1+1"), restored("'tis")
('\\'=HYPERLINK("http://x")', '=1+1', "'tis")
>>> read_date("31/12/2025 23:59", end=True), read_date("01/01/2026 00:00", end=True)
(datetime.date(2026, 1, 1), datetime.date(2026, 1, 1))
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from prodlife._text import shown
from prodlife.errors import InvalidAmount
from prodlife.money import to_decimal

__all__ = [
    "COLUMNS",
    "IGNORED",
    "SEPARATOR",
    "UDF_DATES",
    "UDF_NUMBERS",
    "UDF_STRINGS",
    "Cell",
    "CellError",
    "column_named",
    "neutralized",
    "read_date",
    "read_list",
    "read_number",
    "read_text",
    "restored",
    "write_date",
]

#: A cell as a file gives it: text from CSV and XML, typed values from a spreadsheet.
Cell = str | int | float | Decimal | date | bool | None

UDF_STRINGS = tuple(f"udf_string_{n}" for n in range(1, 17))
UDF_NUMBERS = tuple(f"udf_float_{n}" for n in range(1, 5))
UDF_DATES = tuple(f"udf_date_{n}" for n in range(1, 5))

#: The columns, in the templates' order.
COLUMNS: tuple[str, ...] = (
    "code",
    "alternative_code",
    "name",
    "description",
    "type",
    "brand",
    "family",
    "category",
    "valid_from",
    "valid_to",
    "vat_rate",
    "tax_rate",
    *UDF_STRINGS,
    *UDF_NUMBERS,
    *UDF_DATES,
)
#: Columns a file may carry that reading ignores: seed 004's template has one for errors.
IGNORED = frozenset({"error_message"})
#: Separates the items of a list cell (categories, tax rates).
SEPARATOR = "|"

_KNOWN = frozenset(COLUMNS) | IGNORED
_ALIASES = {"product_valid_from": "valid_from", "product_valid_to": "valid_to"}
_SPACES = re.compile(r"[\s\-]+")


def column_named(header: str) -> str | None:
    """The column a header names, ignoring case, spaces and dashes; ``None`` if none.

    >>> column_named("Alternative Code"), column_named("UDF String 3"), column_named("Price")
    ('alternative_code', 'udf_string_3', None)
    """
    name = _SPACES.sub("_", header.strip().lower())
    name = _ALIASES.get(name, name)
    return name if name in _KNOWN else None


class CellError(Exception):
    """A cell that cannot be read: the code and description of the row's error."""

    def __init__(self, code: str, description: str) -> None:
        self.code = code
        self.description = description
        super().__init__(description)


#: A cell starting with one of these runs as a formula in a spreadsheet.
_TRIGGERS = frozenset("=+-@\t\r")


def neutralized(text: str) -> str:
    """``text`` made safe to open in a spreadsheet: a leading ``'`` where it could run.

    A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets one, and so does a text whose leading ``'`` :func:`restored` would
    remove, so that reading gives back exactly what was written.
    """
    if text and (
        text[0] in _TRIGGERS or (text[0] == "'" and len(text) > 1 and text[1] in _TRIGGERS | {"'"})
    ):
        return "'" + text
    return text


def restored(text: str) -> str:
    """``text`` as it was before :func:`neutralized`: one leading ``'`` removed where added."""
    if len(text) > 1 and text[0] == "'" and (text[1] in _TRIGGERS or text[1] == "'"):
        return text[1:]
    return text


def read_text(cell: Cell) -> str:
    """A cell as text; a spreadsheet's whole number reads as its digits.

    Raises:
        CellError: the cell is a date or a true/false value.
    """
    if isinstance(cell, str):
        return restored(cell)
    if cell is None:
        return ""
    if isinstance(cell, bool | date):
        raise CellError("value.type", f"{shown(cell)} is not text; write text")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def read_list(cell: Cell) -> tuple[str, ...]:
    """A list cell's items, in order: ``"tv | movies"`` is ``("tv", "movies")``."""
    return tuple(item.strip() for item in read_text(cell).split(SEPARATOR) if item.strip())


def read_number(cell: Cell) -> Decimal:
    """A number cell, exactly: text as written, a spreadsheet's number by its shortest form.

    Raises:
        CellError: the cell is not a number.
    """
    if isinstance(cell, bool | date):
        raise CellError("value.number", f"{shown(cell)} is not a number; write one, e.g. 12.5")
    if isinstance(cell, float):
        cell = repr(cell)
    try:
        return to_decimal(restored(cell) if isinstance(cell, str) else cell)
    except InvalidAmount:
        raise CellError(
            "value.number", f"{shown(cell)} is not a number; write digits, e.g. 12.5"
        ) from None


_DAY_MONTH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _moment(cell: Cell) -> tuple[date, bool]:
    """A cell's day, and whether it gives a time after midnight."""
    if isinstance(cell, datetime):
        return cell.date(), cell.time() != time()
    if isinstance(cell, date):
        return cell, False
    text = cell.strip() if isinstance(cell, str) else None
    found = _DAY_MONTH.fullmatch(text) if text else None
    parts: tuple[str | None, ...] | None = None
    if found:
        day, month, year, *moment = found.groups()
        parts = (year, month, day, *moment)
    elif text and (iso := _ISO.fullmatch(text)):
        parts = iso.groups()
    if parts is None:
        raise CellError(
            "value.date",
            f"{shown(cell)} is not a date; write it dd/mm/yyyy hh:mm, e.g. 31/01/2025 00:00",
        )
    year, month, day, hour, minute, second = parts
    try:
        day_of = date(int(year or 0), int(month or 0), int(day or 0))
        clock = time(int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        raise CellError(
            "value.date", f"{shown(cell)} is not a date that exists; check the day and month"
        ) from None
    return day_of, clock != time()


def read_date(cell: Cell, *, end: bool = False, day_only: bool = False) -> date:
    """The day a date cell gives.

    Args:
        cell: ``dd/mm/yyyy hh:mm``, ``dd/mm/yyyy`` or ``yyyy-mm-dd`` text, or
            a spreadsheet's date.
        end: the cell ends a validity: a time after midnight keeps that day
            valid, so the validity ends (is no longer valid) the next day.
        day_only: the cell is a date field, which keeps no time: a time after
            midnight is an error.

    Raises:
        CellError: not a date, a date that does not exist, or a time where
            none is kept.
    """
    if type(cell) is str:
        return _text_date(cell, end, day_only)
    return _day_of(cell, end, day_only)


@functools.lru_cache(maxsize=4096)
def _text_date(text: str, end: bool, day_only: bool) -> date:
    """Dates repeat in a file: each text is read once."""
    return _day_of(text, end, day_only)


def _day_of(cell: Cell, end: bool, day_only: bool) -> date:
    day, timed = _moment(cell)
    if timed and day_only:
        raise CellError(
            "value.date", f"{shown(cell)} gives a time; a date field keeps the day only"
        )
    if timed and end:
        if day == date.max:
            raise CellError("value.date", f"{shown(cell)} is past the last day prodlife handles")
        return day + timedelta(days=1)
    return day


def write_date(day: date) -> str:
    """A day as the templates write it: ``dd/mm/yyyy 00:00``."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d} 00:00"
