"""Catalog files are read strictly: a misspelt key is refused with the key it probably meant,
a bad value is named with the allowed ones, each mistake is reported once, and whatever a file
holds, reading it raises nothing but prodlife's own errors."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlife.catalog import Catalog, catalog_from_data, catalog_to_data
from prodlife.catalog.data import MAX_DEPTH
from prodlife.errors import FileAccessError, InvalidCatalog, ProdlifeError
from prodlife.io.catalog_files import load_catalog, save_catalog
from prodlife.testing.catalogs import catalogs
from tests.test_catalog_files import load_refused

TYPE = {"code": "CH", "name": "Channel", "classification": "service", "service_kind": "termed"}
PACK = {**TYPE, "code": "PACK", "composition": "flexible bundle"}
HBO = {"code": "HBO", "name": "HBO", "type_code": "CH"}
ADDON = {"code": "MULTI", "name": "Multiroom", "bases": ["HBO"], "cycle": "monthly"}


def problems(data: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(InvalidCatalog) as raised:
        catalog_from_data(data)
    return [(p.path, p.rule, p.message) for p in raised.value.problems]


# --- unknown keys ----------------------------------------------------------------------------


def test_a_misspelt_key_is_refused_naming_the_key_it_probably_meant() -> None:
    data = {"types": [TYPE], "products": [HBO], "addons": [{**ADDON, "max_per_bse": 2}]}
    assert problems(data) == [
        (
            "addons[MULTI]",
            "data.unknown-key",
            "unknown key 'max_per_bse' in an add-on; did you mean 'max_per_base'?",
        )
    ]


def test_a_misspelt_required_key_is_reported_once_not_again_as_missing() -> None:
    product = {"code": "HBO", "name": "HBO", "type_cde": "CH"}
    assert problems({"types": [TYPE], "products": [product]}) == [
        (
            "products[HBO]",
            "data.unknown-key",
            "unknown key 'type_cde' in a product; did you mean 'type_code'?",
        )
    ]


def test_an_unknown_key_far_from_every_known_one_lists_the_keys_allowed() -> None:
    [(path, rule, message)] = problems({"types": [{**TYPE, "colour": "red"}]})
    assert (path, rule) == ("types[CH]", "data.unknown-key")
    assert message.startswith("unknown key 'colour' in a product type; the keys it takes are ")
    assert "'classification'" in message
    assert "'service_kind'" in message


@pytest.mark.parametrize(
    ("product", "path", "key"),
    [
        ({**HBO, "validity": {"strat": "2025-01-01"}}, "products[HBO].validity", "'strat'"),
        (
            {**HBO, "images": [{"url": "a", "defualt": True}]},
            "products[HBO].images[0]",
            "'defualt'",
        ),
        (
            {**HBO, "custom_fields": [{"name": "x", "kind": "string", "value": "y", "note": 1}]},
            "products[HBO].custom_fields[0]",
            "'note'",
        ),
    ],
    ids=["validity", "image", "custom-field"],
)
def test_an_unknown_key_inside_a_definition_is_reported_where_it_is(
    product: dict[str, Any], path: str, key: str
) -> None:
    [(where, _, message)] = problems({"types": [TYPE], "products": [product]})
    assert where == path
    assert f"unknown key {key}" in message


def test_an_unknown_key_in_a_price_is_refused() -> None:
    addon = {
        **ADDON,
        "custom_for": "C-1",
        "price": {"amount": "5.00", "currency": "USD", "tax": "1"},
    }
    [(path, _, message)] = problems({"types": [TYPE], "products": [HBO], "addons": [addon]})
    assert path == "addons[MULTI].price"
    assert "unknown key 'tax' in an amount of money" in message


def test_an_unknown_section_is_refused_naming_the_section_probably_meant() -> None:
    assert problems({"product": [HBO]}) == [
        (
            "product",
            "data.unknown-section",
            "unknown section 'product' in the catalog; did you mean 'products'?",
        )
    ]


# --- bad values ------------------------------------------------------------------------------


def test_a_value_outside_an_enumeration_is_named_with_the_allowed_ones() -> None:
    assert problems({"types": [{**TYPE, "classification": "gadget"}]}) == [
        (
            "types[CH].classification",
            "data.invalid",
            "'gadget' is not a classification; use one of 'service', 'physical good'",
        )
    ]


def test_a_bad_date_is_named() -> None:
    [(path, _, message)] = problems(
        {"types": [TYPE], "products": [{**HBO, "validity": {"start": "2025-13-01"}}]}
    )
    assert path == "products[HBO].validity.start"
    assert message.startswith("'2025-13-01' is not a date; write it as ISO 8601 text")


def test_a_bundle_of_an_unknown_composition_names_it() -> None:
    [(path, rule, message)] = problems(
        {"bundles": [{"product_code": "TV", "composition": "loose", "pools": []}]}
    )
    assert (path, rule) == ("bundles[TV]", "data.bundle-composition")
    assert message.startswith("composition 'loose' is not 'fixed' or 'flexible'")


def test_a_long_bad_value_is_quoted_short() -> None:
    [(_, _, message)] = problems({"types": [{**TYPE, "name": ["x" * 10_000]}]})
    assert len(message) < 200


# --- no follow-on problems -------------------------------------------------------------------


def test_products_of_a_type_that_could_not_be_read_are_not_reported_again() -> None:
    data = {
        "types": [{**TYPE, "classification": "gadget"}, PACK],
        "products": [HBO, {"code": "TV", "name": "TV", "type_code": "PACK"}],
        "editions": [{"product_code": "HBO", "editions": [{"code": "SD", "name": "SD"}]}],
        "addons": [ADDON],
        "bundles": [
            {
                "composition": "flexible",
                "product_code": "TV",
                "pools": [{"kind": "product", "key": "HBO", "min_quantity": 1}],
            }
        ],
        "change_rules": {
            "rules": [{"timing": "immediate", "from_product": "HBO"}, {"timing": "immediate"}]
        },
        "cancellation": {
            "default": {"timing": "end of period"},
            "per_product": [["HBO", {"timing": "immediate"}]],
        },
    }
    assert [(path, rule) for path, rule, _ in problems(data)] == [
        ("types[CH].classification", "data.invalid")
    ]


def test_a_bundle_product_whose_bundle_could_not_be_read_is_not_reported_again() -> None:
    data = {
        "types": [TYPE, PACK],
        "products": [HBO, {"code": "TV", "name": "TV", "type_code": "PACK"}],
        "bundles": [{"composition": "flexible", "product_code": "TV", "pols": []}],
    }
    assert [(path, rule) for path, rule, _ in problems(data)] == [
        ("bundles[TV]", "data.unknown-key")
    ]


def test_a_definition_without_a_readable_code_silences_references_to_missing_codes() -> None:
    data = {"types": [TYPE], "products": [{"name": "HBO", "type_code": "CH"}], "addons": [ADDON]}
    assert [(path, rule) for path, rule, _ in problems(data)] == [
        ("products[0].code", "data.missing")
    ]


def test_a_reference_to_a_code_nobody_defined_is_still_reported() -> None:
    data = {
        "types": [{**TYPE, "classification": "gadget"}],
        "products": [{"code": "ESPN", "name": "ESPN", "type_code": "SPORTS"}],
    }
    assert {(path, rule) for path, rule, _ in problems(data)} == {
        ("types[CH].classification", "data.invalid"),
        ("products[ESPN]", "catalog.unknown-type"),
    }


# --- files -----------------------------------------------------------------------------------


def test_a_missing_file_is_an_invalid_catalog_not_a_file_not_found_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(InvalidCatalog) as raised:
        load_catalog(path)
    [problem] = raised.value.problems
    assert (problem.path, problem.rule) == (str(path), "file.missing")


def test_a_folder_named_like_a_catalog_is_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.mkdir()
    with pytest.raises(InvalidCatalog) as raised:
        load_catalog(path)
    assert [p.rule for p in raised.value.problems] == ["file.unreadable"]


def test_a_catalog_that_cannot_be_written_raises_a_file_access_error(tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "catalog.toml"
    with pytest.raises(FileAccessError) as raised:
        save_catalog(Catalog(), path)
    assert raised.value.path == path
    assert "cannot write" in str(raised.value)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("catalog.json", "[" * 100_000),
        ("catalog.json", '{"types": [' + "{" * 50_000),
        ("catalog.toml", "a = " + "[" * 100_000),
        ("catalog.json", '{"types": ' + "1" * 5_000 + "}"),
        ("catalog.toml", "a = " + "1" * 5_000),
    ],
    ids=["json-lists", "json-tables", "toml-arrays", "json-long-number", "toml-long-number"],
)
def test_a_file_nested_too_deeply_or_holding_huge_numbers_is_a_syntax_problem(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    assert [p.rule for p in load_refused(path, text).problems] == ["file.syntax"]


def nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize(
    "data",
    [
        {"products": [{**HBO, "name": nested(10_000, "x")}]},
        {"products": [{**HBO, "categories": nested(10_000, "x")}]},
        {"products": nested(10_000, "x")},
        {"change_rules": nested(10_000, "x")},
        {"cancellation": {"default": nested(10_000, "x")}},
        {"bundles": [{"composition": "fixed", "components": nested(10_000, 1)}]},
        {nested(3, "k").__repr__(): nested(10_000, 1)},
    ],
    ids=["name", "categories", "section", "change-rules", "cancellation", "bundle", "unknown"],
)
def test_deeply_nested_data_is_an_invalid_catalog_not_a_recursion_error(data: Any) -> None:
    with pytest.raises(InvalidCatalog):
        catalog_from_data(data)


def test_a_definition_nested_past_the_limit_names_the_limit() -> None:
    [(path, rule, message)] = problems({"types": [TYPE], "products": [nested(MAX_DEPTH + 1, HBO)]})
    assert (path, rule) == ("products[0]", "data.too-deep")
    assert str(MAX_DEPTH) in message


# --- fuzzing: nothing but prodlife's errors --------------------------------------------------

SECTIONS = ["types", "products", "editions", "addons", "bundles", "change_rules", "cancellation"]
_KEYS = st.sampled_from(
    [
        *SECTIONS,
        "code",
        "name",
        "type_code",
        "classification",
        "service_kind",
        "composition",
        "product_code",
        "pools",
        "components",
        "validity",
        "start",
        "amount",
        "currency",
        "rules",
        "default",
        "per_product",
    ]
) | st.text(max_size=6)
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["service", "termed", "fixed", "flexible", "2025-01-01", "monthly", "USD"])
)
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=30,
)


@given(
    st.dictionaries(
        st.sampled_from(SECTIONS) | st.text(max_size=4) | st.integers(), _JSON, max_size=4
    )
)
def test_any_plain_data_gives_a_catalog_or_an_invalid_catalog(data: dict[str, Any]) -> None:
    with contextlib.suppress(InvalidCatalog):
        catalog_from_data(data)


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*here, index))
    return found


@settings(max_examples=max(settings().max_examples // 2, 5))
@given(catalogs(), st.data())
def test_a_valid_catalog_with_one_value_replaced_never_raises_anything_else(
    catalog: Catalog, data: st.DataObject
) -> None:
    plain = catalog_to_data(catalog)
    paths = [path for path in _paths(plain) if path]
    if not paths:
        return
    path = data.draw(st.sampled_from(paths))
    mutated = copy.deepcopy(plain)
    parent = mutated
    for step in path[:-1]:
        parent = parent[step]
    action = data.draw(st.sampled_from(["replace", "drop", "rename"]))
    if action == "replace":
        parent[path[-1]] = data.draw(_JSON)
    elif isinstance(parent, dict) and action == "rename":
        parent[data.draw(st.text(max_size=8))] = parent.pop(path[-1])
    else:
        del parent[path[-1]]
    with contextlib.suppress(InvalidCatalog):
        catalog_from_data(mutated)


@given(st.binary(max_size=200) | _JSON.map(lambda value: json.dumps(value).encode()))
@settings(max_examples=max(settings().max_examples // 2, 5))
def test_any_file_content_gives_a_catalog_or_a_prodlife_error(content: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for name in ("catalog.json", "catalog.toml"):
            path = Path(folder) / name
            path.write_bytes(content)
            with contextlib.suppress(ProdlifeError):
                load_catalog(path)
