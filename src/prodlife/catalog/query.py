"""Finding products: :class:`ProductQuery`, the filters of seed 003's product list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import attrs

from prodlife.catalog.products import Availability, Product
from prodlife.errors import ValidationError

__all__ = ["ProductQuery"]


def _optional(kind: type) -> Callable[[Any, Any, Any], None]:
    """An attrs validator: ``None`` or a ``kind``."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is not None and (
            not isinstance(value, kind) or (kind is date and isinstance(value, datetime))
        ):
            raise ValidationError(
                f"product query {attribute.name} {value!r} must be a {kind.__name__} or None"
            )

    return check


@attrs.frozen(slots=True)
class ProductQuery:
    """Which products :meth:`Catalog.find_products` returns: those matching every filter given.

    Args:
        type_code: of this product type.
        family: in this family.
        category: in this category.
        brand: of this brand.
        availability: with this availability (active, hidden, historic).
        offered_on: that can be sold in new business on this day.
        text: with this text in the code, alternative code or name (ignoring case).

    Raises:
        ValidationError: a filter is not of its type (text, an Availability, a date) or None.
    """

    type_code: str | None = attrs.field(default=None, validator=_optional(str))
    family: str | None = attrs.field(default=None, validator=_optional(str))
    category: str | None = attrs.field(default=None, validator=_optional(str))
    brand: str | None = attrs.field(default=None, validator=_optional(str))
    availability: Availability | None = attrs.field(default=None, validator=_optional(Availability))
    offered_on: date | None = attrs.field(default=None, validator=_optional(date))
    text: str | None = attrs.field(default=None, validator=_optional(str))

    def matches(self, product: Product) -> bool:
        """Whether ``product`` passes every filter."""
        text = None if self.text is None else self.text.casefold()
        return (
            (self.type_code is None or product.type_code == self.type_code)
            and (self.family is None or product.family == self.family)
            and (self.category is None or self.category in product.categories)
            and (self.brand is None or product.brand == self.brand)
            and (self.availability is None or product.availability is self.availability)
            and (self.offered_on is None or product.is_offered_on(self.offered_on))
            and (
                text is None
                or text in product.code.casefold()
                or text in product.name.casefold()
                or (
                    product.alternative_code is not None
                    and text in product.alternative_code.casefold()
                )
            )
        )
