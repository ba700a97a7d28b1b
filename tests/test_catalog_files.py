"""Catalogs as plain data and as JSON or TOML files: lossless round trips, and every
problem of a bad file reported at once with its path."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlife import ANNUAL, MONTHLY
from prodlife.catalog import (
    AddOn,
    Availability,
    CancellationDefaults,
    CancellationPolicy,
    CancellationTiming,
    Catalog,
    ChangeRule,
    ChangeRules,
    ChangeTiming,
    Classification,
    Component,
    Composition,
    CustomField,
    Direction,
    Edition,
    EditionLadder,
    FieldKind,
    FixedBundle,
    FlexibleBundle,
    GoodKind,
    Image,
    Pool,
    PoolKind,
    Product,
    ProductType,
    ProviderId,
    ServiceKind,
    Validity,
    catalog_from_data,
    catalog_to_data,
    custom_addon,
)
from prodlife.errors import InvalidCatalog
from prodlife.io.catalog_files import load_catalog, save_catalog
from prodlife.io.toml import dumps
from prodlife.proration import CreditMode, UsedDay
from prodlife.testing.catalogs import catalogs
from tests._support import d, usd
from tests.test_io_toml import toml_values

SERVICE, GOOD = Classification.SERVICE, Classification.PHYSICAL_GOOD
TERMED = ServiceKind.TERMED


def full_catalog() -> Catalog:
    """A catalog using every kind of definition and every optional field."""
    return Catalog(
        types=(
            ProductType("CHANNEL", "TV channel", SERVICE, service_kind=TERMED, provisionable=True),
            ProductType(
                "PACK",
                'The "big" pack',
                SERVICE,
                service_kind=TERMED,
                composition=Composition.FLEXIBLE_BUNDLE,
                customer_may_delete=True,
            ),
            ProductType(
                "KIT",
                "Kit",
                GOOD,
                good_kind=GoodKind.TRACEABLE,
                composition=Composition.FIXED_BUNDLE,
                meter_reading_type="KWH",
            ),
            ProductType("MODEM", "Modem", GOOD, good_kind=GoodKind.TRACEABLE),
            ProductType("CABLE", "Cable", GOOD, good_kind=GoodKind.NON_TRACEABLE),
            ProductType(
                "CALLS",
                "Calls",
                SERVICE,
                service_kind=ServiceKind.USAGE,
                usage_record_type="CALL",
            ),
        ),
        products=(
            Product(
                "HBO",
                "HBO — films",
                "CHANNEL",
                alternative_code="SKU-1",
                description='Quotes " and \\ backslashes',
                long_description="Line one\nLine two\ttabbed",
                brand="Warner",
                family="MOVIES",
                categories={"tv", "movies"},
                priority=2,
                validity=Validity(d("2025-01-01"), d("2026-01-01")),
                availability=Availability.HIDDEN,
                tax_codes=("VAT", "CITY"),
                vat_code="VAT",
                display_class="premium",
                display_position=1,
                applicable_on_numbers=True,
                applicable_on_features={"hd"},
                auto_add_to_customer=True,
                auto_remove_from_interests=True,
                custom_fields=(
                    CustomField("price band", FieldKind.STRING, "gold ★"),
                    CustomField("weight", FieldKind.NUMBER, Decimal("1.50")),
                    CustomField("channels", FieldKind.NUMBER, 3),
                    CustomField("launch", FieldKind.DATE, d("2024-02-29")),
                ),
                images=(
                    Image("https://img/hbo.png", "HBO logo", default=True),
                    Image("https://img/hbo-2.png"),
                ),
                provider_ids=(ProviderId("nagra", "N-1"), ProviderId("netflix", "X-1")),
            ),
            Product("CNN", "CNN", "CHANNEL", family="NEWS", validity=Validity(d("2025-01-01"))),
            Product("OLD", "Old", "CHANNEL", availability=Availability.HISTORIC),
            Product("TV", "TV", "PACK"),
            Product("BOX", "Box", "KIT"),
            Product("ROUTER", "Router", "MODEM"),
            Product("WIRE", "Wire", "CABLE", validity=Validity(end=d("2030-01-01"))),
            Product("PHONE", "Phone calls", "CALLS"),
        ),
        editions=(
            EditionLadder(
                "HBO",
                (Edition("SD", "SD"), Edition("HD", "HD"), Edition("UHD", "Ultra HD")),
                forbidden={("UHD", "SD"), ("HD", "SD")},
            ),
        ),
        addons=(
            AddOn("MULTIROOM", "Multiroom", {"TV", "HBO"}, MONTHLY, max_per_base=2),
            custom_addon("C-42", "EXTRA", "Extra box", usd("5.00"), ANNUAL, "TV"),
        ),
        bundles=(
            FlexibleBundle(
                "TV",
                (
                    Pool(PoolKind.TYPE, "CHANNEL", 1, 3),
                    Pool(PoolKind.PRODUCT, "HBO", 0, 1),
                    Pool(PoolKind.FAMILY, "NEWS"),
                ),
                max_families=2,
                max_types=1,
            ),
            FixedBundle("BOX", (Component("ROUTER"), Component("WIRE", 3))),
        ),
        change_rules=ChangeRules(
            (
                ChangeRule(
                    ChangeTiming.ILLEGAL,
                    from_product="HBO",
                    from_edition="UHD",
                    direction=Direction.DOWNGRADE,
                    name="keep UHD",
                    reason="UHD content cannot move down",
                ),
                ChangeRule(ChangeTiming.AFTER_PAYMENT, to_category="tv", to_cycle=ANNUAL),
                ChangeRule(ChangeTiming.END_OF_TERM, name="default"),
            )
        ),
        cancellation=CancellationDefaults(
            CancellationPolicy(CancellationTiming.AFTER_RENEWALS, 2),
            {
                "HBO": CancellationPolicy(
                    CancellationTiming.IMMEDIATE,
                    refund=CreditMode.PRORATED,
                    used_day=UsedDay.UNUSED,
                ),
                "TV": CancellationPolicy(CancellationTiming.END_OF_PERIOD),
            },
        ),
    )


def plain(value: Any) -> bool:
    """Whether ``value`` is JSON- and TOML-safe: dicts, lists, strings, ints and booleans."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(item) for item in value)
    return isinstance(value, str | int | bool)


def problems_of(error: InvalidCatalog) -> set[tuple[str, str]]:
    return {(problem.path, problem.rule) for problem in error.problems}


def load_refused(path: Path, text: str) -> InvalidCatalog:
    """What ``load_catalog`` refuses ``path`` for, once ``text`` is written there."""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidCatalog) as raised:
        load_catalog(path)
    return raised.value


def refusals(data: dict[str, Any]) -> set[tuple[str, str]]:
    """The (path, rule) of every problem ``catalog_from_data`` refuses ``data`` for."""
    with pytest.raises(InvalidCatalog) as raised:
        catalog_from_data(data)
    return problems_of(raised.value)


# --- plain data ------------------------------------------------------------------------------


def test_a_catalog_becomes_plain_data_and_comes_back_equal() -> None:
    catalog = full_catalog()
    data = catalog_to_data(catalog)
    assert plain(data)
    assert catalog_from_data(data) == catalog


def test_custom_field_values_come_back_with_their_kind() -> None:
    back = catalog_from_data(catalog_to_data(full_catalog())).product("HBO")
    assert back.field("weight") == Decimal("1.50")
    assert isinstance(back.field("weight"), Decimal)
    assert back.field("launch") == d("2024-02-29")
    assert back.field("price band") == "gold ★"


def test_plain_data_leaves_out_empty_sections_and_missing_values() -> None:
    catalog = Catalog(
        types=(ProductType("CHANNEL", "Channel", SERVICE, service_kind=TERMED),),
        products=(Product("HBO", "HBO", "CHANNEL"),),
    )
    data = catalog_to_data(catalog)
    assert set(data) == {"types", "products"}
    assert "brand" not in data["products"][0]
    assert "good_kind" not in data["types"][0]
    assert catalog_to_data(Catalog()) == {}
    assert catalog_from_data({}) == Catalog()


def test_bundles_say_whether_they_are_fixed_or_flexible() -> None:
    data = catalog_to_data(full_catalog())
    assert [(b["product_code"], b["composition"]) for b in data["bundles"]] == [
        ("TV", "flexible"),
        ("BOX", "fixed"),
    ]


def test_amounts_travel_as_text_and_sets_as_sorted_lists() -> None:
    data = catalog_to_data(full_catalog())
    extra = next(addon for addon in data["addons"] if addon["code"] == "EXTRA")
    assert extra["price"] == {"amount": "5.00", "currency": "USD"}
    hbo = data["products"][0]
    assert hbo["categories"] == ["movies", "tv"]
    assert hbo["validity"] == {"start": "2025-01-01", "end": "2026-01-01"}


# --- files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["catalog.json", "catalog.toml", "CATALOG.JSON", "catalog.Toml"])
def test_a_catalog_file_comes_back_equal(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    save_catalog(full_catalog(), path)
    assert load_catalog(path) == full_catalog()
    assert load_catalog(str(path)) == full_catalog()


def test_a_json_file_holds_the_plain_data_with_unicode_unescaped(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    save_catalog(full_catalog(), path)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == catalog_to_data(full_catalog(), defaults=False)
    assert "HBO — films" in text


def test_a_toml_file_holds_the_plain_data(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    save_catalog(full_catalog(), str(path))
    text = path.read_text(encoding="utf-8")
    assert tomllib.loads(text) == catalog_to_data(full_catalog(), defaults=False)
    assert "[[products]]" in text
    assert "HBO — films" in text


@pytest.mark.parametrize("name", ["catalog.json", "catalog.toml"])
def test_a_file_holds_what_definitions_set_unless_defaults_are_asked_for(
    tmp_path: Path, name: str
) -> None:
    catalog = Catalog(
        [ProductType("CH", "Channel", SERVICE, service_kind=TERMED)],
        [
            Product("NEWS", "News", "CH"),
            Product("HBO", "HBO", "CH", availability=Availability.HIDDEN),
        ],
    )
    path = tmp_path / name
    save_catalog(catalog, path)
    lean = path.read_text(encoding="utf-8")
    assert "customer_may_change_package" not in lean  # True, its default
    assert "hidden" in lean and "active" not in lean
    assert load_catalog(path) == catalog
    save_catalog(catalog, path, defaults=True)
    full = path.read_text(encoding="utf-8")
    assert full.count("customer_may_change_package") == 2 and "active" in full
    assert load_catalog(path) == catalog


def test_an_empty_catalog_file_comes_back_empty(tmp_path: Path) -> None:
    for name in ("empty.json", "empty.toml"):
        save_catalog(Catalog(), tmp_path / name)
        assert load_catalog(tmp_path / name) == Catalog()


@settings(max_examples=max(settings().max_examples // 4, 5))
@given(catalogs())
def test_generated_catalogs_round_trip_through_data_json_and_toml(catalog: Catalog) -> None:
    data = catalog_to_data(catalog)
    assert plain(data)
    assert catalog_from_data(data) == catalog
    assert catalog_from_data(json.loads(json.dumps(data))) == catalog
    from_toml = tomllib.loads(dumps(data))
    assert from_toml == data
    assert catalog_from_data(from_toml) == catalog
    lean = catalog_to_data(catalog, defaults=False)
    assert catalog_from_data(lean) == catalog
    assert catalog_from_data(tomllib.loads(dumps(lean))) == catalog
    assert len(json.dumps(lean)) <= len(json.dumps(data))


# --- bad files -------------------------------------------------------------------------------

BAD_TOML = """\
[[types]]
code = "CHANNEL"
name = "Channel"
classification = "service"
service_kind = "termed"
usage_record_type = "CALL"

[[types]]
code = "MOVIES"
name = "Movies"
classification = "service"
service_kind = "termed"

[[products]]
code = "ESPN"
name = "ESPN"
type_code = "SPORTS"

[[products]]
code = "HBO"
name = "HBO"
type_code = "MOVIES"

[products.validity]
start = "2025-13-01"

[[bundles]]
product_code = "KIT"

[prices]
HBO = "9.99"
"""


def test_a_file_with_several_mistakes_reports_every_one_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    refused = load_refused(path, BAD_TOML)
    assert problems_of(refused) == {
        ("types[CHANNEL]", "type.usage-record"),  # a rule of seed 004's type table
        ("products[ESPN]", "catalog.unknown-type"),  # a rule spanning definitions
        ("products[HBO].validity.start", "data.invalid"),  # 13 is not a month
        ("bundles[KIT]", "data.bundle-composition"),  # fixed or flexible?
        ("prices", "data.unknown-section"),
    }


def test_the_same_mistakes_in_json_are_reported_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    refused = load_refused(path, json.dumps(tomllib.loads(BAD_TOML)))
    assert len(refused.problems) == 5


@pytest.mark.parametrize(
    ("data", "path", "rule"),
    [
        (
            {"products": [{"code": "HBO", "name": "HBO"}]},
            "products[HBO].type_code",
            "data.missing",
        ),
        (
            {"types": [{"code": "X", "name": "X", "classification": "gadget"}]},
            "types[X].classification",
            "data.invalid",
        ),
        (
            {"bundles": [{"product_code": "KIT", "composition": "loose", "components": []}]},
            "bundles[KIT]",
            "data.bundle-composition",
        ),
    ],
)
def test_each_malformed_definition_is_reported_at_its_path(
    data: dict[str, Any], path: str, rule: str
) -> None:
    assert (path, rule) in refusals(data)


CHANNEL_TYPE = {
    "code": "CH",
    "name": "Channel",
    "classification": "service",
    "service_kind": "termed",
}
PACK_TYPE = {**CHANNEL_TYPE, "code": "PACK", "composition": "flexible bundle"}
HBO_DATA = {"code": "HBO", "name": "HBO", "type_code": "CH"}


@pytest.mark.parametrize(
    ("data", "path", "rule"),
    [
        (
            {
                "types": [CHANNEL_TYPE, PACK_TYPE],
                "products": [HBO_DATA, {"code": "TV", "name": "TV", "type_code": "PACK"}],
                "bundles": [
                    {
                        "composition": "flexible",
                        "product_code": "TV",
                        "pools": [
                            {"kind": "product", "key": "HBO", "min_quantity": 3, "max_quantity": 1}
                        ],
                    }
                ],
            },
            "bundles[TV].pools[0]",
            "bundle.min-above-max",
        ),
        (
            {
                "types": [CHANNEL_TYPE],
                "products": [{**HBO_DATA, "images": [{"url": "a"}, {"url": "b"}]}],
            },
            "products[HBO]",
            "product.default-image",
        ),
        (
            {
                "types": [CHANNEL_TYPE],
                "products": [
                    {**HBO_DATA, "custom_fields": [{"name": "x", "kind": "number", "value": "abc"}]}
                ],
            },
            "products[HBO].custom_fields[0]",
            "data.invalid",
        ),
        (
            {
                "types": [CHANNEL_TYPE],
                "products": [HBO_DATA],
                "editions": [{"product_code": "HBO", "editions": []}],
            },
            "editions[HBO]",
            "edition.none",
        ),
    ],
    ids=["pool", "images", "custom-field", "editions"],
)
def test_a_rule_broken_inside_a_definition_keeps_its_rule_and_path(
    data: dict[str, Any], path: str, rule: str
) -> None:
    assert (path, rule) in refusals(data)


def test_a_definition_that_is_not_a_table_is_reported_at_its_index() -> None:
    with pytest.raises(InvalidCatalog) as raised:
        catalog_from_data({"products": [["not", "a", "table"]]})
    assert raised.value.problems
    assert all(problem.path.startswith("products[0]") for problem in raised.value.problems)


def test_a_catalog_must_be_a_table(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    refused = load_refused(path, "[]")
    assert problems_of(refused) == {("", "data.shape")}


@pytest.mark.parametrize("section", ["products", "bundles"])
@pytest.mark.parametrize("value", [None, 5])
def test_a_section_that_is_not_a_list_is_reported_at_the_section(
    section: str, value: object
) -> None:
    with pytest.raises(InvalidCatalog) as raised:
        catalog_from_data({section: value})
    assert all(problem.path.startswith(section) for problem in raised.value.problems)


TYPE = {"code": "T", "name": "T", "classification": "service", "service_kind": "termed"}
GOODS = [
    {"code": "G", "name": "G", "classification": "physical good", "good_kind": "traceable"},
    {
        "code": "K",
        "name": "K",
        "classification": "physical good",
        "good_kind": "traceable",
        "composition": "fixed bundle",
    },
]


def test_a_boolean_written_as_text_is_refused_not_read_as_true() -> None:
    refused = refusals({"types": [{**TYPE, "provisionable": "false"}]})
    assert ("types[T].provisionable", "data.invalid") in refused


def test_a_fractional_quantity_is_refused_not_truncated() -> None:
    data = {
        "types": GOODS,
        "products": [
            {"code": "A", "name": "A", "type_code": "G"},
            {"code": "KIT", "name": "Kit", "type_code": "K"},
        ],
        "bundles": [
            {
                "composition": "fixed",
                "product_code": "KIT",
                "components": [{"product_code": "A", "quantity": 2.7}],
            }
        ],
    }
    assert ("bundles[KIT].components[0].quantity", "data.invalid") in refusals(data)


def test_a_toml_file_may_use_toml_dates(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(
        dumps({"types": [TYPE]})
        + '\n[[products]]\ncode = "P"\nname = "P"\ntype_code = "T"\n'
        + "validity = {start = 2025-01-01, end = 2026-01-01}\n",
        encoding="utf-8",
    )
    assert load_catalog(path).product("P").validity == Validity(d("2025-01-01"), d("2026-01-01"))


def test_a_file_that_is_not_utf_8_is_a_syntax_problem(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_bytes('[[types]]\ncode = "CAFÉ"\n'.encode("latin-1"))
    with pytest.raises(InvalidCatalog) as raised:
        load_catalog(path)
    assert problems_of(raised.value) == {(str(path), "file.syntax")}


@pytest.mark.parametrize("name", ["catalog.yaml", "catalog", "catalog.json.bak"])
def test_a_file_named_neither_json_nor_toml_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with pytest.raises(InvalidCatalog) as raised:
        save_catalog(full_catalog(), path)
    assert problems_of(raised.value) == {(str(path), "file.format")}
    assert not path.exists()
    refused = load_refused(path, "{}")
    assert problems_of(refused) == {(str(path), "file.format")}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("catalog.toml", "[[types]\ncode = "),
        ("catalog.toml", 'code = "unterminated\n'),
        ("catalog.json", '{"types": [}'),
    ],
)
def test_a_file_that_cannot_be_parsed_is_a_syntax_problem(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    refused = load_refused(path, text)
    assert problems_of(refused) == {(str(path), "file.syntax")}
    assert "cannot parse the file" in str(refused)


# --- the TOML writer -------------------------------------------------------------------------

AWKWARD = [
    'say "hi"',
    "back\\slash",
    "C:\\new\\table",
    "two\nlines",
    "windows\r\nline",
    "tab\there",
    "é, 中文, 😀",
    "\x00nul",
    "\x1bescape\x1f",
    "line\u2028separator",
    "\ufeffbom",
    "'single' quotes",
    '"""triple"""',
    "# not a comment",
    "",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_toml_strings_are_escaped_and_read_back_exactly(text: str) -> None:
    data = {"value": text, "list": [text, text], "table": {"value": text}, "rows": [{"v": text}]}
    assert tomllib.loads(dumps(data)) == data


@pytest.mark.parametrize("key", ["a b", "a.b", "é", "", '"', "1", "with\nnewline", "[x]"])
def test_toml_keys_that_are_not_bare_are_quoted(key: str) -> None:
    data = {key: 1, "table": {key: "v"}, "nested": {key: {"k": 2}}, "rows": [{key: True}]}
    assert tomllib.loads(dumps(data)) == data


def test_toml_escapes_the_delete_character() -> None:
    data = {"value": "rub\x7fout"}
    assert tomllib.loads(dumps(data)) == data


def test_toml_writes_tables_and_arrays_of_tables_after_plain_keys() -> None:
    text = dumps({"table": {"x": 1}, "rows": [{"a": 1}, {"b": {"c": 2}}], "plain": "last"})
    assert text.splitlines()[0] == 'plain = "last"'
    assert tomllib.loads(text) == {
        "table": {"x": 1},
        "rows": [{"a": 1}, {"b": {"c": 2}}],
        "plain": "last",
    }


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        None,
        d("2025-01-01"),
        pytest.param(
            b"bytes",
        ),
    ],
)
def test_toml_refuses_values_plain_data_does_not_hold(value: object) -> None:
    with pytest.raises(TypeError, match="cannot write"):
        dumps({"value": [value]})


@pytest.mark.parametrize("key", ["0\n", "code\n"])
def test_toml_quotes_a_key_ending_in_a_newline(key: str) -> None:
    data = {key: 1}
    assert tomllib.loads(dumps(data)) == data


# Generated text includes DEL, and keys may end in a newline: the writer must cope with both.
_TEXT = st.text(st.characters(codec="utf-8"), max_size=8)
_KEYS = _TEXT
_LEAVES = st.one_of(_TEXT, st.booleans(), st.integers(-(2**63), 2**63 - 1))
_DATA = toml_values(_KEYS, _LEAVES)


@settings(max_examples=max(settings().max_examples // 2, 5))
@given(st.dictionaries(_KEYS, _DATA, max_size=4))
def test_toml_reads_back_exactly_what_was_written(data: dict[str, Any]) -> None:
    assert tomllib.loads(dumps(data)) == data


def test_a_toml_file_keeps_its_line_ends_as_written(tmp_path: Path) -> None:
    """Windows line ends read as the writer's; a lone carriage return is refused, as
    tomllib refuses it (reading the text with universal newlines would accept it)."""
    catalog = full_catalog()
    path = tmp_path / "catalog.toml"
    save_catalog(catalog, path)
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    assert load_catalog(path) == catalog
    path.write_bytes(text.replace("\n", "\r", 1).encode("utf-8"))
    with pytest.raises(InvalidCatalog, match=r"file\.syntax"):
        load_catalog(path)
