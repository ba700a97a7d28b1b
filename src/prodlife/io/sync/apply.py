"""Applying a synchronization file to a catalog: matching, the catalog's checks, the run.

Rows are matched on the definition's code; a code on two rows fails both
(which one is right cannot be known). Each row is read into its product, then
the catalog with every valid row applied is checked as any catalog is. A row
whose product would break a rule spanning the catalog (an alternative code
another product has, a bundle whose pools it empties...) fails with that rule;
the rows are taken in the file's order, so of two rows that cannot both be
applied, the first is. In all-or-nothing mode one failed row leaves the catalog
as it was; in row-by-row mode every valid row is applied. In both, no valid
row is lost and no invalid one half-applied.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import attrs

from prodlife.catalog.catalog import Catalog
from prodlife.catalog.products import Product
from prodlife.catalog.sync_definition import MatchOn, SyncDefinition, SyncMode
from prodlife.catalog.sync_runs import RowError, RowOutcome, RowResult
from prodlife.errors import CatalogProblem, ImportRefused, InvalidCatalog
from prodlife.io.sync.columns import CellError, read_text
from prodlife.io.sync.rows import RowFailed, RowReader
from prodlife.io.sync.source import SourceRow, SourceTable

__all__ = ["Applied", "apply_rows"]


@attrs.define(slots=True)
class _Plan:
    """What one row would do."""

    row: SourceRow
    key: str | None = None
    existing: Product | None = None
    product: Product | None = None
    errors: list[RowError] = attrs.field(factory=list)

    def fail(self, *errors: RowError) -> None:
        self.errors.extend(errors)
        self.product = None


@attrs.frozen(slots=True)
class Applied:
    """The catalog after a file, and what became of each row."""

    catalog: Catalog
    rows: tuple[RowResult, ...]


#: How many rows an import reads between two calls of its progress callback.
PROGRESS_EVERY = 1000


def apply_rows(
    catalog: Catalog,
    table: SourceTable,
    definition: SyncDefinition,
    mode: SyncMode,
    progress: Callable[[int, int], object] | None = None,
) -> Applied:
    """Apply a file's rows to ``catalog`` as ``definition`` says, in ``mode``.

    ``progress``, when given, is called with (rows read, rows in the file)
    every :data:`PROGRESS_EVERY` rows and once all are read.

    Raises:
        ImportRefused: the file has no column for the code the definition
            matches on.
    """
    column = definition.match_on.column
    if column not in table.columns:
        raise ImportRefused(
            table.file_name,
            "file.header",
            f"the header has no column {column!r}, which the definition matches products on; "
            "add it",
        )
    plans = [_Plan(row, errors=list(row.problems)) for row in table.rows]
    if definition.match_on is MatchOn.CODE:
        index = {p.code: p for p in catalog.products}
    else:
        index = {p.alternative_code: p for p in catalog.products if p.alternative_code}
    _keys(plans, column)
    reader = RowReader(catalog, definition)
    for done, plan in enumerate(plans, 1):
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(plans)):
            progress(done, len(plans))
        if plan.errors or plan.key is None:
            continue
        plan.existing = index.get(plan.key)
        if plan.existing is not None:
            _existing(plan, catalog, definition)
        if plan.errors:
            continue
        try:
            plan.product = reader.product(plan.row.cells, plan.existing)
        except RowFailed as failed:
            plan.fail(*failed.errors)
    _unique_codes(plans, catalog)
    _unique_alternatives(plans, catalog)
    new = _checked(catalog, plans)
    any_failed = any(plan.errors for plan in plans)
    if any_failed and mode is SyncMode.ALL_OR_NOTHING:
        new = catalog
    return Applied(new, tuple(_result(plan, any_failed, mode) for plan in plans))


def _keys(plans: list[_Plan], column: str) -> None:
    """Each row's matching code; a row without one, or sharing it with another, fails."""
    rows_of: dict[str, list[_Plan]] = defaultdict(list)
    for plan in plans:
        if not plan.row.cells:
            continue
        try:
            key = read_text(plan.row.cells.get(column))
        except CellError as error:
            plan.fail(RowError(error.code, error.description, column))
            continue
        if not key:
            what = column.replace("_", " ")
            plan.fail(
                RowError(
                    "row.missing-code",
                    f"the row has no {what}, which the definition matches products on; fill it",
                    column,
                )
            )
            continue
        plan.key = key
        rows_of[key].append(plan)
    for key, sharing in rows_of.items():
        if len(sharing) > 1:
            numbers = ", ".join(str(plan.row.number) for plan in sharing)
            for plan in sharing:
                plan.fail(
                    RowError(
                        "row.duplicate",
                        f"{column.replace('_', ' ')} {key!r} is on rows {numbers}; keep one row "
                        "per product",
                        column,
                    )
                )


def _existing(plan: _Plan, catalog: Catalog, definition: SyncDefinition) -> None:
    existing = plan.existing
    if existing is None:
        return
    if not definition.update_matching:
        plan.fail(
            RowError(
                "row.exists",
                f"product {existing.code!r} matches the row, and the definition does not update "
                "matching products; turn update_matching on or remove the row",
            )
        )
    elif catalog.type_of(existing.code).is_bundle:
        plan.fail(
            RowError(
                "row.bundle",
                f"product {existing.code!r} is a bundle; synchronization does not import bundles "
                "(seed 004), so change bundles in the catalog",
            )
        )


def _unique_codes(plans: list[_Plan], catalog: Catalog) -> None:
    """A new product's code is no other product's (rows matched on alternative codes)."""
    created: dict[str, list[_Plan]] = defaultdict(list)
    for plan in plans:
        if plan.product is not None and plan.existing is None:
            created[plan.product.code].append(plan)
    taken = {p.code for p in catalog.products}
    for code, sharing in created.items():
        if code in taken or len(sharing) > 1:
            numbers = ", ".join(str(plan.row.number) for plan in sharing)
            why = "is a product's code already" if code in taken else f"is on rows {numbers}"
            for plan in sharing:
                plan.fail(
                    RowError(
                        "row.code-taken",
                        f"code {code!r} {why}; give the new product its own code",
                        "code",
                    )
                )


def _unique_alternatives(plans: list[_Plan], catalog: Catalog) -> None:
    """No two products share an alternative code once the rows are applied."""
    while True:
        by_code = {p.code: p for p in catalog.products}
        row_of: dict[str, _Plan] = {}
        for plan in plans:
            if plan.product is not None:
                by_code[plan.product.code] = plan.product
                row_of[plan.product.code] = plan
        owners: dict[str, list[str]] = defaultdict(list)
        for product in by_code.values():
            if product.alternative_code:
                owners[product.alternative_code].append(product.code)
        clashes = [(alt, codes) for alt, codes in owners.items() if len(codes) > 1]
        failing = [
            (row_of[code], alt, codes) for alt, codes in clashes for code in codes if code in row_of
        ]
        if not failing:
            return
        for plan, alt, codes in failing:
            mine = plan.product.code if plan.product is not None else None
            others = ", ".join(repr(code) for code in codes if code != mine)
            plan.fail(
                RowError(
                    "catalog.duplicate-alternative-code",
                    f"alternative code {alt!r} would be shared with product {others}; make it "
                    "unique",
                    "alternative_code",
                )
            )


def _catalog(catalog: Catalog, plans: list[_Plan]) -> Catalog:
    """``catalog`` with the products of ``plans`` (raises InvalidCatalog)."""
    updated = {plan.product.code: plan.product for plan in plans if plan.product is not None}
    products = [updated.pop(p.code, p) for p in catalog.products]
    return attrs.evolve(catalog, products=(*products, *updated.values()))


def _checked(catalog: Catalog, plans: list[_Plan]) -> Catalog:
    """The catalog with every valid row, after failing the rows that break its rules."""
    valid = [plan for plan in plans if plan.product is not None]
    try:
        return _catalog(catalog, valid)
    except InvalidCatalog:
        pass
    accepted: list[_Plan] = []

    def problems_with(extra: list[_Plan]) -> tuple[CatalogProblem, ...]:
        try:
            _catalog(catalog, [*accepted, *extra])
        except InvalidCatalog as invalid:
            return invalid.problems
        return ()

    def walk(batch: list[_Plan]) -> None:
        found = problems_with(batch)
        if not found:
            accepted.extend(batch)
        elif len(batch) == 1:
            batch[0].fail(
                *(
                    RowError(problem.rule, f"the catalog would break: {problem}")
                    for problem in found
                )
            )
        else:
            half = len(batch) // 2
            walk(batch[:half])
            walk(batch[half:])

    walk(valid)
    return _catalog(catalog, accepted)


def _result(plan: _Plan, failed: bool, mode: SyncMode) -> RowResult:
    number = plan.row.number
    code = plan.product.code if plan.product is not None else None
    if code is None and plan.existing is not None:
        code = plan.existing.code
    if plan.errors:
        return RowResult(number, RowOutcome.FAILED, code or plan.key, plan.errors)
    if not plan.row.cells:
        return RowResult(number, RowOutcome.SKIPPED)
    if failed and mode is SyncMode.ALL_OR_NOTHING:
        return RowResult(number, RowOutcome.NOT_APPLIED, code)
    if plan.existing is None:
        return RowResult(number, RowOutcome.CREATED, code)
    if plan.product == plan.existing:
        return RowResult(number, RowOutcome.UNCHANGED, code)
    return RowResult(number, RowOutcome.UPDATED, code)
