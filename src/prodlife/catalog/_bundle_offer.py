"""What a flexible bundle offers: the allowed components its pools offer, grouped in classes.

Products counting against the same pools, of one family and one type, are
interchangeable for :mod:`prodlife.catalog._bundle_search`: they form one class,
represented by the first of them by code. Given a
:class:`~prodlife.catalog._index.ProductIndex`, the classes come from its
groups (one per type and family), not from every product: checking many
bundles over a large catalog stays linear in its products.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prodlife._text import with_article
from prodlife.catalog._bundle_search import _Class
from prodlife.catalog._index import ProductIndex
from prodlife.catalog.products import Product
from prodlife.catalog.types import Classification, GoodKind, ProductType

if TYPE_CHECKING:
    from collections.abc import Mapping

    from prodlife.catalog.bundles import FlexibleBundle

__all__ = ["classes_of", "offered", "refusal", "traits", "type_of"]


def type_of(
    code: str, products: Mapping[str, Product], types: Mapping[str, ProductType]
) -> ProductType | None:
    """The type of product ``code``, when both exist."""
    product = products.get(code)
    return None if product is None else types.get(product.type_code)


def refusal(bundle_type: ProductType | None, part: ProductType) -> str | None:
    """Why the allowed-component table refuses ``part`` in a bundle, or ``None``."""
    if part.is_bundle:
        return f"bundles cannot be nested, and {part.code!r} is a {part.composition.value} type"
    if bundle_type is None or not bundle_type.is_bundle:
        return None
    if bundle_type.is_termed_service:
        wanted, fits = "termed services", part.is_termed_service
    elif bundle_type.good_kind is GoodKind.TRACEABLE:
        wanted, fits = "physical goods", part.classification is Classification.PHYSICAL_GOOD
    elif bundle_type.good_kind is GoodKind.NON_TRACEABLE:
        wanted, fits = "non-traceable physical goods", part.good_kind is GoodKind.NON_TRACEABLE
    else:
        return None
    return (
        None
        if fits
        else f"{with_article(bundle_type.describes)} bundle takes flat {wanted}, "
        f"not {with_article(part.describes)}"
    )


def offered(
    bundle: FlexibleBundle, products: Mapping[str, Product], types: Mapping[str, ProductType]
) -> list[Product]:
    """The products a selection may hold, by code: allowed components some pool offers."""
    bundle_type = type_of(bundle.product_code, products, types)
    return [
        p
        for _, p in sorted(products.items())
        if p.type_code in types
        and refusal(bundle_type, types[p.type_code]) is None
        and any(pool.offers(p) for pool in bundle.pools)
    ]


def traits(product: Product) -> tuple[str | None, str]:
    """What the limits count: the product's family, and its type."""
    return product.family, product.type_code


def _hits(bundle: FlexibleBundle) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """The index of the first pool of each kind offering a key: product, type, family."""
    from prodlife.catalog.bundles import PoolKind  # here: bundles imports this module

    found: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})
    kinds = (PoolKind.PRODUCT, PoolKind.TYPE, PoolKind.FAMILY)
    for i, pool in enumerate(bundle.pools):
        found[kinds.index(pool.kind)].setdefault(pool.key, i)
    return found


def classes_of(
    bundle: FlexibleBundle, products: Mapping[str, Product], types: Mapping[str, ProductType]
) -> list[_Class]:
    """The classes of what ``bundle`` offers, in the order of their first product's code."""
    by_product, by_type, by_family = _hits(bundle)
    if not isinstance(products, ProductIndex):
        found: dict[object, _Class] = {}
        for p in offered(bundle, products, types):
            hits = (
                by_product.get(p.code),
                by_type.get(p.type_code),
                None if p.family is None else by_family.get(p.family),
            )
            key = p.code if hits[0] is not None else (p.type_code, p.family)
            found.setdefault(key, _Class(p.code, traits(p), hits))
        return list(found.values())
    bundle_type = type_of(bundle.product_code, products, types)

    def allowed(type_code: str) -> bool:
        return type_code in types and refusal(bundle_type, types[type_code]) is None

    classes = []
    for code, index in by_product.items():
        part = products.get(code)
        if part is not None and allowed(part.type_code):
            hits = (
                index,
                by_type.get(part.type_code),
                None if part.family is None else by_family.get(part.family),
            )
            classes.append(_Class(part.code, traits(part), hits))
    for (type_code, family), members in products.groups().items():
        in_type = by_type.get(type_code)
        in_family = None if family is None else by_family.get(family)
        if (in_type is None and in_family is None) or not allowed(type_code):
            continue
        first = next((p for p in members if p.code not in by_product), None)
        if first is not None:
            classes.append(_Class(first.code, (family, type_code), (None, in_type, in_family)))
    return sorted(classes, key=lambda c: c.code)
