"""Reading a product from plain data quickly, for catalogs of many thousand products.

cattrs with detailed validation, then ``Product``'s own converters and checks,
cost about 30 µs a product: 3 s for a catalog of 100,000. This module reads the
data :func:`~prodlife.catalog.catalog_to_data` writes (JSON's or TOML's own
types, never a subclass; known keys only) straight into the product's slots, and
then checks it with :func:`~prodlife.catalog.check_product`, the same rules its
constructor runs. It accepts a subset of what the strict path accepts and builds
an equal product; on any surprise (a key unknown or of another type, a rule
broken) it raises :class:`Slow`, and the strict path reads the definition, so
every problem and its message come from there. tests/test_catalog_files_fast.py
compares both paths.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from prodlife._fast import builder, kept
from prodlife.catalog.products import (
    Availability,
    CustomField,
    FieldKind,
    Image,
    Product,
    ProviderId,
    Validity,
    check_product,
)
from prodlife.catalog.records import Attachment, AttachmentKind
from prodlife.errors import ProdlifeError
from prodlife.money import to_decimal

__all__ = ["Slow", "product_from_plain", "product_to_plain"]


class Slow(Exception):
    """The fast path does not take this definition; the strict path reads it."""


T = TypeVar("T")
_FIELDS = tuple(field.name for field in attrs.fields(Product))
_FIELD = builder(CustomField, "name", "kind", "value")
_BUILD = builder(Product, *_FIELDS)
_KNOWN = frozenset(_FIELDS)
_AVAILABILITY = {member.value: member for member in Availability}
_KINDS = {member.value: member for member in FieldKind}
_NO_VALIDITY = Validity()
_VALIDITIES: dict[tuple[object, object], Validity] = {}
# The keys of nested tables, and the types of a validity's bounds (constants: checked per product).
_BOUNDS = frozenset({"start", "end"})
_BOUND_TYPES = (str, date, type(None))
_FIELD_KEYS = frozenset({"name", "kind", "value"})
_IMAGE_KEYS = frozenset({"url", "alt_text", "default"})
_PROVIDER_KEYS = frozenset({"provider", "external_id"})


def _text(value: object) -> str:
    if type(value) is not str:
        raise Slow
    return value


def _texts(value: object) -> list[str]:
    if type(value) is not list:
        raise Slow
    for item in value:
        if type(item) is not str:
            raise Slow
    return value


def _day(value: object) -> date | None:
    if value is None or type(value) is date:
        return value
    if type(value) is not str or "T" in value:
        raise Slow
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Slow from None


def _validity(value: object) -> Validity:
    if type(value) is not dict or not value.keys() <= _BOUNDS:
        raise Slow
    key = (value.get("start"), value.get("end"))
    if type(key[0]) not in _BOUND_TYPES or type(key[1]) not in _BOUND_TYPES:
        raise Slow
    found = _VALIDITIES.get(key)
    return kept(_VALIDITIES, key, Validity(_day(key[0]), _day(key[1]))) if found is None else found


def _custom_field(value: object) -> CustomField:
    if type(value) is not dict or value.keys() != _FIELD_KEYS:
        raise Slow
    kind = _KINDS.get(value["kind"]) if type(value["kind"]) is str else None
    raw = value["value"]
    result: str | Decimal | int | date | None
    if kind is FieldKind.STRING:
        result = raw if type(raw) is str else None
    elif kind is FieldKind.NUMBER:
        if type(raw) is int:
            result = raw
        elif type(raw) is str:
            try:
                result = to_decimal(raw)
            except ProdlifeError:
                raise Slow from None
        else:
            result = None
    elif kind is FieldKind.DATE:
        result = _day(raw)
    else:
        result = None
    if result is None:
        raise Slow
    return _FIELD(_text(value["name"]), kind, result)


def _image(value: object) -> Image:
    if type(value) is not dict or not value.keys() <= _IMAGE_KEYS:
        raise Slow
    default = value.get("default", False)
    if type(default) is not bool:
        raise Slow
    return Image(_text(value.get("url")), _text(value.get("alt_text", "")), default)


def _provider_id(value: object) -> ProviderId:
    if type(value) is not dict or value.keys() != _PROVIDER_KEYS:
        raise Slow
    return ProviderId(_text(value["provider"]), _text(value["external_id"]))


_ATTACHMENT_KINDS = {member.value: member for member in AttachmentKind}


def _attachment(value: object) -> Attachment:
    if type(value) is not dict or not {"name", "location"} <= value.keys() <= _ATTACHMENT_KEYS:
        raise Slow
    kind = value.get("kind", "file")
    if type(kind) is not str or kind not in _ATTACHMENT_KINDS:
        raise Slow
    return Attachment(_text(value["name"]), _text(value["location"]), _ATTACHMENT_KINDS[kind])


_ATTACHMENT_KEYS = frozenset({"name", "location", "kind"})


def _instant(value: object) -> datetime | None:
    if value is None:
        return None
    if type(value) is not str or "T" not in value:
        raise Slow
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise Slow from None
    if instant.utcoffset() is None:
        raise Slow
    return instant if instant.tzinfo is UTC else instant.astimezone(UTC)


_EMPTY: frozenset[str] = frozenset()


#: The sets and lists of codes products repeat (categories, tax codes...), each kept once:
#: fewer values to build, and fewer for the garbage collector to visit after a load.
_SETS: dict[tuple[str, ...], frozenset[str]] = {}
_TUPLES: dict[tuple[str, ...], tuple[str, ...]] = {}


def _frozen(value: object) -> frozenset[str]:
    codes = tuple(_texts(value))
    found = _SETS.get(codes)
    return kept(_SETS, codes, frozenset(codes)) if found is None else found


def _tuple(value: object) -> tuple[str, ...]:
    codes = tuple(_texts(value))
    found = _TUPLES.get(codes)
    return kept(_TUPLES, codes, codes) if found is None else found


def _each(read: Callable[[object], T], value: object) -> tuple[T, ...]:
    if type(value) is not list:
        raise Slow
    return tuple(map(read, value))


def product_from_plain(raw: dict[str, Any]) -> Product:
    """The product ``raw`` describes, or :class:`Slow` for the strict path to read it.

    Raises:
        Slow: ``raw`` holds anything but the keys and exact types
            :func:`~prodlife.catalog.catalog_to_data` writes, or the product
            breaks a rule.
    """
    if not _ENABLED or not raw.keys() <= _KNOWN:
        raise Slow
    # The checks are written out, not called: a catalog has 100,000 products.
    get = raw.get
    code, name, type_code = get("code"), get("name"), get("type_code")
    description, long_description = get("description", ""), get("long_description", "")
    if (
        type(code) is not str
        or type(name) is not str
        or type(type_code) is not str
        or type(description) is not str
        or type(long_description) is not str
    ):
        raise Slow
    alternative_code, brand, family = get("alternative_code"), get("brand"), get("family")
    vat_code, display_class = get("vat_code"), get("display_class")
    for text in (alternative_code, brand, family, vat_code, display_class):
        if text is not None and type(text) is not str:
            raise Slow
    priority, position = get("priority"), get("display_position")
    if (priority is not None and type(priority) is not int) or (
        position is not None and type(position) is not int
    ):
        raise Slow
    numbers = get("applicable_on_numbers", False)
    add = get("auto_add_to_customer", False)
    remove = get("auto_remove_from_interests", False)
    if type(numbers) is not bool or type(add) is not bool or type(remove) is not bool:
        raise Slow
    availability = get("availability", "active")
    if type(availability) is not str or availability not in _AVAILABILITY:
        raise Slow
    # An absent key reads as its default without a call (a file leaves defaults out); an
    # explicit null is not absent: the strict path says what is wrong with it.
    categories, features = get("categories", _NONE), get("applicable_on_features", _NONE)
    tax_codes, fields = get("tax_codes", _NONE), get("custom_fields", _NONE)
    images, providers = get("images", _NONE), get("provider_ids", _NONE)
    attachments = get("attachments", _NONE)
    created, modified = get("created_at"), get("modified_at")
    term, limit, may_change = (
        get("fixed_term_days"),
        get("max_per_customer"),
        get("customer_may_change_package", True),
    )
    if (term is not None and type(term) is not int) or (
        limit is not None and type(limit) is not int
    ):
        raise Slow
    product = _BUILD(
        code,
        name,
        type_code,
        alternative_code,
        description,
        long_description,
        brand,
        family,
        _EMPTY if categories is _NONE else _frozen(categories),
        priority,
        _NO_VALIDITY if "validity" not in raw else _validity(raw["validity"]),
        _AVAILABILITY[availability],
        () if tax_codes is _NONE else _tuple(tax_codes),
        vat_code,
        display_class,
        position,
        numbers,
        _EMPTY if features is _NONE else _frozen(features),
        add,
        remove,
        () if fields is _NONE else _each(_custom_field, fields),
        () if images is _NONE else _each(_image, images),
        () if providers is _NONE else _each(_provider_id, providers),
        None if created is None else _instant(created),
        None if modified is None else _instant(modified),
        () if attachments is _NONE else _each(_attachment, attachments),
        term,
        _flag(may_change),
        limit,
    )
    if check_product(product):
        raise Slow
    return product


def _day_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _field_text(field: CustomField) -> dict[str, str]:
    value = field.value
    text = value.isoformat() if isinstance(value, date) else str(value)
    return {"name": field.name, "kind": field.kind.value, "value": text}


def product_to_plain(product: Product) -> dict[str, Any]:
    """The plain data of ``product``, exactly as the converter writes it with ``None`` left out.

    Written by hand: a catalog of 100,000 products is written in a fraction of
    the converter's time. tests/test_catalog_files_fast.py compares the two.
    """
    p = product
    validity = {"start": _day_text(p.validity.start), "end": _day_text(p.validity.end)}
    data: dict[str, Any] = {
        "code": p.code,
        "name": p.name,
        "type_code": p.type_code,
        "alternative_code": p.alternative_code,
        "description": p.description,
        "long_description": p.long_description,
        "brand": p.brand,
        "family": p.family,
        "categories": sorted(p.categories),
        "priority": p.priority,
        "validity": {key: value for key, value in validity.items() if value is not None},
        "availability": p.availability.value,
        "tax_codes": list(p.tax_codes),
        "vat_code": p.vat_code,
        "display_class": p.display_class,
        "display_position": p.display_position,
        "applicable_on_numbers": p.applicable_on_numbers,
        "applicable_on_features": sorted(p.applicable_on_features),
        "auto_add_to_customer": p.auto_add_to_customer,
        "auto_remove_from_interests": p.auto_remove_from_interests,
        "custom_fields": [_field_text(field) for field in p.custom_fields],
        "images": [{"url": i.url, "alt_text": i.alt_text, "default": i.default} for i in p.images],
        "provider_ids": [
            {"provider": i.provider, "external_id": i.external_id} for i in p.provider_ids
        ],
        "created_at": None if p.created_at is None else p.created_at.isoformat(),
        "modified_at": None if p.modified_at is None else p.modified_at.isoformat(),
        "attachments": [
            {"name": a.name, "location": a.location, "kind": a.kind.value} for a in p.attachments
        ],
        "fixed_term_days": p.fixed_term_days,
        "customer_may_change_package": p.customer_may_change_package,
        "max_per_customer": p.max_per_customer,
    }
    return {key: value for key, value in data.items() if value is not None}


def _flag(value: object) -> bool:
    if type(value) is not bool:
        raise Slow
    return value


#: What an absent key reads as, told apart from an explicit null.
_NONE: list[Any] = []
#: The fields this module fills, in order; a product with other fields turns it off.
_ENABLED = _FIELDS == (
    "code",
    "name",
    "type_code",
    "alternative_code",
    "description",
    "long_description",
    "brand",
    "family",
    "categories",
    "priority",
    "validity",
    "availability",
    "tax_codes",
    "vat_code",
    "display_class",
    "display_position",
    "applicable_on_numbers",
    "applicable_on_features",
    "auto_add_to_customer",
    "auto_remove_from_interests",
    "custom_fields",
    "images",
    "provider_ids",
    "created_at",
    "modified_at",
    "attachments",
    "fixed_term_days",
    "customer_may_change_package",
    "max_per_customer",
)
