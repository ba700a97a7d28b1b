# Over 400 lines: hypothesis strategies for every catalog definition, composed into whole
# catalogs; one short strategy per definition.
"""Hypothesis strategies for valid catalogs: types, products, and whole catalogs.

Everything drawn here passes prodlife's own checks: :func:`product_types` keeps
every usage condition of seed 004's type table, :func:`products` every rule a
product checks alone, and :func:`catalogs` every rule spanning definitions,
with editions, add-ons (custom ones included), fixed bundles, flexible
bundles that a customer can fill, change rules and cancellation defaults.

>>> from hypothesis import given, settings
>>> from prodlife.catalog import catalog_from_data, catalog_to_data
>>> @settings(max_examples=5)
... @given(catalogs())
... def test_data_round_trip(catalog):
...     assert catalog_from_data(catalog_to_data(catalog)) == catalog
>>> test_data_round_trip()
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st

from prodlife.catalog import (
    AddOn,
    Attachment,
    AttachmentKind,
    Availability,
    Bundle,
    CancellationDefaults,
    CancellationPolicy,
    CancellationTiming,
    Catalog,
    ChangeRule,
    ChangeRules,
    ChangeTiming,
    Classification,
    Component,
    Composition,
    CustomField,
    Direction,
    Edition,
    EditionLadder,
    Feature,
    FieldKind,
    FixedBundle,
    FlexibleBundle,
    GoodKind,
    Image,
    Pool,
    PoolKind,
    Product,
    ProductType,
    ProviderId,
    ServiceKind,
    Validity,
    find_selection,
)
from prodlife.cycles import ANNUAL, MONTHLY, QUARTERLY
from prodlife.money import Money
from prodlife.proration import CreditMode, UsedDay
from prodlife.testing.strategies import billing_cycles, money

__all__ = [
    "cancellation_policies",
    "catalogs",
    "codes",
    "custom_fields",
    "images",
    "product_types",
    "products",
    "texts",
    "validities",
]

T = TypeVar("T")

SERVICE, GOOD = Classification.SERVICE, Classification.PHYSICAL_GOOD
TERMED, FLAT = ServiceKind.TERMED, Composition.FLAT

_FIRST = date(2000, 1, 1)
_LAST = date(2099, 12, 31)

#: Characters that make codes awkward but valid: dashes, dots, underscores, an accent.
_CODE_ALPHABET = "ABCDEFGHKMPRSTX0123456789-_.é"

#: Never drawn in text: nothing today (surrogates are left out by the UTF-8 codec: no
#: UTF-8 file can hold them).
_UNWRITABLE = ""

_FAMILIES = ("MOVIES", "SPORTS", "NEWS")
_CATEGORIES = ("internet", "tv", "promo", "b2b")
_FEATURES = ("roaming", "static-ip", "hd")
_TAXES = ("VAT", "CITY", "STATE")
_EDITIONS = ("BASIC", "PRO", "PREMIUM", "ULTRA")
_CUSTOMERS = ("C-1", "C-2")
_FIELD_NAMES = ("colour", "weight", "launch", "size")
_PROVIDERS = ("netflix", "nagra", "radius")
_RECORD_TYPES = ("CALL", "SMS", "VOD")
_METER_TYPES = ("KWH", "GB")
_CYCLES = (MONTHLY, QUARTERLY, ANNUAL)

# Strategies are built once: building them inside every draw is what makes generation slow.

_CODES = st.text(_CODE_ALPHABET, min_size=1, max_size=6)
_CHARS = st.characters(codec="utf-8", exclude_characters=_UNWRITABLE)
_TEXT = st.text(_CHARS, max_size=12)
_NAME = st.text(_CHARS, min_size=1, max_size=12).filter(lambda text: bool(text.strip()))


def codes() -> st.SearchStrategy[str]:
    """Codes: short non-empty text without spaces, with dashes, dots and an accent."""
    return _CODES


def texts(*, nonblank: bool = False) -> st.SearchStrategy[str]:
    """Any text a file must carry: quotes, backslashes, line breaks, controls, emoji.

    With ``nonblank``, the text holds something besides white space (a name).
    """
    return _NAME if nonblank else _TEXT


def _either(values: Sequence[T]) -> st.SearchStrategy[T | None]:
    return st.none() | st.sampled_from(values)


def _maybe(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


def _validity(start: date | None, days: int | None) -> Validity:
    end = None if start is None or days is None else start + timedelta(days=days)
    return Validity(start, end)


_VALIDITIES = st.builds(
    _validity,
    _maybe(st.dates(_FIRST, _LAST)),
    _maybe(st.integers(1, 3650)),
)


def validities() -> st.SearchStrategy[Validity]:
    """Validity of every kind: always, from a date, or between two dates."""
    return _VALIDITIES


_FIELD_VALUES: dict[FieldKind, st.SearchStrategy[Any]] = {
    FieldKind.STRING: _TEXT,
    FieldKind.DATE: st.dates(_FIRST, _LAST),
    FieldKind.NUMBER: st.integers(-(10**6), 10**6)
    | st.decimals(-(10**6), 10**6, allow_nan=False, allow_infinity=False, places=2),
}
_FIELD_KINDS = st.sampled_from(FieldKind)


@st.composite
def _custom_fields(draw: st.DrawFn) -> tuple[CustomField, ...]:
    names = draw(st.lists(st.sampled_from(_FIELD_NAMES), unique=True, max_size=3))
    found = []
    for name in names:
        kind = draw(_FIELD_KINDS)
        found.append(CustomField(name, kind, draw(_FIELD_VALUES[kind])))
    return tuple(found)


_CUSTOM_FIELDS = _custom_fields()


def custom_fields() -> st.SearchStrategy[tuple[CustomField, ...]]:
    """Up to three typed custom fields (text, numbers as int or Decimal, dates), names unique."""
    return _CUSTOM_FIELDS


def _images_of(alt_texts: list[str], default: int) -> tuple[Image, ...]:
    return tuple(
        Image(f"https://img.example/{i}.png", alt, default=i == default % len(alt_texts))
        for i, alt in enumerate(alt_texts)
    )


_IMAGES = st.just(()) | st.builds(
    _images_of, st.lists(_TEXT, min_size=1, max_size=4), st.integers(0, 3)
)


def images() -> st.SearchStrategy[tuple[Image, ...]]:
    """Up to four images; when there are any, exactly one is the default."""
    return _IMAGES


_ATTACHMENTS = st.lists(
    st.one_of(
        st.builds(Attachment, _NAME, _NAME, st.just(AttachmentKind.FILE)),
        st.builds(
            Attachment,
            _NAME,
            _CODES.map(lambda path: f"https://example.com/{path}"),
            st.just(AttachmentKind.URL),
        ),
    ),
    max_size=2,
    unique_by=lambda attachment: attachment.name,
).map(tuple)
_INSTANTS = st.datetimes(
    datetime(2000, 1, 1),
    datetime(2099, 12, 31),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2))]),
)


def _stamps(created: datetime | None, later: timedelta | None) -> dict[str, datetime | None]:
    if created is None:
        return {}
    return {"created_at": created, "modified_at": None if later is None else created + later}


_STAMPS = st.builds(
    _stamps, _maybe(_INSTANTS), _maybe(st.timedeltas(timedelta(0), timedelta(days=400)))
)

_PROVIDER_IDS = st.lists(
    st.builds(ProviderId, st.sampled_from(_PROVIDERS), _CODES),
    max_size=2,
    unique_by=lambda pid: pid.provider,
).map(tuple)


def _shapes() -> list[tuple[Classification, GoodKind | None, ServiceKind | None, Composition]]:
    """Every kind and composition seed 004's type table allows, each once.

    Flexible bundles are termed services or non-traceable goods; fixed bundles
    are termed services or physical goods.
    """
    kinds: list[tuple[Classification, GoodKind | None, ServiceKind | None]] = [
        *((SERVICE, None, kind) for kind in ServiceKind),
        *((GOOD, kind, None) for kind in GoodKind),
    ]
    found = []
    for classification, good_kind, service_kind in kinds:
        compositions = [FLAT]
        if service_kind is TERMED or good_kind is GoodKind.NON_TRACEABLE:
            compositions.append(Composition.FLEXIBLE_BUNDLE)
        if service_kind is TERMED or classification is GOOD:
            compositions.append(Composition.FIXED_BUNDLE)
        found += [(classification, good_kind, service_kind, c) for c in compositions]
    return found


def _product_type(
    code: str,
    name: str,
    shape: tuple[Classification, GoodKind | None, ServiceKind | None, Composition],
    record: str | None,
    meter: str | None,
    flags: tuple[bool, bool],
) -> ProductType:
    """A usage record type only for usage services; a meter reading type only for flat or
    fixed traceable goods."""
    classification, good_kind, service_kind, composition = shape
    takes_meter = good_kind is GoodKind.TRACEABLE and composition is not Composition.FLEXIBLE_BUNDLE
    return ProductType(
        code,
        name,
        classification,
        good_kind=good_kind,
        service_kind=service_kind,
        composition=composition,
        provisionable=flags[0],
        usage_record_type=record if service_kind is ServiceKind.USAGE else None,
        meter_reading_type=meter if takes_meter else None,
        customer_may_delete=flags[1],
    )


_PRODUCT_TYPES = st.builds(
    _product_type,
    _CODES,
    _NAME,
    st.sampled_from(_shapes()),
    _either(_RECORD_TYPES),
    _either(_METER_TYPES),
    st.tuples(st.booleans(), st.booleans()),
)


def product_types() -> st.SearchStrategy[ProductType]:
    """Product types that keep every usage condition of seed 004's type table."""
    return _PRODUCT_TYPES


_PRODUCT_FIELDS = st.fixed_dictionaries(
    {
        "code": _CODES,
        "name": _NAME,
        "alternative_code": _maybe(_CODES),
        "description": _TEXT,
        "long_description": _TEXT,
        "brand": _maybe(_NAME),
        "family": _either(_FAMILIES),
        "categories": st.frozensets(st.sampled_from(_CATEGORIES), max_size=3),
        "priority": _maybe(st.integers(0, 10)),
        "validity": _VALIDITIES,
        "availability": st.sampled_from(Availability),
        "tax_codes": st.lists(st.sampled_from(_TAXES), unique=True, max_size=2).map(tuple),
        "vat_code": _either(_TAXES),
        "display_class": _maybe(_NAME),
        "display_position": _maybe(st.integers(0, 50)),
        "applicable_on_numbers": st.booleans(),
        "applicable_on_features": st.frozensets(st.sampled_from(_FEATURES), max_size=2),
        "auto_add_to_customer": st.booleans(),
        "auto_remove_from_interests": st.booleans(),
        "custom_fields": _CUSTOM_FIELDS,
        "images": _IMAGES,
        "provider_ids": _PROVIDER_IDS,
        "attachments": _ATTACHMENTS,
        "fixed_term_days": _maybe(st.integers(1, 400)),
    }
).flatmap(lambda fields: _STAMPS.map(lambda stamps: {**fields, **stamps}))


def products(types: Sequence[ProductType]) -> st.SearchStrategy[Product]:
    """Products of one of ``types``, with every field drawn (each valid on its own).

    Codes are not made unique: a catalog draws a list unique by code.
    """
    return st.builds(
        lambda fields, type_code: Product(type_code=type_code, **fields),
        _PRODUCT_FIELDS,
        st.sampled_from([t.code for t in types]),
    )


def _policy(timing: CancellationTiming, renewals: int, refund: CreditMode, used: UsedDay) -> Any:
    counted = timing is CancellationTiming.AFTER_RENEWALS
    immediate = timing is CancellationTiming.IMMEDIATE
    return CancellationPolicy(
        timing, renewals if counted else None, refund if immediate else CreditMode.NONE, used
    )


_POLICIES: st.SearchStrategy[CancellationPolicy] = st.builds(
    _policy,
    st.sampled_from(CancellationTiming),
    st.integers(1, 5),
    st.sampled_from(CreditMode),
    st.sampled_from(UsedDay),
)


def cancellation_policies() -> st.SearchStrategy[CancellationPolicy]:
    """Valid policies: renewals only after renewals, refunds only when immediate."""
    return _POLICIES


def _companion(bundle_type: ProductType, code: str) -> ProductType:
    """A flat type whose products the bundle type may hold."""
    if bundle_type.is_termed_service:
        return ProductType(code, "Component", SERVICE, service_kind=TERMED)
    return ProductType(code, "Component", GOOD, good_kind=GoodKind.NON_TRACEABLE)


def _allowed(bundle_type: ProductType, part: ProductType) -> bool:
    """Seed 004's allowed-component table, as prodlife reads it; bundles never nest."""
    if part.is_bundle:
        return False
    if bundle_type.is_termed_service:
        return part.is_termed_service
    if bundle_type.good_kind is GoodKind.TRACEABLE:
        return part.classification is GOOD
    return part.good_kind is GoodKind.NON_TRACEABLE


_QUANTITIES = st.integers(1, 3)
_LOW = st.integers(0, 2)
_EXTRA = _maybe(st.integers(0, 2))
_LIMIT = _maybe(st.integers(1, 2))


@st.composite
def _bundle(
    draw: st.DrawFn,
    product: Product,
    candidates: list[Product],
    by_code: dict[str, Product],
    types: dict[str, ProductType],
) -> Bundle:
    if types[product.type_code].composition is Composition.FIXED_BUNDLE:
        parts = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=3, unique=True))
        return FixedBundle(product.code, tuple(Component(p.code, draw(_QUANTITIES)) for p in parts))
    keys = sorted({(PoolKind.TYPE, p.type_code) for p in candidates})
    keys += sorted({(PoolKind.FAMILY, p.family) for p in candidates if p.family is not None})
    keys += [(PoolKind.PRODUCT, p.code) for p in candidates]
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))
    pools = []
    for kind, key in chosen:
        low, extra = draw(_LOW), draw(_EXTRA)
        pools.append(Pool(kind, key, low, None if extra is None else low + extra))
    bundle = FlexibleBundle(product.code, tuple(pools), draw(_LIMIT), draw(_LIMIT))
    if find_selection(bundle, by_code, types) is None:
        # Every pool offers an allowed component, so without bounds or limits it can be filled.
        bundle = FlexibleBundle(product.code, tuple(Pool(kind, key) for kind, key in chosen))
    return bundle


@st.composite
def _ladder(draw: st.DrawFn) -> EditionLadder:
    codes_ = draw(st.lists(st.sampled_from(_EDITIONS), min_size=1, max_size=4, unique=True))
    moves = [(a, b) for a in codes_ for b in codes_ if a != b]
    forbidden = draw(st.frozensets(st.sampled_from(moves), max_size=2)) if moves else frozenset()
    editions = tuple(Edition(code, code.title(), draw(_EDITION_FEATURES)) for code in codes_)
    return EditionLadder("PLACEHOLDER", editions, forbidden)


_EDITION_FEATURES = st.lists(
    st.builds(Feature, st.sampled_from(_FEATURES), _TEXT, st.booleans()),
    max_size=3,
    unique_by=lambda feature: feature.name,
).map(tuple)


_LADDERS = _ladder()
_ADDON_FIELDS = st.fixed_dictionaries(
    {
        "code": _CODES,
        "name": _NAME,
        "cycle": billing_cycles(),
        "max_per_base": _maybe(st.integers(1, 5)),
        "custom_for": _either(_CUSTOMERS),
        "price": _maybe(money(max_minor_units=10**6, min_minor_units=0)),
        "description": _TEXT,
    }
)
_MONEY = money(max_minor_units=10**6, min_minor_units=0)


def _addon(fields: dict[str, Any], bases: frozenset[str], price: Money) -> AddOn:
    """An add-on on ``bases``; a custom one always has a price."""
    if fields["code"] in bases:  # an add-on is not its own base; "+" is in no drawn code
        fields = {**fields, "code": fields["code"] + "+"}
    if fields["custom_for"] is not None and fields["price"] is None:
        fields = {**fields, "price": price}
    return AddOn(bases=bases, **fields)


_RULE_FIELDS = st.fixed_dictionaries(
    {
        "timing": st.sampled_from(ChangeTiming),
        "from_edition": _either(_EDITIONS),
        "to_edition": _either(_EDITIONS),
        "from_category": _either(_CATEGORIES),
        "to_category": _either(_CATEGORIES),
        "from_cycle": _either(_CYCLES),
        "to_cycle": _either(_CYCLES),
        "direction": _either(list(Direction)),
        "name": _TEXT,
        "reason": _TEXT,
    }
)


def _change_rules(drawn: list[ChangeRule], timing: ChangeTiming, name: str) -> ChangeRules:
    kept: list[ChangeRule] = []
    for rule in drawn:
        # Keep only rules that can match: no catch-all before the end, none shadowed.
        if not rule.is_catch_all and not any(earlier.covers(rule) for earlier in kept):
            kept.append(rule)
    return ChangeRules((*kept, ChangeRule(timing, name=name)))


def _dedupe_alternatives(items: list[Product]) -> list[Product]:
    seen: set[str] = set()
    found = []
    for item in items:
        if item.alternative_code in seen:
            item = attrs.evolve(item, alternative_code=None)
        elif item.alternative_code is not None:
            seen.add(item.alternative_code)
        found.append(item)
    return found


@st.composite
def catalogs(draw: st.DrawFn, *, max_types: int = 4, max_products: int = 8) -> Catalog:
    """Valid catalogs with every kind of definition.

    Types keep seed 004's table; each bundle type comes with a flat type it may
    hold. Products have unique codes and alternative codes; each bundle product
    has a definition (a fixed bundle, or a flexible bundle a customer can fill,
    checked with :func:`~prodlife.catalog.find_selection`), and bundle products
    with no possible component are left out. Some products have editions; there
    are add-ons (some custom for a customer), and maybe change rules ending in a
    catch-all with no shadowed rule, and cancellation defaults.

    Args:
        max_types: the most product types drawn (companions for bundle types
            come on top).
        max_products: the most products.
    """
    drawn = draw(
        st.lists(_PRODUCT_TYPES, min_size=1, max_size=max_types, unique_by=lambda t: t.code)
    )
    types = {t.code: t for t in drawn}
    for bundle_type in [t for t in drawn if t.is_bundle]:
        code = draw(_CODES)
        if code not in types:
            types[code] = _companion(bundle_type, code)
    flat_types = [t for t in types.values() if not t.is_bundle]
    if not flat_types:
        flat_types = [_companion(drawn[0], "flat")]  # codes() never draws lower-case ASCII
        types["flat"] = flat_types[0]
    head = draw(products(flat_types))  # at least one product that needs no components
    rest = draw(
        st.lists(products(list(types.values())), max_size=max_products - 1, unique_by=_code)
    )
    items = _dedupe_alternatives([head, *(p for p in rest if p.code != head.code)])
    flat = [p for p in items if not types[p.type_code].is_bundle]
    candidates = {
        p.code: [q for q in flat if _allowed(types[p.type_code], types[q.type_code])]
        for p in items
        if types[p.type_code].is_bundle
    }
    kept = [p for p in items if candidates.get(p.code, True)]
    by_code = {p.code: p for p in kept}
    bundles = [
        draw(_bundle(p, candidates[p.code], by_code, types)) for p in kept if p.code in candidates
    ]
    product_codes = sorted(by_code)
    pick = st.sampled_from(product_codes)
    laddered = draw(st.lists(pick, unique=True, max_size=2))
    editions = [attrs.evolve(draw(_LADDERS), product_code=code) for code in laddered]
    addon = st.builds(_addon, _ADDON_FIELDS, st.frozensets(pick, min_size=1, max_size=3), _MONEY)
    addons = draw(st.lists(addon, max_size=3, unique_by=lambda a: a.code))
    rule = st.builds(
        lambda fields, a, b: ChangeRule(from_product=a, to_product=b, **fields),
        _RULE_FIELDS,
        _maybe(pick),
        _maybe(pick),
    )
    change_rules = draw(
        _maybe(
            st.builds(
                _change_rules, st.lists(rule, max_size=4), st.sampled_from(ChangeTiming), _TEXT
            )
        )
    )
    cancellation = draw(
        _maybe(
            st.builds(
                CancellationDefaults,
                _POLICIES,
                st.dictionaries(pick, _POLICIES, max_size=3),
            )
        )
    )
    return Catalog(
        tuple(types.values()),
        tuple(kept),
        tuple(editions),
        tuple(addons),
        tuple(bundles),
        change_rules,
        cancellation,
    )


def _code(product: Product) -> str:
    return product.code
