"""Product types: every usage condition of seed 004's type table, as a table test."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given

from prodlife.catalog import (
    Classification,
    Composition,
    GoodKind,
    ProductType,
    ServiceKind,
    check_product_type,
)
from prodlife.errors import RuleViolation, ValidationError
from prodlife.testing.catalogs import product_types

SERVICE, GOOD = Classification.SERVICE, Classification.PHYSICAL_GOOD
TRACEABLE, NON_TRACEABLE = GoodKind.TRACEABLE, GoodKind.NON_TRACEABLE
TERMED, USAGE, ONE_TIME, EXPENSE = (
    ServiceKind.TERMED,
    ServiceKind.USAGE,
    ServiceKind.ONE_TIME,
    ServiceKind.EXPENSE,
)
FLAT, FIXED, FLEXIBLE = Composition.FLAT, Composition.FIXED_BUNDLE, Composition.FLEXIBLE_BUNDLE

#: The rules of the table, in the order prodlife checks (and so reports) them.
RULES = (
    "type.good-kind",
    "type.service-kind",
    "type.flexible-bundle",
    "type.fixed-bundle",
    "type.usage-record",
    "type.meter-reading",
)

Row = tuple[
    Classification, GoodKind | None, ServiceKind | None, Composition, str | None, str | None
]

#: Every combination: classification x good kind x service kind x composition x usage record
#: type x meter reading type.
TABLE: list[Row] = list(
    itertools.product(
        (SERVICE, GOOD),
        (None, TRACEABLE, NON_TRACEABLE),
        (None, TERMED, USAGE, ONE_TIME, EXPENSE),
        (FLAT, FIXED, FLEXIBLE),
        (None, "CALL"),
        (None, "KWH"),
    )
)


def seed_004_breaks(row: Row) -> list[str]:
    """The rules a type breaks, read straight from seed 004's usage conditions."""
    classification, good_kind, service_kind, composition, usage_record, meter = row
    is_good = classification is GOOD
    termed_service = not is_good and service_kind is TERMED
    broken = set()
    # "Physical Good Type (traceable, non-traceable): available for the 'Physical Good'
    # classification" -- and a physical good is one or the other.
    if is_good != (good_kind is not None):
        broken.add("type.good-kind")
    # "Service Type (usage, termed, one-time, expense): available for the 'Service'
    # classification" -- and a service is one of them.
    if (not is_good) != (service_kind is not None):
        broken.add("type.service-kind")
    # "Flexible Bundle: available for the 'Service' classification and the 'Termed' type or
    # for 'Physical Good' classification and 'Non-Traceable' type."
    if composition is FLEXIBLE and not (termed_service or (is_good and good_kind is NON_TRACEABLE)):
        broken.add("type.flexible-bundle")
    # "Fixed Bundle: available for the 'Service' classification and the 'Termed' type, or
    # for the 'Physical Good' classification."
    if composition is FIXED and not (termed_service or is_good):
        broken.add("type.fixed-bundle")
    # "UDR Type: available for the 'Service' classification and the 'Usage' type."
    if usage_record is not None and not (not is_good and service_kind is USAGE):
        broken.add("type.usage-record")
    # "Meter Reading Type: available for the flat or fixed traceable 'Physical Good'
    # classification."
    if meter is not None and not (
        is_good and good_kind is TRACEABLE and composition in (FLAT, FIXED)
    ):
        broken.add("type.meter-reading")
    return [rule for rule in RULES if rule in broken]


def build(row: Row, code: str = "T") -> ProductType:
    classification, good_kind, service_kind, composition, usage_record, meter = row
    return ProductType(
        code,
        "Type",
        classification,
        good_kind=good_kind,
        service_kind=service_kind,
        composition=composition,
        usage_record_type=usage_record,
        meter_reading_type=meter,
    )


def row_id(row: Row) -> str:
    classification, good_kind, service_kind, composition, usage_record, meter = row
    parts = [
        classification.value,
        good_kind.value if good_kind else "-",
        service_kind.value if service_kind else "-",
        composition.value,
        f"udr={usage_record}",
        f"meter={meter}",
    ]
    return "/".join(parts)


def test_the_table_covers_every_combination_and_both_outcomes() -> None:
    assert len(TABLE) == 2 * 3 * 5 * 3 * 2 * 2
    valid = [row for row in TABLE if not seed_004_breaks(row)]
    assert 0 < len(valid) < len(TABLE)
    assert {rule for row in TABLE for rule in seed_004_breaks(row)} == set(RULES)


@pytest.mark.parametrize("row", TABLE, ids=row_id)
def test_each_combination_breaks_exactly_the_rules_of_seed_004(row: Row) -> None:
    expected = seed_004_breaks(row)
    if not expected:
        product_type = build(row)
        assert check_product_type(product_type) == []
        return
    with pytest.raises(RuleViolation) as raised:
        build(row)
    assert raised.value.rule == expected[0]
    assert raised.value.subject == "T"
    assert f"(rule {expected[0]})" in str(raised.value)
    # The checker reports every rule the definition breaks, not only the first.
    unchecked = object.__new__(ProductType)
    for name, value in zip(
        (
            "code",
            "name",
            "classification",
            "good_kind",
            "service_kind",
            "composition",
            "provisionable",
            "usage_record_type",
            "meter_reading_type",
            "customer_may_delete",
        ),
        ("T", "Type", *row[:4], False, *row[4:], False),
        strict=True,
    ):
        object.__setattr__(unchecked, name, value)
    found = check_product_type(unchecked)
    assert [rule for rule, _ in found] == expected
    assert all(message.startswith("product type 'T': ") for _, message in found)


def test_rule_violations_are_validation_errors_with_a_fix_in_the_message() -> None:
    with pytest.raises(ValidationError, match="make it termed or flat"):
        ProductType("KIT", "Kit", SERVICE, service_kind=USAGE, composition=FLEXIBLE)


@pytest.mark.parametrize(
    ("example", "classification", "kind"),
    [
        ("modem with a serial number", GOOD, TRACEABLE),
        ("remote control", GOOD, NON_TRACEABLE),
        ("TV channel", SERVICE, TERMED),
        ("video on demand", SERVICE, USAGE),
        ("installation service", SERVICE, ONE_TIME),
        ("installation fee", SERVICE, EXPENSE),
    ],
)
def test_seed_004_examples_are_flat_types_of_their_kind(
    example: str, classification: Classification, kind: GoodKind | ServiceKind
) -> None:
    if isinstance(kind, GoodKind):
        product_type = ProductType("X", example, classification, good_kind=kind)
    else:
        product_type = ProductType("X", example, classification, service_kind=kind)
    assert product_type.composition is FLAT
    assert not product_type.is_bundle


def test_a_usage_service_names_the_usage_records_it_creates() -> None:
    calls = ProductType("CALLS", "Calls", SERVICE, service_kind=USAGE, usage_record_type="CALL")
    assert calls.usage_record_type == "CALL"


@pytest.mark.parametrize("composition", [FLAT, FIXED])
def test_a_flat_or_fixed_traceable_good_takes_meter_readings(composition: Composition) -> None:
    meter = ProductType(
        "METER",
        "Meter",
        GOOD,
        good_kind=TRACEABLE,
        composition=composition,
        meter_reading_type="KWH",
    )
    assert meter.meter_reading_type == "KWH"


@pytest.mark.parametrize("code", ["", " ", " CH", "CH ", None, 7])
def test_a_type_code_is_non_empty_text_without_surrounding_spaces(code: object) -> None:
    with pytest.raises(RuleViolation) as raised:
        ProductType(code, "Channel", SERVICE, service_kind=TERMED)  # type: ignore[arg-type]
    assert raised.value.rule == "code.format"


def test_customers_may_not_delete_services_of_a_type_unless_it_says_so() -> None:
    channel = ProductType("CH", "Channel", SERVICE, service_kind=TERMED)
    hosting = ProductType("WEB", "Hosting", SERVICE, service_kind=TERMED, customer_may_delete=True)
    assert not channel.customer_may_delete
    assert hosting.customer_may_delete


def test_a_type_is_neither_provisioned_nor_a_bundle_unless_it_says_so() -> None:
    channel = ProductType("CH", "Channel", SERVICE, service_kind=TERMED)
    assert not channel.provisionable
    assert channel.composition is FLAT
    assert ProductType(
        "CH", "Channel", SERVICE, service_kind=TERMED, provisionable=True
    ).provisionable


@pytest.mark.parametrize(
    ("composition", "is_bundle"), [(FLAT, False), (FIXED, True), (FLEXIBLE, True)]
)
def test_fixed_and_flexible_bundles_are_bundles(composition: Composition, is_bundle: bool) -> None:
    pack = ProductType("PACK", "Pack", SERVICE, service_kind=TERMED, composition=composition)
    assert pack.is_bundle is is_bundle


@pytest.mark.parametrize(
    ("kind", "describes", "termed"),
    [
        (TERMED, "termed service", True),
        (USAGE, "usage service", False),
        (ONE_TIME, "one-time service", False),
        (EXPENSE, "expense service", False),
        (TRACEABLE, "traceable physical good", False),
        (NON_TRACEABLE, "non-traceable physical good", False),
    ],
)
def test_a_type_describes_its_kind(
    kind: GoodKind | ServiceKind, describes: str, termed: bool
) -> None:
    if isinstance(kind, GoodKind):
        product_type = ProductType("X", "X", GOOD, good_kind=kind)
    else:
        product_type = ProductType("X", "X", SERVICE, service_kind=kind)
    assert product_type.describes == describes
    assert product_type.is_termed_service is termed


def test_types_are_values() -> None:
    one = ProductType("CH", "Channel", SERVICE, service_kind=TERMED)
    assert one == ProductType("CH", "Channel", SERVICE, service_kind=TERMED)
    assert hash(one) == hash(ProductType("CH", "Channel", SERVICE, service_kind=TERMED))
    with pytest.raises(AttributeError):
        one.code = "OTHER"  # type: ignore[misc]


@given(product_types())
def test_generated_types_keep_the_table(product_type: ProductType) -> None:
    row: Row = (
        product_type.classification,
        product_type.good_kind,
        product_type.service_kind,
        product_type.composition,
        product_type.usage_record_type,
        product_type.meter_reading_type,
    )
    assert seed_004_breaks(row) == []
    assert check_product_type(product_type) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("classification", "service"),
        ("composition", "fixed bundle"),
        ("service_kind", "termed"),
        ("good_kind", 1),
        ("provisionable", "yes"),
        ("customer_may_delete", None),
    ],
)
def test_a_product_type_field_of_the_wrong_kind_is_refused_naming_the_allowed_values(
    field: str, value: object
) -> None:
    fields: dict[str, object] = {
        "classification": Classification.SERVICE,
        "service_kind": ServiceKind.TERMED,
        field: value,
    }
    with pytest.raises(ValidationError, match=f"{field} {value!r} is not a"):
        ProductType("H", "Hosting", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "named"),
    [
        (EXPENSE, "not an expense service"),
        (ONE_TIME, "not a one-time service"),
        (USAGE, "not a usage service"),
    ],
)
def test_a_message_names_a_kind_with_the_article_its_word_wants(
    kind: ServiceKind, named: str
) -> None:
    """English, not a fixed "a": "an expense service" but "a one-time" and "a usage service"."""
    with pytest.raises(RuleViolation, match=named):
        ProductType("KIT", "Kit", SERVICE, service_kind=kind, composition=FLEXIBLE)
