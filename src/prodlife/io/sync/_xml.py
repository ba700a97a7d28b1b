"""XML synchronization files in seed 004's shape: ``<products><product><code>...``.

Read through defusedxml: a document declaring entities (an expansion bomb, an
external entity) or a document type is refused before anything is expanded or
fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element, ParseError

from defusedxml import (  # type: ignore[import-untyped]
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
)
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from prodlife._text import unknown_key_message
from prodlife.catalog.sync_runs import RowError
from prodlife.io.sync.columns import COLUMNS, Cell, column_named

if TYPE_CHECKING:
    from prodlife.io.sync.source import TableBuilder

__all__ = ["INVALID", "read", "write"]

#: Characters XML 1.0 cannot carry, even escaped.
INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _parse(data: bytes, builder: TableBuilder) -> Element:
    try:
        root: Element = fromstring(data, forbid_dtd=True)
        return root
    except DTDForbidden:
        pass
    except ParseError as error:
        raise builder.refuse("xml.syntax", f"the XML is malformed: {error}") from None
    except DefusedXmlException as error:
        raise builder.refuse("xml.dtd", f"the XML is refused: {error}") from None
    # Say what the document type declares, when it declares entities.
    try:
        fromstring(data, forbid_dtd=False)
    except EntitiesForbidden as error:
        if error.sysid is not None or error.pubid is not None:
            raise builder.refuse(
                "xml.external",
                f"the XML declares entity {error.name!r} read from {error.sysid!r}; product "
                "files may not read other files or addresses, so remove the declaration",
            ) from None
        raise builder.refuse(
            "xml.entities",
            f"the XML declares entity {error.name!r}; entities can expand without bound "
            "(an entity bomb), so product files may declare none: remove the <!DOCTYPE>",
        ) from None
    except (ParseError, DefusedXmlException) as error:
        raise builder.refuse("xml.syntax", f"the XML is malformed: {error}") from None
    raise builder.refuse(
        "xml.dtd",
        "the XML declares a document type (<!DOCTYPE>), which may name other files; "
        "product files declare none, so remove it",
    )


def read(data: bytes, builder: TableBuilder) -> None:
    """Read an XML file's ``<product>`` elements into ``builder``, one row each.

    Raises:
        ImportRefused: the XML is malformed, declares entities or a document
            type, is not a ``<products>`` list, or breaks a limit.
    """
    root = _parse(data, builder)
    if root.tag != "products":
        raise builder.refuse(
            "xml.root", f"the document is <{root.tag}>; write a <products> list of <product>"
        )
    if (root.text or "").strip() or root.attrib:
        raise builder.refuse(
            "xml.root", "<products> holds text or attributes; it holds <product> elements only"
        )
    builder.header(COLUMNS)
    for number, element in enumerate(root, start=1):
        if (element.tail or "").strip():
            raise builder.refuse(
                "xml.root", f"text follows product {number}; <products> holds elements only"
            )
        builder.row(number, [])
        row = builder.rows[-1]
        if element.tag != "product":
            row.problems.append(
                RowError("row.element", f"<{element.tag}> is not a <product>; rename or remove it")
            )
            continue
        _fields(element, row.cells, row.problems, builder)


def _fields(
    element: Element, cells: dict[str, Cell], problems: list[RowError], builder: TableBuilder
) -> None:
    if element.attrib or (element.text or "").strip():
        problems.append(
            RowError("row.element", "<product> holds text or attributes; it holds fields only")
        )
    seen: set[str] = set()
    unknown: list[str] = []
    for field in element:
        column = column_named(field.tag) if "{" not in field.tag else None
        if column is None:
            unknown.append(field.tag)
            continue
        if column in seen:
            problems.append(
                RowError("row.duplicate-column", f"<{field.tag}> is given twice", column)
            )
            continue
        seen.add(column)
        if len(field) or field.attrib:
            problems.append(
                RowError("row.element", f"<{field.tag}> holds elements or attributes", column)
            )
            continue
        if field.text:
            builder.cell(cells, problems, column, field.text)
    if unknown:
        message = unknown_key_message(unknown[0], COLUMNS, "a <product>", "element")[0]
        more = f" ({len(unknown) - 1} more unknown elements follow)" if len(unknown) > 1 else ""
        problems.append(RowError("row.unknown-column", message + more))


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def write(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """An XML file of ``rows``, one ``<product>`` each with an element per column of ``header``.

    Every value must be free of the characters XML cannot carry (:data:`INVALID`).
    """
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<products>\n']
    for row in rows:
        parts.append("  <product>\n")
        for column, value in zip(header, row, strict=True):
            parts.append(f"    <{column}>{_escape(value)}</{column}>\n")
        parts.append("  </product>\n")
    parts.append("</products>\n")
    return "".join(parts).encode("utf-8")
