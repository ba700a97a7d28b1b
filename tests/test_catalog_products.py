"""Products (codes, validity, availability, images, custom fields, provider ids, copying)
and editions (ladders, upgrades and downgrades, forbidden moves)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prodlife.catalog import (
    Attachment,
    AttachmentKind,
    Availability,
    CustomField,
    Direction,
    Edition,
    EditionLadder,
    FieldKind,
    Image,
    Product,
    ProviderId,
    Validity,
    check_product,
    copy_product,
)
from prodlife.errors import NotFound, RuleViolation
from prodlife.testing.catalogs import product_types, products
from tests._support import d

UP, DOWN, SAME = Direction.UPGRADE, Direction.DOWNGRADE, Direction.SAME


def dsl(**changes: Any) -> Product:
    """DSL 100, an internet product, with ``changes``."""
    return Product("DSL-100", "DSL 100", "INTERNET", **changes)


def broken_rule(**changes: Any) -> str:
    with pytest.raises(RuleViolation) as raised:
        dsl(**changes)
    assert raised.value.subject == "DSL-100"
    return raised.value.rule


# --- codes and names -------------------------------------------------------------------------


def test_a_product_has_a_code_a_name_and_a_type() -> None:
    product = dsl()
    assert (product.code, product.name, product.type_code) == ("DSL-100", "DSL 100", "INTERNET")


@pytest.mark.parametrize("code", ["", "  ", " DSL", "DSL ", None])
def test_product_and_type_codes_are_non_empty_text_without_surrounding_spaces(
    code: object,
) -> None:
    with pytest.raises(RuleViolation) as raised:
        Product(code, "DSL", "INTERNET")  # type: ignore[arg-type]
    assert raised.value.rule == "code.format"
    with pytest.raises(RuleViolation) as raised:
        Product("DSL-100", "DSL", code)  # type: ignore[arg-type]
    assert raised.value.rule == "code.format"


@pytest.mark.parametrize("name", ["", "   ", "\n"])
def test_a_product_needs_a_name(name: str) -> None:
    with pytest.raises(RuleViolation) as raised:
        Product("DSL-100", name, "INTERNET")
    assert raised.value.rule == "product.name"


def test_a_product_may_have_an_alternative_code() -> None:
    assert dsl(alternative_code="SKU-9").alternative_code == "SKU-9"
    assert dsl().alternative_code is None


@pytest.mark.parametrize("position", [0, 3])
def test_a_display_position_is_zero_or_more(position: int) -> None:
    assert dsl(display_position=position).display_position == position
    assert broken_rule(display_position=-1) == "product.display-position"


def test_check_product_lists_every_rule_broken_at_once() -> None:
    product = dsl()
    for name, value in {
        "name": "",
        "display_position": -1,
        "images": (Image("a"), Image("b")),
        "provider_ids": (ProviderId("nagra", "1"), ProviderId("nagra", "2")),
    }.items():
        object.__setattr__(product, name, value)
    assert [rule for rule, _ in check_product(product)] == [
        "product.name",
        "product.default-image",
        "product.display-position",
        "product.provider-ids",
    ]


# --- validity ----------------------------------------------------------------------------------


def test_a_product_is_valid_always_by_default() -> None:
    validity = dsl().validity
    assert validity == Validity()
    assert validity.kind == "always"
    assert validity.covers(date.min)
    assert validity.covers(date.max)


def test_a_product_valid_from_a_date_is_valid_from_that_day_on() -> None:
    validity = Validity(d("2025-01-01"))
    assert validity.kind == "from"
    assert not validity.covers(d("2024-12-31"))
    assert validity.covers(d("2025-01-01"))
    assert validity.covers(date.max)


def test_a_product_valid_between_dates_is_not_valid_on_its_end_date() -> None:
    validity = Validity(d("2025-01-01"), d("2025-07-01"))
    assert validity.kind == "between"
    assert not validity.covers(d("2024-12-31"))
    assert validity.covers(d("2025-01-01"))
    assert validity.covers(d("2025-06-30"))
    assert not validity.covers(d("2025-07-01"))


def test_a_validity_with_only_an_end_is_between_the_beginning_of_time_and_its_end() -> None:
    validity = Validity(end=d("2025-07-01"))
    assert validity.kind == "between"
    assert validity.covers(date.min)
    assert not validity.covers(d("2025-07-01"))


@pytest.mark.parametrize("end", ["2025-01-01", "2024-12-31"])
def test_a_validity_must_end_after_it_starts(end: str) -> None:
    assert broken_rule(validity=Validity(d("2025-01-01"), d(end))) == "product.validity"


@pytest.mark.parametrize(
    "validity",
    [
        Validity(datetime(2025, 1, 1, tzinfo=UTC)),
        Validity(end=datetime(2025, 1, 1, tzinfo=UTC)),
        Validity("2025-01-01"),  # type: ignore[arg-type]
    ],
)
def test_validity_bounds_are_dates_not_instants_or_text(validity: Validity) -> None:
    assert broken_rule(validity=validity) == "product.validity"


@pytest.mark.parametrize("end", [datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01"])
def test_a_validity_mixing_a_date_with_another_kind_of_end_is_refused_as_a_rule(
    end: object,
) -> None:
    mixed = Validity(d("2025-01-01"), end)  # type: ignore[arg-type]
    assert broken_rule(validity=mixed) == "product.validity"


@given(st.dates(), st.dates(), st.dates())
def test_covers_is_start_inclusive_and_end_exclusive(start: date, end: date, day: date) -> None:
    if end <= start:
        return
    assert Validity(start, end).covers(day) == (start <= day < end)
    assert Validity(start).covers(day) == (start <= day)


# --- availability ----------------------------------------------------------------------------


def test_an_active_product_is_offered_while_it_is_valid() -> None:
    product = dsl(validity=Validity(d("2025-01-01"), d("2026-01-01")))
    assert product.availability is Availability.ACTIVE
    assert not product.is_offered_on(d("2024-12-31"))
    assert product.is_offered_on(d("2025-01-01"))
    assert not product.is_offered_on(d("2026-01-01"))


def test_a_hidden_product_is_still_offered_only_not_shown() -> None:
    product = dsl(availability=Availability.HIDDEN)
    assert product.is_offered_on(d("2025-06-01"))


@pytest.mark.parametrize(
    "validity", [Validity(), Validity(d("2025-01-01")), Validity(d("2025-01-01"), d("2026-01-01"))]
)
def test_a_historic_product_is_never_offered_even_while_valid(validity: Validity) -> None:
    product = dsl(availability=Availability.HISTORIC, validity=validity)
    assert not product.is_offered_on(d("2025-06-01"))


# --- images ----------------------------------------------------------------------------------


def images(count: int, defaults: set[int]) -> tuple[Image, ...]:
    return tuple(Image(f"https://img/{i}.png", f"view {i}", i in defaults) for i in range(count))


def test_a_product_needs_no_images() -> None:
    assert dsl().images == ()
    assert dsl().default_image is None


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_up_to_four_images_with_exactly_one_default(count: int) -> None:
    product = dsl(images=images(count, {count - 1}))
    assert len(product.images) == count
    assert product.default_image == product.images[count - 1]


def test_a_fifth_image_is_refused() -> None:
    assert broken_rule(images=images(5, {0})) == "product.images"


@pytest.mark.parametrize("defaults", [set(), {0, 1}, {0, 1, 2}])
def test_images_without_exactly_one_default_are_refused(defaults: set[int]) -> None:
    assert broken_rule(images=images(3, defaults)) == "product.default-image"


def test_images_are_kept_as_a_tuple_in_their_order() -> None:
    given_images = list(images(2, {1}))
    assert dsl(images=given_images).images == tuple(given_images)


# --- custom fields ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (FieldKind.STRING, "red"),
        (FieldKind.STRING, ""),
        (FieldKind.NUMBER, Decimal("2.50")),
        (FieldKind.NUMBER, 3),
        (FieldKind.NUMBER, -1),
        (FieldKind.DATE, d("2025-03-01")),
    ],
)
def test_custom_fields_hold_a_value_of_their_kind(kind: FieldKind, value: object) -> None:
    product = dsl(custom_fields=[CustomField("spec", kind, value)])  # type: ignore[arg-type]
    assert product.field("spec") == value
    assert type(product.field("spec")) is type(value)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (FieldKind.NUMBER, 2.5),
        (FieldKind.NUMBER, True),
        (FieldKind.NUMBER, "2.50"),
        (FieldKind.DATE, datetime(2025, 3, 1, tzinfo=UTC)),
        (FieldKind.DATE, datetime(2025, 3, 1)),
        (FieldKind.DATE, "2025-03-01"),
        (FieldKind.STRING, 7),
        (FieldKind.STRING, d("2025-03-01")),
    ],
    ids=lambda value: type(value).__name__,
)
def test_a_custom_field_value_of_another_kind_is_refused(kind: FieldKind, value: object) -> None:
    field = CustomField("spec", kind, value)  # type: ignore[arg-type]
    assert broken_rule(custom_fields=[field]) == "product.custom-fields"


def test_a_float_is_refused_because_it_cannot_hold_the_number_exactly() -> None:
    with pytest.raises(RuleViolation, match="numbers as Decimal or int"):
        dsl(custom_fields=[CustomField("speed", FieldKind.NUMBER, 0.1)])  # type: ignore[arg-type]


def test_a_custom_field_is_defined_once() -> None:
    twice = [CustomField("spec", FieldKind.STRING, "a"), CustomField("spec", FieldKind.STRING, "b")]
    assert broken_rule(custom_fields=twice) == "product.custom-fields"


def test_an_unknown_custom_field_has_no_value() -> None:
    assert dsl().field("colour") is None


# --- provider ids ----------------------------------------------------------------------------


def test_each_provider_knows_the_product_by_its_own_id() -> None:
    product = dsl(provider_ids=[ProviderId("nagra", "N-1"), ProviderId("radius", "R-1")])
    assert product.provider_id("nagra") == "N-1"
    assert product.provider_id("radius") == "R-1"
    assert product.provider_id("netflix") is None


def test_a_provider_gives_a_product_one_id() -> None:
    twice = [ProviderId("nagra", "N-1"), ProviderId("nagra", "N-2")]
    assert broken_rule(provider_ids=twice) == "product.provider-ids"


def test_two_providers_may_use_the_same_id() -> None:
    product = dsl(provider_ids=[ProviderId("nagra", "1"), ProviderId("radius", "1")])
    assert len(product.provider_ids) == 2


# --- categories and features -----------------------------------------------------------------


def test_a_single_string_is_one_category_not_its_characters() -> None:
    assert dsl(categories="internet").categories == frozenset({"internet"})
    assert dsl(applicable_on_features="roaming").applicable_on_features == frozenset({"roaming"})


def test_categories_are_a_set() -> None:
    product = dsl(categories=["internet", "promo", "internet"])
    assert product.categories == frozenset({"internet", "promo"})


# --- copying ---------------------------------------------------------------------------------

#: What seed 004's NEW > COPY carries over to the new product.
CARRIED = {"type_code", "brand", "family", "description", "validity", "categories"}


def every_field_set() -> Product:
    """A product with every field set to something other than its default."""
    return Product(
        "DSL-100",
        "DSL 100",
        "INTERNET",
        alternative_code="SKU-9",
        description="Fast enough",
        long_description="Really fast enough",
        brand="Acme",
        family="DSL",
        categories={"internet", "home"},
        priority=3,
        validity=Validity(d("2025-01-01"), d("2026-01-01")),
        availability=Availability.HIDDEN,
        tax_codes=["VAT", "CITY"],
        vat_code="VAT",
        display_class="broadband",
        display_position=2,
        applicable_on_numbers=True,
        applicable_on_features={"static-ip"},
        auto_add_to_customer=True,
        auto_remove_from_interests=True,
        custom_fields=[CustomField("speed", FieldKind.NUMBER, 100)],
        images=[Image("https://img/dsl.png", "DSL", default=True)],
        provider_ids=[ProviderId("radius", "R-100")],
        created_at=datetime(2025, 1, 2, 9, 0, tzinfo=UTC),
        modified_at=datetime(2025, 3, 4, 9, 0, tzinfo=UTC),
        attachments=[Attachment("Datasheet", "https://example.com/dsl.pdf", AttachmentKind.URL)],
        fixed_term_days=30,
        customer_may_change_package=False,
        max_per_customer=2,
    )


def test_the_copy_source_sets_every_field() -> None:
    original, blank = every_field_set(), Product("X", "X", "OTHER")
    unset = [
        f.name for f in attrs.fields(Product) if getattr(original, f.name) == getattr(blank, f.name)
    ]
    assert unset == []


def test_copying_carries_over_type_brand_family_description_validity_and_categories() -> None:
    original = every_field_set()
    copy = copy_product(original, "DSL-200", "DSL 200")
    assert (copy.code, copy.name) == ("DSL-200", "DSL 200")
    for name in CARRIED:
        assert getattr(copy, name) == getattr(original, name), name


def test_copying_carries_over_nothing_else() -> None:
    copy = copy_product(every_field_set(), "DSL-200", "DSL 200")
    blank = Product("DSL-200", "DSL 200", copy.type_code)
    for field in attrs.fields(Product):
        if field.name not in CARRIED:
            assert getattr(copy, field.name) == getattr(blank, field.name), field.name


def test_copying_leaves_the_original_as_it_was() -> None:
    original = every_field_set()
    copy_product(original, "DSL-200", "DSL 200")
    assert original == every_field_set()


def test_a_copy_is_checked_like_any_product() -> None:
    with pytest.raises(RuleViolation) as raised:
        copy_product(dsl(), " DSL-200", "DSL 200")
    assert raised.value.rule == "code.format"


@settings(max_examples=max(settings().max_examples // 2, 5))
@given(product_types().flatmap(lambda t: products([t])))
def test_generated_products_are_valid_and_copy_the_carried_fields(product: Product) -> None:
    assert check_product(product) == []
    copy = copy_product(product, "COPY", "Copy")
    assert all(getattr(copy, name) == getattr(product, name) for name in CARRIED)


# --- editions --------------------------------------------------------------------------------


def office() -> EditionLadder:
    """Office: Basic < Pro < Premium; Premium cannot move straight down to Basic."""
    return EditionLadder(
        "OFFICE",
        (Edition("BASIC", "Basic"), Edition("PRO", "Pro"), Edition("PREMIUM", "Premium")),
        forbidden={("PREMIUM", "BASIC")},
    )


def test_the_ladder_order_defines_the_ranks() -> None:
    ladder = office()
    assert ladder.codes == ("BASIC", "PRO", "PREMIUM")
    assert [ladder.rank(code) for code in ladder.codes] == [0, 1, 2]


@pytest.mark.parametrize(
    ("from_code", "to_code", "direction"),
    [
        ("BASIC", "PRO", UP),
        ("BASIC", "PREMIUM", UP),
        ("PRO", "PREMIUM", UP),
        ("PREMIUM", "PRO", DOWN),
        ("PRO", "BASIC", DOWN),
        ("PRO", "PRO", SAME),
    ],
)
def test_moving_up_the_ladder_is_an_upgrade_and_down_a_downgrade(
    from_code: str, to_code: str, direction: Direction
) -> None:
    assert office().direction(from_code, to_code) is direction
    assert office().check_move(from_code, to_code) is direction


def test_the_same_tiers_in_another_order_swap_upgrades_and_downgrades() -> None:
    reversed_ladder = EditionLadder("OFFICE", tuple(reversed(office().editions)))
    assert reversed_ladder.direction("BASIC", "PRO") is DOWN


def test_a_forbidden_move_is_refused() -> None:
    with pytest.raises(RuleViolation) as raised:
        office().check_move("PREMIUM", "BASIC")
    assert raised.value.rule == "edition.forbidden-move"
    assert raised.value.subject == "OFFICE"
    assert "PREMIUM to BASIC" in str(raised.value)


def test_only_the_forbidden_direction_is_refused() -> None:
    assert office().check_move("BASIC", "PREMIUM") is UP
    assert office().direction("PREMIUM", "BASIC") is DOWN  # direction() only classifies


@pytest.mark.parametrize(
    "call",
    [
        lambda ladder: ladder.rank("ULTRA"),
        lambda ladder: ladder.direction("ULTRA", "PRO"),
        lambda ladder: ladder.direction("PRO", "ULTRA"),
        lambda ladder: ladder.check_move("BASIC", "ULTRA"),
        lambda ladder: ladder.higher_than("ULTRA"),
    ],
)
def test_an_unknown_edition_is_not_found(call: Any) -> None:
    with pytest.raises(NotFound) as raised:
        call(office())
    assert raised.value.kind == "edition"
    assert raised.value.key == "ULTRA"
    assert "['BASIC', 'PRO', 'PREMIUM']" in str(raised.value)


@pytest.mark.parametrize(
    ("code", "higher"), [("BASIC", ["PRO", "PREMIUM"]), ("PRO", ["PREMIUM"]), ("PREMIUM", [])]
)
def test_higher_than_offers_the_editions_above_lowest_first(code: str, higher: list[str]) -> None:
    assert [edition.code for edition in office().higher_than(code)] == higher


@pytest.mark.parametrize(
    ("editions", "forbidden", "rule"),
    [
        ((), (), "edition.none"),
        ((Edition("PRO", "Pro"), Edition("PRO", "Pro 2")), (), "edition.duplicate"),
        ((Edition(" PRO", "Pro"),), (), "code.format"),
        ((Edition("PRO", "Pro"),), [("PRO", "ULTRA")], "edition.forbidden-unknown"),
    ],
)
def test_a_ladder_is_refused_when_it_breaks_a_rule(
    editions: tuple[Edition, ...], forbidden: list[tuple[str, str]], rule: str
) -> None:
    with pytest.raises(RuleViolation) as raised:
        EditionLadder("OFFICE", editions, forbidden)
    assert raised.value.rule == rule


def test_forbidden_moves_may_be_given_as_lists() -> None:
    ladder = EditionLadder("OFFICE", office().editions, [["PREMIUM", "BASIC"]])
    assert ladder.forbidden == frozenset({("PREMIUM", "BASIC")})


@given(st.lists(st.sampled_from("ABCDEFG"), min_size=1, unique=True), st.data())
def test_direction_follows_the_ladder_order(codes: list[str], data: st.DataObject) -> None:
    ladder = EditionLadder("P", tuple(Edition(code, code) for code in codes))
    first, second = data.draw(st.sampled_from(codes)), data.draw(st.sampled_from(codes))
    low, high = codes.index(first), codes.index(second)
    expected = UP if high > low else DOWN if high < low else SAME
    assert ladder.direction(first, second) is expected
    reverse = {UP: DOWN, DOWN: UP, SAME: SAME}[expected]
    assert ladder.direction(second, first) is reverse
    assert [e.code for e in ladder.higher_than(first)] == codes[low + 1 :]


@pytest.mark.parametrize("limit", [0, -1, True, 1.5, "2"])
def test_max_per_customer_is_a_whole_number_of_at_least_one(limit: object) -> None:
    with pytest.raises(RuleViolation, match=r"product\.max-per-customer"):
        Product("DOM", "Domain", "DOMAIN", max_per_customer=limit)  # type: ignore[arg-type]
