"""Which definitions read from a file to keep out of the checks across definitions.

When a definition cannot be read, the definitions naming it would be reported
again by the catalog check (an unknown type, an unknown product, an empty
pool...): follow-on problems that vanish once the first one is fixed. They are
left out of that check, so each mistake is reported once, where it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from prodlife.catalog.addons import AddOn
from prodlife.catalog.bundles import FixedBundle, FlexibleBundle, PoolKind
from prodlife.catalog.cancellation_policies import CancellationDefaults
from prodlife.catalog.change_rules import ChangeRules
from prodlife.catalog.editions import EditionLadder
from prodlife.catalog.products import Product
from prodlife.catalog.types import ProductType

__all__ = ["without_follow_ons"]

T = TypeVar("T")

#: The namespaces definitions name each other in.
NAMESPACES = ("types", "products", "bundles")


def without_follow_ons(
    parts: dict[str, Any], failed: dict[str, set[str]], anonymous: set[str]
) -> dict[str, Any]:
    """``parts`` without the definitions that name one that could not be read.

    Args:
        parts: the definitions read, by section (as :class:`Catalog` takes them).
        failed: per namespace (types, products, bundles), the codes of the
            definitions that could not be read.
        anonymous: the namespaces where a definition without a readable code
            failed: any code not defined there may have been that one.

    Returns:
        The parts to check across definitions. A definition left out is not
        reported at all this time; it is checked once its neighbour is fixed.
    """
    types: tuple[ProductType, ...] = parts["types"]
    products: tuple[Product, ...] = parts["products"]
    bundles: tuple[FixedBundle | FlexibleBundle, ...] = parts["bundles"]
    if not any(failed.values()) and not anonymous:
        return parts
    defined = {
        "types": {t.code for t in types},
        "products": {p.code for p in products},
        "bundles": {b.product_code for b in bundles},
    }
    bad = {name: set(failed.get(name, ())) for name in NAMESPACES}

    def gone(namespace: str, code: str) -> bool:
        return code in bad[namespace] or (namespace in anonymous and code not in defined[namespace])

    type_of = {t.code: t for t in types}

    def product_gone(product: Product) -> bool:
        kind = type_of.get(product.type_code)
        return gone("types", product.type_code) or (
            kind is not None and kind.is_bundle and gone("bundles", product.code)
        )

    def bundle_gone(bundle: FixedBundle | FlexibleBundle) -> bool:
        if gone("products", bundle.product_code):
            return True
        if isinstance(bundle, FixedBundle):
            return any(gone("products", c.product_code) for c in bundle.components)
        for pool in bundle.pools:
            if pool.kind is PoolKind.PRODUCT and gone("products", pool.key):
                return True
            if pool.kind is PoolKind.TYPE and gone("types", pool.key):
                return True
            # A pool of a type or family offers whatever products of it were read.
            if pool.kind is not PoolKind.PRODUCT and (bad["products"] or "products" in anonymous):
                return True
        return False

    kept_products, kept_bundles = list(products), list(bundles)
    changed = True
    while changed:
        changed = False
        kept_products, dropped = _split(kept_products, product_gone)
        bad["products"] |= {p.code for p in dropped}
        kept_bundles, gone_bundles = _split(kept_bundles, bundle_gone)
        bad["bundles"] |= {b.product_code for b in gone_bundles}
        changed = bool(dropped or gone_bundles)
    ladders: tuple[EditionLadder, ...] = parts["editions"]
    addons: tuple[AddOn, ...] = parts["addons"]
    rules: ChangeRules | None = parts.get("change_rules")
    cancellation: CancellationDefaults | None = parts.get("cancellation")
    kept: dict[str, Any] = {
        **parts,
        "products": tuple(kept_products),
        "bundles": tuple(kept_bundles),
        "editions": tuple(e for e in ladders if not gone("products", e.product_code)),
        "addons": tuple(a for a in addons if not any(gone("products", b) for b in a.bases)),
    }
    if rules is not None and any(
        gone("products", code)
        for rule in rules.rules
        for code in (rule.from_product, rule.to_product)
        if code is not None
    ):
        kept["change_rules"] = None
    if cancellation is not None and any(
        gone("products", code) for code, _ in cancellation.per_product
    ):
        kept["cancellation"] = None
    return kept


def _split(items: list[T], drop: Callable[[T], bool]) -> tuple[list[T], list[T]]:
    kept: list[T] = []
    dropped: list[T] = []
    for item in items:
        (dropped if drop(item) else kept).append(item)
    return kept, dropped
