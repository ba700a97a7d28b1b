"""Products by code, also grouped by type and by family, for checks that run per bundle.

A flexible bundle's pools offer the products of a type or a family; looking
them up in groups built once keeps checking a catalog linear in its products,
however many bundles it has.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from prodlife.catalog.products import Product

__all__ = ["ProductIndex"]


class ProductIndex(dict[str, Product]):
    """A ``dict`` of products by code that also groups them by type and family."""

    def __init__(self, products: Iterable[Product] | Mapping[str, Product]) -> None:
        if isinstance(products, Mapping):  # products by code already: copied
            super().__init__(products)
        else:
            super().__init__((product.code, product) for product in products)
        self._groups: dict[tuple[str, str | None], list[Product]] | None = None

    def groups(self) -> dict[tuple[str, str | None], list[Product]]:
        """The products by type code and family, each group in code order (built once)."""
        if self._groups is None:
            groups: dict[tuple[str, str | None], list[Product]] = defaultdict(list)
            for code in sorted(self):
                product = self[code]
                groups[product.type_code, product.family].append(product)
            self._groups = dict(groups)
        return self._groups
