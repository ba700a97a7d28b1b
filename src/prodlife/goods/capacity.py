"""How many fixed bundles stock can make (seed 004's stock balance of bundle components).

Seed 004 shows, for a product that is a component of bundles, "the number of
bundles it is a component of" next to its stock balance. For each fixed bundle
holding the product, :func:`bundle_capacity` says how many bundles the
product's available stock is enough for, and how many the stock of all the
bundle's components can make together. Only loose stock counts: components
already inside kits are counted as kits. Available stock below zero makes none.

>>> from datetime import date
>>> from prodlife.goods import Stock, Warehouse
>>> from prodlife.catalog import (Catalog, Classification, Component, Composition,
...     GoodKind, Product, ProductType)
>>> loose = ProductType("PART", "Part", Classification.PHYSICAL_GOOD,
...                     good_kind=GoodKind.NON_TRACEABLE)
>>> kit = ProductType("KIT", "Kit", Classification.PHYSICAL_GOOD,
...                   good_kind=GoodKind.NON_TRACEABLE, composition=Composition.FIXED_BUNDLE)
>>> catalog = Catalog([loose, kit],
...     [Product("DISH", "Dish", "PART"), Product("REMOTE", "Remote", "PART"),
...      Product("SAT-KIT", "Satellite kit", "KIT")],
...     bundles=[FixedBundle("SAT-KIT", [Component("DISH"), Component("REMOTE", 2)])])
>>> stock = Stock([Warehouse("MAIN", "Main")])
>>> stock = stock.receive(catalog, "DISH", "MAIN", date(2025, 3, 1), 5)
>>> stock = stock.receive(catalog, "REMOTE", "MAIN", date(2025, 3, 1), 7)
>>> for c in bundle_capacity(stock, catalog, "REMOTE"):
...     print(c.bundle_code, c.from_component, c.bundles)
SAT-KIT 3 3
>>> bundle_capacity(stock, catalog, "DISH")[0].from_component
5
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from prodlife.catalog import Catalog, FixedBundle
from prodlife.goods.stock import Stock

__all__ = ["BundleCapacity", "bundle_capacity", "bundles_from_stock", "kit_family"]


@attrs.frozen(slots=True)
class BundleCapacity:
    """How many of one fixed bundle a component's stock is enough for.

    Attributes:
        bundle_code: the bundle product.
        component_code: the component asked about.
        per_bundle: how many of the component one bundle holds.
        available: the component's available stock.
        from_component: bundles the component's stock alone is enough for.
        bundles: bundles the stock of all its components can make together.
    """

    bundle_code: str
    component_code: str
    per_bundle: int
    available: int
    from_component: int
    bundles: int


def bundles_from_stock(stock: Stock, bundle: FixedBundle, warehouse: str | None = None) -> int:
    """How many ``bundle`` s the available stock of all its components can make.

    Args:
        stock: the stock.
        bundle: a fixed bundle.
        warehouse: one warehouse's stock, or ``None`` for all warehouses together.
    """
    return min(
        max(0, stock.balance(part.product_code, warehouse).available) // part.quantity
        for part in bundle.components
    )


def bundle_capacity(
    stock: Stock, catalog: Catalog, product_code: str, warehouse: str | None = None
) -> tuple[BundleCapacity, ...]:
    """For each fixed bundle holding ``product_code``, how many its stock is enough for.

    Args:
        stock: the stock.
        catalog: where the bundles are defined.
        product_code: the component.
        warehouse: one warehouse's stock, or ``None`` for all warehouses together.

    Returns:
        One :class:`BundleCapacity` per fixed bundle holding the product, by bundle code;
        empty when it is a component of none.
    """
    available = stock.balance(product_code, warehouse).available
    found = []
    for bundle in sorted(catalog.bundles, key=lambda b: b.product_code):
        if not isinstance(bundle, FixedBundle) or product_code not in bundle.quantities:
            continue
        per_bundle = bundle.quantities[product_code]
        found.append(
            BundleCapacity(
                bundle.product_code,
                product_code,
                per_bundle,
                available,
                max(0, available) // per_bundle,
                bundles_from_stock(stock, bundle, warehouse),
            )
        )
    return tuple(found)


def kit_family(catalog: Catalog, product_codes: Iterable[str]) -> list[str]:
    """The products whose movements a stock moving ``product_codes`` needs, by code: each
    product, the fixed bundles (kits) holding it and, for a kit, its components (so that
    kits' serial numbers are checked against loose units')."""
    given = set(product_codes)
    codes = set(given)
    for bundle in catalog.bundles:
        if not isinstance(bundle, FixedBundle):
            continue
        if bundle.product_code in given:
            codes |= set(bundle.quantities)
        if given & set(bundle.quantities):
            codes.add(bundle.product_code)
    return sorted(codes)
