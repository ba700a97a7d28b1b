"""Fuzzing the shared converter: ``make_converter().structure(data, Kind)`` for every public
attrs class prodlife has, with data of any shape.

Data is data: whatever it holds, ``structure`` returns a value that prints or raises a
ProdlifeError (``InvalidData`` listing each problem with its path, or the error of the value
at fault), never a cattrs error, ``KeyError``, ``AttributeError``, ``RecursionError`` nor a
``decimal`` signal; and the same on the strict converter catalog files are read with.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from typing import Any

import attrs
import pytest
from cattrs.errors import StructureHandlerNotFoundError
from hypothesis import given
from hypothesis import strategies as st

import prodlife
from prodlife.catalog import catalog_to_data
from prodlife.errors import ProdlifeError
from prodlife.money import Money
from prodlife.periods import Period
from prodlife.pricing import PricePlan
from prodlife.serialization import InvalidData, make_converter
from prodlife.testing.catalogs import catalogs
from tests._fuzz import HOSTILE_TEXT, junk
from tests.test_fuzz_documents import _DEEP, _PLAIN, _spoilt

CONVERTERS = {"lenient": make_converter(), "strict": make_converter(strict=True)}
#: Subpackages whose classes are not values read from data.
_NOT_DATA = ("prodlife.stores", "prodlife.testing", "prodlife.cli", "prodlife.__main__")


def _public_attrs_classes() -> list[type]:
    """Every attrs class named in the ``__all__`` of a public prodlife module."""
    found: dict[str, type] = {}
    for module in pkgutil.walk_packages(prodlife.__path__, "prodlife."):
        parts = module.name.split(".")[1:]
        if any(part.startswith("_") for part in parts) or module.name.startswith(_NOT_DATA):
            continue
        loaded = importlib.import_module(module.name)
        for name in getattr(loaded, "__all__", ()):
            value = getattr(loaded, name, None)
            if isinstance(value, type) and attrs.has(value):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


def _readable(kind: type) -> bool:
    """Whether the converters read ``kind`` at all (services, for one, are read by
    ``service_from_data`` through a converter of their own)."""
    try:
        for converter in CONVERTERS.values():
            converter.get_structure_hook(kind)
    except StructureHandlerNotFoundError:
        return False
    return True


KINDS = [kind for kind in _public_attrs_classes() if _readable(kind)]
#: Read by readers of their own (``service_from_data``), or not read from data at all.
UNREAD = [kind for kind in _public_attrs_classes() if not _readable(kind)]


def test_the_fuzzed_kinds_are_the_values_prodlife_reads() -> None:
    names = {kind.__name__ for kind in KINDS}
    assert {"Money", "Period", "Product", "PricePlan", "Promotion", "Catalog"} <= names
    assert len(KINDS) >= 100


def _fields_of(kind: type) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping with some of ``kind``'s own keys (so reading gets past the first check),
    each holding junk, and sometimes a key it does not have."""
    names = [field.name for field in attrs.fields(kind)]
    keys = st.sampled_from(names) if names else st.text(max_size=4)
    value = st.one_of(_PLAIN, junk(), st.sampled_from(HOSTILE_TEXT))
    return st.dictionaries(keys | st.text(max_size=4), value, max_size=len(names) + 1)


def attempt(converter_name: str, data: Any, kind: type) -> None:
    """Read ``data`` as a ``kind``: a value that prints, or a ProdlifeError."""
    try:
        result: object = CONVERTERS[converter_name].structure(data, kind)
    except ProdlifeError as error:
        result = error
    if isinstance(result, InvalidData):
        assert result.problems, "an InvalidData lists its problems"
        assert all(path.startswith("$") for path, _ in result.problems)
    str(result)
    repr(result)


_CONVERTER_NAMES = st.sampled_from(sorted(CONVERTERS))
_KINDS = st.sampled_from(KINDS)


@given(_CONVERTER_NAMES, _KINDS, st.one_of(_PLAIN, junk(), _DEEP))
def test_junk_of_any_shape_is_read_or_refused_as_every_kind(
    converter_name: str, kind: type, data: Any
) -> None:
    attempt(converter_name, data, kind)


@given(_CONVERTER_NAMES, _KINDS.flatmap(lambda kind: st.tuples(st.just(kind), _fields_of(kind))))
def test_a_mapping_of_a_kinds_keys_holding_junk_is_read_or_refused(
    converter_name: str, case: tuple[type, dict[str, Any]]
) -> None:
    kind, data = case
    attempt(converter_name, data, kind)


@given(
    _CONVERTER_NAMES,
    catalogs(max_products=2).flatmap(
        lambda catalog: _spoilt(
            (catalog_to_data(catalog).get("price_plans") or [{}])[0],
            st.one_of(_PLAIN, junk(), _DEEP),
        )
    ),
)
def test_a_spoilt_price_plan_is_read_or_refused(converter_name: str, data: Any) -> None:
    attempt(converter_name, data, PricePlan)


@pytest.mark.parametrize("converter_name", sorted(CONVERTERS))
@pytest.mark.parametrize(
    ("data", "kind", "where"),
    [
        ({"amount": "10.50"}, Money, "$"),
        ({"start": "2025-01-01"}, Period, "$"),
        ([1, 2], Period, "$"),
        ({"code": "P", "rates": "lots"}, PricePlan, "$."),
    ],
)
def test_data_that_is_not_the_value_is_invalid_data_naming_where(
    converter_name: str, data: Any, kind: type, where: str
) -> None:
    with pytest.raises(ProdlifeError) as raised:
        CONVERTERS[converter_name].structure(json.loads(json.dumps(data)), kind)
    if isinstance(raised.value, InvalidData):
        assert raised.value.kind is kind
        assert any(path.startswith(where) for path, _ in raised.value.problems)
        assert str(raised.value).startswith(f"cannot read {kind.__name__} from the data")


@pytest.mark.parametrize("converter_name", sorted(CONVERTERS))
@pytest.mark.parametrize("kind", UNREAD, ids=[kind.__name__ for kind in UNREAD])
def test_a_kind_the_converter_does_not_read_is_a_type_error(
    converter_name: str, kind: type
) -> None:
    with pytest.raises(TypeError, match="the converter does not read"):
        CONVERTERS[converter_name].structure({}, kind)
