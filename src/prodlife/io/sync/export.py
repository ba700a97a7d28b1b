"""Writing products, and the empty templates, as CSV, XML or XLSX files.

Every cell is text, and every text a spreadsheet would run as a formula (it
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written
with a leading ``'``, which importing removes: opening an export cannot run
anything, and importing it gives back exactly the products written.

>>> from prodlife.catalog import Catalog, Classification, Product, ProductType, ServiceKind
>>> channel = ProductType("CH", "Channel", Classification.SERVICE,
...                       service_kind=ServiceKind.TERMED)
>>> catalog = Catalog(types=(channel,),
...                   products=(Product("HBO", "=HYPERLINK(\\"http://x\\")", "CH"),))
>>> print(export_products(catalog, FileFormat.CSV).decode("utf-8-sig").splitlines()[1][:44])
HBO,,"'=HYPERLINK(""http://x"")",,CH,,,,,,,,
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from prodlife.catalog.catalog import Catalog
from prodlife.catalog.products import FieldKind, Product
from prodlife.catalog.sync_runs import FileFormat
from prodlife.errors import ExportRefused, FileAccessError, ImportRefused
from prodlife.io.sync import _csv, _xlsx, _xml
from prodlife.io.sync.columns import (
    COLUMNS,
    SEPARATOR,
    UDF_DATES,
    UDF_NUMBERS,
    UDF_STRINGS,
    neutralized,
    write_date,
)
from prodlife.io.sync.source import format_of

__all__ = ["export_products", "template", "write_products", "write_template"]

_WRITERS = {FileFormat.CSV: _csv.write, FileFormat.XML: _xml.write, FileFormat.XLSX: _xlsx.write}
_KINDS = {
    **dict.fromkeys(UDF_STRINGS, FieldKind.STRING),
    **dict.fromkeys(UDF_NUMBERS, FieldKind.NUMBER),
    **dict.fromkeys(UDF_DATES, FieldKind.DATE),
}


def _items(product: Product, what: str, values: Iterable[str]) -> str:
    items = list(values)
    for item in items:
        if SEPARATOR in item:
            raise ExportRefused(
                "value.separator",
                f"product {product.code!r}: {what} {item!r} holds {SEPARATOR!r}, which separates "
                "the items of a list cell; rename it to export the product",
            )
    return SEPARATOR.join(items)


def _cells(product: Product) -> list[str]:
    """A product's cells, in :data:`COLUMNS` order, before neutralizing."""
    validity = product.validity
    cells = [
        product.code,
        product.alternative_code or "",
        product.name,
        product.description,
        product.type_code,
        product.brand or "",
        product.family or "",
        _items(product, "category", sorted(product.categories)),
        "" if validity.start is None else write_date(validity.start),
        "" if validity.end is None else write_date(validity.end),
        product.vat_code or "",
        _items(product, "tax code", product.tax_codes),
    ]
    fields = {field.name: field for field in product.custom_fields}
    for column in COLUMNS[len(cells) :]:
        field = fields.get(column)
        if field is None:
            cells.append("")
            continue
        if field.kind is not _KINDS[column]:
            raise ExportRefused(
                "value.field-kind",
                f"product {product.code!r}: custom field {column!r} holds a {field.kind.value}, "
                f"but the {column} column holds a {_KINDS[column].value}; rename the field",
            )
        value = field.value
        if field.kind is FieldKind.DATE:
            cells.append(write_date(value))  # type: ignore[arg-type]
        else:
            cells.append(str(value))
    return cells


#: Characters each format cannot carry: no UTF-8 file carries a lone surrogate, XML 1.0
#: refuses most control characters, and a spreadsheet turns a carriage return into a line feed.
_SURROGATES = "[\ud800-\udfff]"
_UNWRITABLE = {
    FileFormat.CSV: re.compile(_SURROGATES),
    FileFormat.XML: re.compile(f"{_xml.INVALID.pattern}|{_SURROGATES}"),
    FileFormat.XLSX: re.compile(f"{_xml.INVALID.pattern}|{_SURROGATES}|\r"),
}


def _checked(product: Product, cells: list[str], file_format: FileFormat) -> list[str]:
    unwritable = _UNWRITABLE[file_format]
    for column, cell in zip(COLUMNS, cells, strict=True):
        bad = unwritable.search(cell)
        if bad:
            raise ExportRefused(
                "value.character",
                f"product {product.code!r}: {column} holds the character {bad.group()!r}, "
                f"which {file_format.value.upper()} files cannot carry; remove it"
                + ("" if file_format is FileFormat.CSV else ", or export as CSV"),
            )
    return [neutralized(cell) for cell in cells]


def export_products(
    catalog: Catalog, file_format: FileFormat, products: Iterable[Product] | None = None
) -> bytes:
    """The catalog's products (or ``products``) as a synchronization file.

    Bundles are left out: synchronization does not import them (seed 004).

    Args:
        catalog: the catalog the products are in.
        file_format: CSV, XML or XLSX.
        products: the products to write; by default every product.

    Returns:
        The file's content, one row per product, as :func:`template`'s columns.

    Raises:
        ExportRefused: a value cannot be written in the format (see
            docs/sync.md), or XLSX is asked for and openpyxl is missing.
    """
    chosen = catalog.products if products is None else tuple(products)
    rows = [
        _checked(product, _cells(product), file_format)
        for product in chosen
        if not catalog.type_of(product.code).is_bundle
    ]
    return _WRITERS[file_format](COLUMNS, rows)


def template(file_format: FileFormat) -> bytes:
    """An empty synchronization file: the header (or, in XML, one empty product).

    Raises:
        ExportRefused: XLSX is asked for and openpyxl is missing.
    """
    if file_format is FileFormat.XML:
        return _xml.write(COLUMNS, [[""] * len(COLUMNS)])
    return _WRITERS[file_format](COLUMNS, [])


def _write(path: str | Path, content: bytes) -> None:
    target = Path(path)
    try:
        target.write_bytes(content)
    except OSError as error:
        raise FileAccessError(target, "write", error.strerror or type(error).__name__) from error


def _format(path: str | Path) -> FileFormat:
    try:
        return format_of(str(path))
    except ImportRefused:
        raise ExportRefused(
            "file.format", f"name {str(path)!r} .csv, .xml or .xlsx to say its format"
        ) from None


def write_products(catalog: Catalog, path: str | Path) -> None:
    """Write the catalog's products to ``path``, in the format its suffix says.

    Raises:
        ExportRefused: the suffix is not ``.csv``, ``.xml`` or ``.xlsx``, or as
            :func:`export_products`.
        FileAccessError: the file cannot be written.
    """
    _write(path, export_products(catalog, _format(path)))


def write_template(path: str | Path) -> None:
    """Write an empty template to ``path``, in the format its suffix says (seed 004's download).

    Raises:
        ExportRefused: the suffix is not ``.csv``, ``.xml`` or ``.xlsx``, or
            XLSX is asked for and openpyxl is missing.
        FileAccessError: the file cannot be written.
    """
    _write(path, template(_format(path)))
