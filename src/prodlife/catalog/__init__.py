"""The catalog: product types, products, editions, add-ons, bundles, change rules, versions."""

from prodlife.catalog.editions import Direction, Edition, EditionLadder, check_edition_ladder
from prodlife.catalog.products import (
    Availability,
    CustomField,
    FieldKind,
    Image,
    Product,
    ProviderId,
    Validity,
    check_product,
    copy_product,
)
from prodlife.catalog.types import (
    Classification,
    Composition,
    GoodKind,
    ProductType,
    ServiceKind,
    check_product_type,
)

__all__ = [
    "Availability",
    "Classification",
    "Composition",
    "CustomField",
    "Direction",
    "Edition",
    "EditionLadder",
    "FieldKind",
    "GoodKind",
    "Image",
    "Product",
    "ProductType",
    "ProviderId",
    "ServiceKind",
    "Validity",
    "check_edition_ladder",
    "check_product",
    "check_product_type",
    "copy_product",
]
