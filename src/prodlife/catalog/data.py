# Over 400 lines: a catalog as plain data both ways, sharing the table of its sections:
# writing (with or without defaults) and the strict reading that reports every problem.
"""A catalog as plain data (JSON- and TOML-safe) and back, reporting every problem.

:func:`catalog_to_data` unstructures a catalog with prodlife's converter;
:func:`catalog_from_data` rebuilds it, checking each definition separately so
that a file with many mistakes reports all of them at once, each with its path
(``products[3]``, ``bundles[KIT].pools``...).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs
import cattrs
from cattrs.errors import IterableValidationNote
from cattrs.v import format_exception

from prodlife._bulk import bulk
from prodlife._text import shown, unknown_key_message
from prodlife.catalog._fast_products import Slow, product_from_plain, product_to_plain
from prodlife.catalog._follow_ons import NAMESPACES, without_follow_ons
from prodlife.catalog.abuse import AbuseLimit
from prodlife.catalog.addons import AddOn
from prodlife.catalog.billing_terms import (
    BillingTerm,
    BillingTermScheme,
    PrepaidTerm,
    SubscriptionType,
)
from prodlife.catalog.bundles import FixedBundle, FlexibleBundle
from prodlife.catalog.cancellation_policies import CancellationDefaults
from prodlife.catalog.catalog import Bundle, Catalog, CatalogVersion, CatalogVersions
from prodlife.catalog.change_rules import ChangeRules
from prodlife.catalog.domains import TldPrice
from prodlife.catalog.editions import EditionLadder
from prodlife.catalog.products import Product
from prodlife.catalog.records import Brand, Category, Family
from prodlife.catalog.types import ProductType
from prodlife.errors import CatalogProblem, InvalidCatalog, ProdlifeError, ValidationError
from prodlife.serialization import InvalidData, make_converter

__all__ = ["catalog_from_data", "catalog_to_data", "check_new_version"]

_LISTS: tuple[tuple[str, type], ...] = (
    ("types", ProductType),
    ("products", Product),
    ("editions", EditionLadder),
    ("addons", AddOn),
    ("brands", Brand),
    ("families", Family),
    ("categories", Category),
    ("tld_prices", TldPrice),
    ("abuse_limits", AbuseLimit),
    ("term_schemes", BillingTermScheme),
    ("subscription_types", SubscriptionType),
)
_SINGLE: tuple[tuple[str, type], ...] = (
    ("change_rules", ChangeRules),
    ("cancellation", CancellationDefaults),
)
#: What reading one definition can raise; each becomes a problem with a path.
_READ_ERRORS = (ProdlifeError, cattrs.BaseValidationError, KeyError, TypeError, ValueError)
_BUNDLE_SHAPES: dict[str, type[Bundle]] = {"fixed": FixedBundle, "flexible": FlexibleBundle}
_KNOWN = {name for name, _ in _LISTS} | {name for name, _ in _SINGLE} | {"bundles"}
#: A section's namespace and the key holding a definition's code, where not ``(name, "code")``.
_NAMESPACE = {"editions": ("editions", "product_code")}
#: Products are written by hand (see _fast_products); tests compare with the converter.
_FAST_WRITE = True
#: No definition nests deeper than this; deeper data is refused before it is read.
MAX_DEPTH = 32


def catalog_to_data(catalog: Catalog, *, defaults: bool = True) -> dict[str, Any]:
    """The catalog as plain data: dicts, lists, strings, numbers and booleans.

    Bundles carry a ``"composition"`` key (``"fixed"`` or ``"flexible"``) so
    they can be told apart when read back. Empty sections and ``None`` values
    are left out.

    Args:
        defaults: also write each definition's values that equal their defaults
            (what a stored document keeps, so that it says the same thing
            whatever later defaults are); ``False`` writes what each definition
            sets and nothing else, as catalog files hold it. Both read back to the
            same catalog.

    >>> from prodlife.catalog import Catalog, Classification, Product, ProductType, ServiceKind
    >>> termed = ServiceKind.TERMED
    >>> channel = ProductType("CH", "Channel", Classification.SERVICE, service_kind=termed)
    >>> catalog = Catalog([channel], [Product("NEWS", "News", "CH")])
    >>> catalog_to_data(catalog, defaults=False)["products"]
    [{'code': 'NEWS', 'name': 'News', 'type_code': 'CH'}]
    """
    with bulk():
        return _to_data(catalog, defaults)


def _to_data(catalog: Catalog, defaults: bool) -> dict[str, Any]:
    converter = make_converter()

    def plain(item: Any) -> dict[str, Any]:
        written = _compact(converter.unstructure(item))
        kind: type = type(item)
        return written if defaults else _set(written, _plain_defaults(kind))

    data: dict[str, Any] = {}
    for name, _ in _LISTS:
        items = getattr(catalog, name)
        if items and name == "products" and _FAST_WRITE:
            unset = {} if defaults else _plain_defaults(Product)
            data[name] = [_set(product_to_plain(item), unset) for item in items]
        elif items:
            data[name] = [plain(item) for item in items]
    if catalog.bundles:
        data["bundles"] = [
            {"composition": "fixed" if isinstance(b, FixedBundle) else "flexible", **plain(b)}
            for b in catalog.bundles
        ]
    for name, _ in _SINGLE:
        value = getattr(catalog, name)
        if value is not None:
            data[name] = plain(value)
    return data


def _set(written: dict[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """``written`` without the values equal to their defaults (of the same type: not
    ``0`` for ``False``)."""
    if not defaults:
        return written
    return {
        key: value
        for key, value in written.items()
        if key not in defaults or type(value) is not type(defaults[key]) or value != defaults[key]
    }


@functools.cache
def _plain_defaults(kind: type) -> dict[str, Any]:
    """The plain data of each default of a definition's fields, by key."""
    converter = make_converter()
    found: dict[str, Any] = {}
    for field in attrs.fields(kind):
        default = field.default
        if default is attrs.NOTHING or not field.init:
            continue
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            if default.takes_self:
                continue
            default = default.factory()
        if callable(field.converter):
            default = field.converter(default)
        found[field.alias or field.name] = _compact(converter.unstructure(default))
    return found


def _compact(value: Any) -> Any:
    """Drop ``None`` values from mappings, recursively (TOML has no null)."""
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_compact(v) for v in value]
    return value


def _leaves(error: BaseException, path: str) -> Iterator[tuple[str, BaseException, type | None]]:
    """Each error inside a cattrs validation error, with the path of the value at fault."""
    if isinstance(error, cattrs.IterableValidationError | cattrs.ClassValidationError):
        with_notes, without = error.group_exceptions()
        for inner, note in with_notes:
            if isinstance(note, IterableValidationNote):
                here = f"{path}[{note.index!r}]"
            else:
                here = f"{path}.{note.name}"
            if isinstance(inner, cattrs.IterableValidationError | cattrs.ClassValidationError):
                yield from _leaves(inner, here)
            else:
                yield here, inner, note.type
        for inner in without:
            yield path, inner, None
    else:
        yield path, error, None


_RULED = re.compile(r"^(?P<message>.*) \(rule (?P<rule>[\w.-]+)\)$", re.S)
_NAMES = {"AddOn": "an add-on"}


def _what(kind: type) -> str:
    """How a message names a definition: ``ProductType`` is "a product type"."""
    if kind.__name__ in _NAMES:
        return _NAMES[kind.__name__]
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", kind.__name__).lower()
    return ("an " if words[0] in "aeiou" else "a ") + words


def _keys_of(kind: type) -> list[str]:
    return [field.name for field in attrs.fields(kind) if field.init]


def _problem(path: str, error: BaseException) -> list[CatalogProblem]:
    """The problems one failed definition holds, each with its own path.

    A misspelt key is reported once, as an unknown key naming the key it
    probably meant, not again as that key missing.
    """
    found: list[tuple[str, str, str]] = []
    meant: set[str] = set()
    for where, inner, kind in _leaves(error, path):
        if isinstance(inner, cattrs.ForbiddenExtraKeysError):
            for key in sorted(inner.extra_fields, key=repr):
                message, close = unknown_key_message(key, _keys_of(inner.cl), _what(inner.cl))
                found.append((where, "data.unknown-key", message))
                if close is not None:
                    meant.add(f"{where}.{close}")
        elif isinstance(inner, AttributeError):  # cattrs reading keys of a non-mapping
            found.append((where, "data.shape", "write a table of keys and values here"))
        elif isinstance(inner, KeyError):
            found.append((where, "data.missing", f"the key {inner.args[0]!r} is required; add it"))
        elif isinstance(inner, ProdlifeError):
            ruled = _RULED.match(str(inner))
            if ruled:
                found.append((where, ruled["rule"], ruled["message"]))
            else:
                found.append((where, "data.invalid", str(inner)))
        else:
            found.append((where, "data.invalid", format_exception(inner, kind)))
    return [
        CatalogProblem(where, rule, message)
        for where, rule, message in found
        if not (rule == "data.missing" and where in meant)
    ]


def _section(data: Mapping[str, Any], name: str, problems: list[CatalogProblem]) -> list[Any]:
    """The list a section holds; anything else is a problem, and reads as empty."""
    value = data.get(name, [])
    if isinstance(value, list):
        return value
    problems.append(
        CatalogProblem(
            name, "data.shape", f"{name} must be a list of definitions, not {shown(value)}"
        )
    )
    return []


def _code(raw: object, key: str) -> str | None:
    if isinstance(raw, Mapping):
        code = raw.get(key)
        if isinstance(code, str):
            return code
    return None


_SCALARS = (str, int, bool, float, type(None))


def _too_deep(value: object) -> bool:
    """Whether ``value`` nests more than :data:`MAX_DEPTH` levels (walked without recursion)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return True
        children: Iterable[object]
        if type(item) is dict:
            children = item.values()
        elif type(item) is list:
            children = item
        elif isinstance(item, Mapping):
            children = item.values()
        elif isinstance(item, list | tuple | set | frozenset):
            children = item
        else:
            continue
        deeper = depth + 1
        stack.extend((child, deeper) for child in children if type(child) not in _SCALARS)
    return False


def _deep_problem(path: str) -> CatalogProblem:
    return CatalogProblem(
        path,
        "data.too-deep",
        f"the definition nests more than {MAX_DEPTH} levels of tables and lists; no "
        "definition needs that many, so look for a value written inside itself",
    )


class _Reader:
    """Reads definitions one by one, collecting problems and what could not be read."""

    def __init__(self) -> None:
        self.converter = make_converter(strict=True)
        self.converter.register_structure_hook(BillingTerm | PrepaidTerm, self._term)
        self.problems: list[CatalogProblem] = []
        self.failed: dict[str, set[str]] = {name: set() for name in NAMESPACES}
        self.anonymous: set[str] = set()

    def _term(self, raw: object, _: object) -> BillingTerm | PrepaidTerm:
        """A scheme's term: prepaid when it says how it is paid (``payment``, ``paid_ahead``)."""
        prepaid = isinstance(raw, Mapping) and bool({"payment", "paid_ahead"} & set(raw))
        kind: type[BillingTerm | PrepaidTerm] = PrepaidTerm if prepaid else BillingTerm
        return self.converter.structure(raw, kind)

    def fail(self, namespace: str, code: str | None) -> None:
        if namespace not in NAMESPACES:
            return
        if code is None:
            self.anonymous.add(namespace)
        else:
            self.failed[namespace].add(code)

    def read(self, raw: object, kind: type, path: str, namespace: str, code: str | None) -> Any:
        if _too_deep(raw):
            self.problems.append(_deep_problem(path))
            self.fail(namespace, code)
            return None
        if not isinstance(raw, Mapping):
            message = f"{_what(kind)} is a table of keys and values, not {shown(raw)}"
            self.problems.append(CatalogProblem(path, "data.shape", message))
            self.fail(namespace, code)
            return None
        try:
            return self.converter.structure(raw, kind)
        except _READ_ERRORS as error:
            self.problems += _problem(
                path, error.detail if isinstance(error, InvalidData) else error
            )
            self.fail(namespace, code)
            return None


def check_new_version(existing: Iterable[CatalogVersion], version: CatalogVersion) -> None:
    """Refuse a catalog version that cannot join ``existing`` or would not read back.

    The version's catalog is checked as a catalog file is (its data written
    and read back: finite decimals, real ints and bools, allowed values), and
    with the versions stored already (one per name and per effective date).

    Raises:
        InvalidCatalog: every problem found, each with its path.
        ValidationError: ``version`` is not a :class:`CatalogVersion`.
    """
    if not isinstance(version, CatalogVersion) or not isinstance(version.catalog, Catalog):
        raise ValidationError(f"{shown(version)} is not a CatalogVersion of a Catalog")
    catalog_from_data(catalog_to_data(version.catalog))
    CatalogVersions((*existing, version))


def catalog_from_data(data: Mapping[str, Any]) -> Catalog:
    """Rebuild a catalog from plain data, checking it as a whole.

    Reading is strict: a key a definition does not have is refused (naming
    the key it probably meant), as is a value of the wrong type or not one of
    the allowed values (naming them). Each mistake is reported once: a
    definition naming one that could not be read is not checked against it.

    Raises:
        InvalidCatalog: lists every problem found, each with its path; the
            definitions are checked one by one, then across the catalog.
    """
    if not isinstance(data, Mapping):
        raise InvalidCatalog(
            [CatalogProblem("", "data.shape", f"a catalog is a mapping, not {shown(data)}")]
        )
    with bulk():
        return _from_data(data)


def _from_data(data: Mapping[str, Any]) -> Catalog:
    reader = _Reader()
    problems = reader.problems
    for key in sorted(set(data) - _KNOWN, key=repr):
        message = unknown_key_message(key, _KNOWN, "the catalog", "section")[0]
        problems.append(CatalogProblem(str(key), "data.unknown-section", message))
    parts: dict[str, Any] = {}
    for name, kind in _LISTS:
        items: list[object] = []
        namespace, key = _NAMESPACE.get(name, (name, "code"))
        fast = kind is Product
        for index, raw in enumerate(_section(data, name, problems)):
            if fast and type(raw) is dict:
                try:
                    items.append(product_from_plain(raw))
                    continue
                except Slow:
                    pass  # the strict path reads it, and says what is wrong
            code = _code(raw, key)
            item = reader.read(raw, kind, f"{name}[{code or index}]", namespace, code)
            if item is not None:
                items.append(item)
        parts[name] = tuple(items)
    bundles: list[Bundle] = []
    for index, raw in enumerate(_section(data, "bundles", problems)):
        code = _code(raw, "product_code")
        path = f"bundles[{code or index}]"
        fields = dict(raw) if isinstance(raw, Mapping) else {}
        composition = fields.pop("composition", None)
        shape = _BUNDLE_SHAPES.get(composition) if isinstance(composition, str) else None
        if shape is None:
            problems.append(
                CatalogProblem(
                    path,
                    "data.bundle-composition",
                    f"composition {shown(composition)} is not 'fixed' or 'flexible'; give the "
                    "bundle a table with composition 'fixed' or 'flexible'",
                )
            )
            reader.fail("bundles", code)
            continue
        bundle = reader.read(fields, shape, path, "bundles", code)
        if bundle is not None:
            bundles.append(bundle)
    parts["bundles"] = tuple(bundles)
    for name, kind in _SINGLE:
        if name in data:
            parts[name] = reader.read(data[name], kind, name, name, None)
    checked = without_follow_ons(parts, reader.failed, reader.anonymous)
    try:
        catalog = Catalog(**checked)
    except InvalidCatalog as invalid:
        problems += invalid.problems
    if problems:
        raise InvalidCatalog(problems)
    return catalog
