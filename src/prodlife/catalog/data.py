"""A catalog as plain data (JSON- and TOML-safe) and back, reporting every problem.

:func:`catalog_to_data` unstructures a catalog with prodlife's converter;
:func:`catalog_from_data` rebuilds it, checking each definition separately so
that a file with many mistakes reports all of them at once, each with its path
(``products[3]``, ``bundles[KIT].pools``...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import cattrs
from cattrs.v import format_exception

from prodlife.catalog.addons import AddOn
from prodlife.catalog.bundles import FixedBundle, FlexibleBundle
from prodlife.catalog.cancellation import CancellationDefaults
from prodlife.catalog.catalog import Bundle, Catalog
from prodlife.catalog.editions import EditionLadder
from prodlife.catalog.products import Product
from prodlife.catalog.rules import ChangeRules
from prodlife.catalog.types import ProductType
from prodlife.errors import CatalogProblem, InvalidCatalog, ProdlifeError
from prodlife.serialization import make_converter

__all__ = ["catalog_from_data", "catalog_to_data"]

_LISTS: tuple[tuple[str, type], ...] = (
    ("types", ProductType),
    ("products", Product),
    ("editions", EditionLadder),
    ("addons", AddOn),
)
_SINGLE: tuple[tuple[str, type], ...] = (
    ("change_rules", ChangeRules),
    ("cancellation", CancellationDefaults),
)
#: What reading one definition can raise; each becomes a problem with a path.
_READ_ERRORS = (ProdlifeError, cattrs.BaseValidationError, KeyError, TypeError, ValueError)
_BUNDLE_SHAPES: dict[str, type[Bundle]] = {"fixed": FixedBundle, "flexible": FlexibleBundle}
_KNOWN = {name for name, _ in _LISTS} | {name for name, _ in _SINGLE} | {"bundles"}


def _converter() -> cattrs.Converter:
    return make_converter()


def catalog_to_data(catalog: Catalog) -> dict[str, Any]:
    """The catalog as plain data: dicts, lists, strings, numbers and booleans.

    Bundles carry a ``"composition"`` key (``"fixed"`` or ``"flexible"``) so
    they can be told apart when read back. Empty sections and ``None`` values
    are left out.
    """
    converter = _converter()
    data: dict[str, Any] = {}
    for name, _ in _LISTS:
        items = getattr(catalog, name)
        if items:
            data[name] = [_compact(converter.unstructure(item)) for item in items]
    if catalog.bundles:
        data["bundles"] = [
            {
                "composition": "fixed" if isinstance(b, FixedBundle) else "flexible",
                **_compact(converter.unstructure(b)),
            }
            for b in catalog.bundles
        ]
    for name, _ in _SINGLE:
        value = getattr(catalog, name)
        if value is not None:
            data[name] = _compact(converter.unstructure(value))
    return data


def _compact(value: Any) -> Any:
    """Drop ``None`` values from mappings, recursively (TOML has no null)."""
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_compact(v) for v in value]
    return value


def _problem(path: str, error: BaseException) -> list[CatalogProblem]:
    """The problems one failed definition holds, each with its own path."""
    if isinstance(error, cattrs.BaseValidationError):
        found = []
        for text in cattrs.transform_error(error, path=path, format_exception=_describe):
            message, _, where = text.rpartition(" @ ")
            ruled = _RULED.match(message)
            if ruled:
                found.append(CatalogProblem(where or path, ruled["rule"], ruled["message"]))
            else:
                found.append(CatalogProblem(where or path, "data.invalid", message))
        return found
    if isinstance(error, KeyError):
        return [CatalogProblem(path, "data.missing", f"{error.args[0]!r} is required")]
    return [CatalogProblem(path, getattr(error, "rule", "data.invalid"), str(error))]


_RULED = re.compile(r"^(?P<message>.*) \(rule (?P<rule>[\w.-]+)\)$", re.S)


def _describe(error: BaseException, kind: type | None) -> str:
    """prodlife's own message for its errors; cattrs' wording for the rest."""
    if isinstance(error, ProdlifeError):
        return str(error)
    return format_exception(error, kind)


def _section(data: Mapping[str, Any], name: str, problems: list[CatalogProblem]) -> list[Any]:
    """The list a section holds; anything else is a problem, and reads as empty."""
    value = data.get(name, [])
    if isinstance(value, list):
        return value
    problems.append(
        CatalogProblem(name, "data.shape", f"{name} must be a list of definitions, not {value!r}")
    )
    return []


def _label(raw: object, index: int) -> str:
    if isinstance(raw, Mapping):
        for key in ("code", "product_code"):
            if isinstance(raw.get(key), str):
                return str(raw[key])
    return str(index)


def catalog_from_data(data: Mapping[str, Any]) -> Catalog:
    """Rebuild a catalog from plain data, checking it as a whole.

    Raises:
        InvalidCatalog: lists every problem found, each with its path; the
            definitions are checked one by one, then across the catalog.
    """
    converter = _converter()
    problems: list[CatalogProblem] = []
    if not isinstance(data, Mapping):
        raise InvalidCatalog([CatalogProblem("", "data.shape", "a catalog is a mapping")])
    for key in sorted(set(data) - _KNOWN):
        problems.append(
            CatalogProblem(key, "data.unknown-section", f"unknown section {key!r}; remove it")
        )
    parts: dict[str, Any] = {}
    for name, kind in _LISTS:
        items: list[object] = []
        for index, raw in enumerate(_section(data, name, problems)):
            try:
                items.append(converter.structure(raw, kind))
            except _READ_ERRORS as error:
                problems += _problem(f"{name}[{_label(raw, index)}]", error)
        parts[name] = tuple(items)
    bundles: list[Bundle] = []
    for index, raw in enumerate(_section(data, "bundles", problems)):
        path = f"bundles[{_label(raw, index)}]"
        fields = dict(raw) if isinstance(raw, Mapping) else {}
        shape = _BUNDLE_SHAPES.get(str(fields.pop("composition", "")))
        if shape is None:
            problems.append(
                CatalogProblem(
                    path,
                    "data.bundle-composition",
                    "give the bundle a mapping with composition 'fixed' or 'flexible'",
                )
            )
            continue
        try:
            bundles.append(converter.structure(fields, shape))
        except _READ_ERRORS as error:
            problems += _problem(path, error)
    parts["bundles"] = tuple(bundles)
    for name, kind in _SINGLE:
        if name in data:
            try:
                parts[name] = converter.structure(data[name], kind)
            except _READ_ERRORS as error:
                problems += _problem(name, error)
    try:
        catalog = Catalog(**parts)
    except InvalidCatalog as invalid:
        problems += invalid.problems
    if problems:
        raise InvalidCatalog(problems)
    return catalog
