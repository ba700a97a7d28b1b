"""One row of a synchronization file read into the product it creates or updates.

A row's cells are read column by column, every error kept with its column;
empty cells and values that do not exist take the definition's defaults (for a
new product); a row updating a product leaves the attributes it leaves empty as
they were. The product is then built, so it passes every rule a product checks
on its own, the same as any product of a catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from prodlife.catalog.catalog import Catalog
from prodlife.catalog.products import CustomField, FieldKind, Product, Validity
from prodlife.catalog.sync_definition import SyncDefinition
from prodlife.catalog.sync_runs import RowError
from prodlife.errors import RuleViolation
from prodlife.io.sync.columns import (
    UDF_DATES,
    UDF_NUMBERS,
    UDF_STRINGS,
    Cell,
    CellError,
    read_date,
    read_list,
    read_number,
    read_text,
)

__all__ = ["RowFailed", "RowReader"]

#: The column a product rule's error is about, when one column is.
_RULE_COLUMNS = {
    "product.name": "name",
    "product.validity": "valid_to",
    "product.custom-fields": None,
}
_UDF: tuple[tuple[str, FieldKind], ...] = (
    *((name, FieldKind.STRING) for name in UDF_STRINGS),
    *((name, FieldKind.NUMBER) for name in UDF_NUMBERS),
    *((name, FieldKind.DATE) for name in UDF_DATES),
)


class RowFailed(Exception):
    """A row that cannot be applied, with every error found in it."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("; ".join(error.description for error in errors))


class RowReader:
    """Reads rows into products for one catalog and one definition."""

    def __init__(self, catalog: Catalog, definition: SyncDefinition) -> None:
        self.definition = definition
        self.types = {t.code: t for t in catalog.types}

    def product(self, cells: dict[str, Cell], existing: Product | None) -> Product:
        """The product a row's cells make: a new one, or ``existing`` updated.

        Raises:
            RowFailed: a cell cannot be read, a value does not exist and has
                no default, the row is a bundle, or the product breaks a rule.
        """
        errors: list[RowError] = []
        new = existing is None
        fields: dict[str, Any] = {}

        def cell(column: str, read: Callable[[Cell], Any]) -> Any:
            if column not in cells:
                return None
            try:
                return read(cells[column])
            except CellError as error:
                errors.append(RowError(error.code, error.description, column))
                return None

        text = {c: cell(c, read_text) or None for c in ("code", "alternative_code", "name")}
        code = text["code"]
        if existing is not None and code is not None and code != existing.code:
            errors.append(
                RowError(
                    "row.code-change",
                    f"the row gives code {code!r} to product {existing.code!r}; synchronization "
                    "does not change a product's code, so leave the cell empty or fix it",
                    "code",
                )
            )
        if new and code is None:
            errors.append(
                RowError("row.missing-code", "a new product needs a code; fill the column", "code")
            )
        elif new:
            fields["code"] = code
        if text["alternative_code"] is not None:
            fields["alternative_code"] = text["alternative_code"]
        if text["name"] is not None:
            fields["name"] = text["name"]
        elif new:
            fields["name"] = code
        description = cell("description", read_text)
        if description:
            fields["description"] = description
        self._type(cell("type", read_text) or None, existing, fields, errors)
        d = self.definition
        defaults = d.defaults
        for column, name, known, default in (
            ("brand", "brand", d.brands, defaults.brand),
            ("family", "family", d.families, defaults.family),
            ("vat_rate", "vat_code", d.vat_codes, defaults.vat_code),
        ):
            value = self._known(cell(column, read_text) or None, known, default, column, errors)
            if value is not None:
                fields[name] = value
            elif new and default is not None:
                fields[name] = default
        for column, name, known, default in (
            ("category", "categories", d.categories, defaults.category),
            ("tax_rate", "tax_codes", d.tax_codes, defaults.tax_code),
        ):
            items = [
                self._known(item, known, default, column, errors)
                for item in cell(column, read_list) or ()
            ]
            values = tuple(item for item in items if item is not None)
            if values:
                fields[name] = values
            elif new and default is not None:
                fields[name] = (default,)
        start = cell("valid_from", read_date)
        end = cell("valid_to", lambda value: read_date(value, end=True))
        if start is not None or end is not None or new:
            base = existing.validity if existing is not None else defaults.validity
            fields["validity"] = Validity(
                start if start is not None else base.start, end if end is not None else base.end
            )
        udf = self._custom_fields(cells, existing, errors)
        if udf is not None:
            fields["custom_fields"] = udf
        if errors:
            raise RowFailed(errors)
        try:
            if existing is None:
                return Product(**fields)
            return attrs.evolve(existing, **fields)
        except RuleViolation as violation:
            message = str(violation).removesuffix(f" (rule {violation.rule})")
            at = _RULE_COLUMNS.get(violation.rule)
            raise RowFailed([RowError(violation.rule, message, at)]) from None

    def _type(
        self,
        type_code: str | None,
        existing: Product | None,
        fields: dict[str, Any],
        errors: list[RowError],
    ) -> None:
        default = self.definition.defaults.type_code
        if type_code is not None and type_code not in self.types:
            if default is None:
                errors.append(
                    RowError(
                        "value.unknown-type",
                        f"the catalog has no product type {type_code!r}; fix the code, add the "
                        "type, or give the definition a default type",
                        "type",
                    )
                )
                return
            type_code = default
        if type_code is None and existing is None:
            if default is None:
                errors.append(
                    RowError(
                        "value.missing",
                        "a new product needs a type; fill the column or give the definition a "
                        "default type",
                        "type",
                    )
                )
                return
            type_code = default
        if type_code is None:
            return
        product_type = self.types.get(type_code)
        if product_type is not None and product_type.is_bundle:
            errors.append(
                RowError(
                    "row.bundle",
                    f"type {type_code!r} is a {product_type.composition.value}; synchronization "
                    "does not import bundles (seed 004), so define bundles in the catalog",
                    "type",
                )
            )
            return
        fields["type_code"] = type_code

    @staticmethod
    def _known(
        value: str | None,
        known: frozenset[str] | None,
        default: str | None,
        column: str,
        errors: list[RowError],
    ) -> str | None:
        if value is None or known is None or value in known:
            return value
        if default is not None:
            return default
        errors.append(
            RowError(
                f"value.unknown-{column.replace('_', '-')}",
                f"{value!r} is not a {column.replace('_', ' ')} that exists; fix it, add it to "
                "the definition's values, or give the definition a default",
                column,
            )
        )
        return None

    @staticmethod
    def _custom_fields(
        cells: dict[str, Cell], existing: Product | None, errors: list[RowError]
    ) -> tuple[CustomField, ...] | None:
        given: dict[str, CustomField] = {}
        for name, kind in _UDF:
            if name not in cells:
                continue
            raw = cells[name]
            value: str | Decimal | date
            try:
                if kind is FieldKind.STRING:
                    value = read_text(raw)
                elif kind is FieldKind.NUMBER:
                    value = read_number(raw)
                else:
                    value = read_date(raw, day_only=True)
            except CellError as error:
                errors.append(RowError(error.code, error.description, name))
                continue
            given[name] = CustomField(name, kind, value)
        if not given:
            return None
        kept = [] if existing is None else list(existing.custom_fields)
        merged = [given.pop(field.name, field) for field in kept]
        return (*merged, *given.values())
