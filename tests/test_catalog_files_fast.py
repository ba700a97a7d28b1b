"""The fast path for products in catalog data agrees with the converter: it writes the same
data, reads the same products, and hands everything else to the strict path."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlife.catalog import Catalog, Product, catalog_from_data
from prodlife.catalog._fast_products import Slow, product_from_plain, product_to_plain
from prodlife.catalog.data import _compact
from prodlife.errors import InvalidCatalog
from prodlife.serialization import make_converter
from prodlife.testing.catalogs import catalogs

CONVERTER = make_converter()
STRICT = make_converter(strict=True)


def strict(raw: Any) -> Product | None:
    """The strict path's product, or ``None`` when it refuses the data."""
    try:
        product: Product = STRICT.structure(raw, Product)
    except Exception:
        return None
    return product


@settings(max_examples=max(settings().max_examples // 4, 5))
@given(catalogs())
def test_products_are_written_as_the_converter_writes_them(catalog: Catalog) -> None:
    for product in catalog.products:
        assert product_to_plain(product) == _compact(CONVERTER.unstructure(product))


@settings(max_examples=max(settings().max_examples // 4, 5))
@given(catalogs())
def test_products_are_read_as_the_strict_path_reads_them(catalog: Catalog) -> None:
    for product in catalog.products:
        plain = product_to_plain(product)
        assert product_from_plain(plain) == strict(plain) == product


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.sampled_from(["2025-01-01", "2025-01-01T00:00:00", "active", "historic", "number", ""]),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(
        st.sampled_from(["start", "end", "name", "kind", "value"]), st.text(max_size=10)
    ),
    st.just(date(2025, 1, 1)),
)


@settings(max_examples=max(settings().max_examples // 2, 5))
@given(catalogs(), st.data())
def test_a_changed_product_is_read_alike_or_left_to_the_strict_path(
    catalog: Catalog, data: st.DataObject
) -> None:
    if not catalog.products:
        return
    product = data.draw(st.sampled_from(catalog.products))
    plain = product_to_plain(product)
    changed = copy.deepcopy(plain)
    key = data.draw(st.sampled_from([*plain, "colour"]))
    if data.draw(st.booleans()) and key in changed:
        del changed[key]
    else:
        changed[key] = data.draw(_VALUES)
    try:
        fast = product_from_plain(changed)
    except Slow:
        return
    assert fast == strict(changed)


@pytest.mark.parametrize(
    "change",
    [
        {"name": "   "},
        {"validity": {"start": "2025-02-01", "end": "2025-01-01"}},
        {"custom_fields": [{"name": "x", "kind": "number", "value": 1.5}]},
        {"priority": True},
        {"availability": "gone"},
        {"code": " HBO"},
    ],
)
def test_what_the_fast_path_refuses_the_strict_path_reports(change: dict[str, Any]) -> None:
    raw = {"code": "HBO", "name": "HBO", "type_code": "CH", **change}
    with pytest.raises(Slow):
        product_from_plain(raw)
    types = [{"code": "CH", "name": "CH", "classification": "service", "service_kind": "termed"}]
    with pytest.raises(InvalidCatalog):
        catalog_from_data({"types": types, "products": [raw]})
