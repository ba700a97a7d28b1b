"""Rate models: flat, per unit, graduated, volume and package, with base amounts and tier fees."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import Money
from prodlife.errors import RuleViolation
from prodlife.pricing.rates import (
    ChargePart,
    Rate,
    RateModel,
    Tier,
    check_rate,
    check_tier,
)
from prodlife.serialization import make_converter
from tests._support import usd

#: Units 1-10 at 5.00, 11-50 at 4.00, above 50 at 3.00.
TIERS = (Tier(10, usd("5.00")), Tier(50, usd("4.00")), Tier(None, usd("3.00")))
GRADUATED = Rate.graduated(TIERS)
VOLUME = Rate.volume(TIERS)
#: 10.00 per block of 25 units.
PACKAGE = Rate.package(usd("10.00"), 25)
PER_UNIT = Rate.per_unit(usd("5.00"))
FLAT = Rate.flat(usd("30.00"))


# --- the same quantities through every model ---------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "graduated", "volume", "package", "per_unit"),
    [
        (0, "0", "0", "0", "0"),
        (1, "5.00", "5.00", "10.00", "5.00"),
        (10, "50.00", "50.00", "10.00", "50.00"),
        (11, "54.00", "44.00", "10.00", "55.00"),
        (50, "210.00", "200.00", "20.00", "250.00"),
        (51, "213.00", "153.00", "30.00", "255.00"),
        (120, "420.00", "360.00", "50.00", "600.00"),
    ],
)
def test_each_model_prices_the_same_quantities_on_the_same_tiers(
    quantity: int, graduated: str, volume: str, package: str, per_unit: str
) -> None:
    assert GRADUATED.charge(quantity).total == usd(graduated)
    assert VOLUME.charge(quantity).total == usd(volume)
    assert PACKAGE.charge(quantity).total == usd(package)
    assert PER_UNIT.charge(quantity).total == usd(per_unit)
    assert FLAT.charge(quantity).total == usd("30.00")


def test_a_flat_rate_ignores_the_quantity() -> None:
    charge = FLAT.charge(7)
    assert charge.total == usd("30.00")
    assert charge.parts == (ChargePart("flat price", Decimal(1), usd("30.00"), usd("30.00")),)
    assert charge.quantity == 7


def test_a_per_unit_rate_is_the_price_times_the_quantity() -> None:
    charge = PER_UNIT.charge(3)
    assert [(p.units, p.unit_price, p.amount) for p in charge.parts] == [
        (Decimal(3), usd("5.00"), usd("15.00"))
    ]


def test_graduated_pricing_charges_each_tier_at_its_own_rate() -> None:
    charge = GRADUATED.charge(120)
    assert [(p.description, p.units, p.amount) for p in charge.parts] == [
        ("tier 1 (up to 10)", Decimal(10), usd("50.00")),
        ("tier 2 (up to 50)", Decimal(40), usd("160.00")),
        ("tier 3 (over 50)", Decimal(70), usd("210.00")),
    ]


def test_graduated_pricing_lists_only_the_tiers_used() -> None:
    assert [p.units for p in GRADUATED.charge(11).parts] == [10, 1]
    assert [p.units for p in GRADUATED.charge(10).parts] == [10]
    assert GRADUATED.charge(0).parts == ()


def test_volume_pricing_charges_every_unit_at_the_reached_tier() -> None:
    charge = VOLUME.charge(51)
    assert len(charge.parts) == 1
    part = charge.parts[0]
    assert part.description == "tier 3 (over 50) reached, all units"
    assert (part.units, part.unit_price, part.amount) == (Decimal(51), usd("3.00"), usd("153.00"))


def test_a_tier_bound_is_inclusive() -> None:
    assert VOLUME.charge(10).parts[0].unit_price == usd("5.00")
    assert VOLUME.charge(11).parts[0].unit_price == usd("4.00")


def test_zero_units_use_no_tier() -> None:
    assert VOLUME.charge(0).parts == ()
    assert VOLUME.charge(0).total == usd("0")


def test_package_pricing_rounds_partial_blocks_up() -> None:
    charge = PACKAGE.charge(26)
    assert charge.total == usd("20.00")
    (part,) = charge.parts
    assert part.units == 2
    assert part.unit_price == usd("10.00")
    assert part.description == "2 blocks of 25 units for 26 units (partial blocks rounded up)"


def test_package_pricing_of_whole_blocks_says_nothing_about_rounding() -> None:
    assert PACKAGE.charge(50).parts[0].description == "2 blocks of 25 units for 50 units"
    assert PACKAGE.charge(1).parts[0].description.startswith("1 block of 25 units for 1 unit ")


def test_a_package_of_one_unit_is_per_unit_pricing() -> None:
    assert Rate.package(usd("5.00"), 1).charge(17).total == PER_UNIT.charge(17).total


# --- base amounts and tier fees ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "quantity", "expected"),
    [
        (Rate.graduated(TIERS, base=usd("20.00")), 0, "20.00"),
        (Rate.graduated(TIERS, base=usd("20.00")), 11, "74.00"),
        (Rate.volume(TIERS, base=usd("20.00")), 51, "173.00"),
        (Rate.package(usd("10.00"), 25, base=usd("20.00")), 26, "40.00"),
        (Rate.per_unit(usd("0.10"), base=usd("5.00")), 30, "8.00"),
    ],
)
def test_a_base_amount_is_added_to_the_tiered_amount(
    rate: Rate, quantity: int, expected: str
) -> None:
    charge = rate.charge(quantity)
    assert charge.total == usd(expected)
    base = rate.base
    assert base is not None
    assert charge.parts[0] == ChargePart("base amount", Decimal(1), base, base)


def test_the_base_amount_comes_first_in_the_explanation() -> None:
    charge = Rate.graduated(TIERS, base=usd("20.00")).charge(11)
    assert [p.description for p in charge.parts] == [
        "base amount",
        "tier 1 (up to 10)",
        "tier 2 (up to 50)",
    ]


FEE_TIERS = (
    Tier(10, usd("5.00")),
    Tier(50, usd("4.00"), flat_fee=usd("7.00")),
    Tier(None, usd("3.00"), flat_fee=usd("9.00")),
)


@pytest.mark.parametrize(
    ("quantity", "graduated", "volume"),
    [
        (0, "0", "0"),
        (10, "50.00", "50.00"),
        (11, "61.00", "51.00"),
        (51, "229.00", "162.00"),
    ],
)
def test_a_tier_flat_fee_is_charged_once_when_the_tier_is_used_or_reached(
    quantity: int, graduated: str, volume: str
) -> None:
    assert Rate.graduated(FEE_TIERS).charge(quantity).total == usd(graduated)
    assert Rate.volume(FEE_TIERS).charge(quantity).total == usd(volume)


def test_a_tier_flat_fee_is_its_own_part() -> None:
    parts = Rate.volume(FEE_TIERS).charge(11).parts
    assert [(p.description, p.amount) for p in parts] == [
        ("tier 2 (up to 50) reached, all units", usd("44.00")),
        ("tier 2 (up to 50) flat fee", usd("7.00")),
    ]


# --- usage quantities and exactness ------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "expected"),
    [(GRADUATED, "52.000"), (VOLUME, "42.000"), (PACKAGE, "10.00"), (PER_UNIT, "52.500")],
)
def test_a_fractional_usage_quantity_is_split_at_the_tier_bound(rate: Rate, expected: str) -> None:
    assert rate.charge(Decimal("10.5")).total == usd(expected)


def test_decimal_tier_bounds_price_fractional_usage() -> None:
    rate = Rate.volume((Tier(Decimal("0.5"), usd("2.00")), Tier(None, usd("1.00"))))
    assert rate.charge(Decimal("0.5")).total == usd("1.00")
    assert rate.charge(Decimal("0.75")).total == usd("0.75")


def test_charges_are_exact_and_left_unrounded() -> None:
    charge = Rate.per_unit(usd("0.0125")).charge(3)
    assert charge.total.amount == Decimal("0.0375")
    assert not charge.total.is_rounded


@pytest.mark.parametrize("quantity", [-1, Decimal("-0.01"), 1.5, True, "3", Decimal("NaN"), None])
def test_a_nonsense_quantity_is_refused(quantity: Any) -> None:
    with pytest.raises(RuleViolation, match="quantity") as caught:
        GRADUATED.charge(quantity)
    assert caught.value.rule == "rate.quantity"


def test_a_float_quantity_is_refused_with_the_decimal_to_use() -> None:
    with pytest.raises(RuleViolation, match=r"Decimal\('1.5'\)"):
        PER_UNIT.charge(1.5)  # type: ignore[arg-type]


def test_a_rate_knows_its_currency() -> None:
    assert Rate.flat(Money("9", "JPY")).currency.code == "JPY"
    assert GRADUATED.charge(3).currency.code == "USD"


# --- value rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"model": "flat", "price": usd("1")}, "rate.model"),
        ({"model": RateModel.FLAT}, "rate.fields"),
        ({"model": RateModel.FLAT, "price": usd("1"), "base": usd("1")}, "rate.fields"),
        ({"model": RateModel.FLAT, "price": usd("1"), "tiers": TIERS}, "rate.fields"),
        ({"model": RateModel.PER_UNIT, "price": usd("1"), "package_size": 5}, "rate.fields"),
        ({"model": RateModel.GRADUATED}, "rate.fields"),
        ({"model": RateModel.VOLUME, "tiers": TIERS, "price": usd("1")}, "rate.fields"),
        ({"model": RateModel.PACKAGE, "price": usd("1")}, "rate.fields"),
        ({"model": RateModel.PACKAGE, "package_size": 5}, "rate.fields"),
        ({"model": RateModel.PACKAGE, "price": usd("1"), "package_size": 0}, "rate.package-size"),
        (
            {"model": RateModel.PACKAGE, "price": usd("1"), "package_size": True},
            "rate.package-size",
        ),
        ({"model": RateModel.PACKAGE, "price": usd("1"), "package_size": 2.5}, "rate.package-size"),
        ({"model": RateModel.PER_UNIT, "price": usd("-1")}, "rate.price"),
        ({"model": RateModel.PER_UNIT, "price": "1.00"}, "rate.price"),
        ({"model": RateModel.PER_UNIT, "price": usd("1"), "base": usd("-1")}, "rate.price"),
        (
            {"model": RateModel.PER_UNIT, "price": usd("1"), "base": Money("1", "EUR")},
            "rate.currency",
        ),
        (
            {
                "model": RateModel.GRADUATED,
                "tiers": (Tier(10, usd("1")), Tier(None, Money("1", "EUR"))),
            },
            "rate.currency",
        ),
        ({"model": RateModel.GRADUATED, "tiers": (Tier(10, usd("1")),)}, "rate.tiers-order"),
        (
            {"model": RateModel.VOLUME, "tiers": (Tier(None, usd("2")), Tier(None, usd("1")))},
            "rate.tiers-order",
        ),
        (
            {
                "model": RateModel.VOLUME,
                "tiers": (Tier(50, usd("2")), Tier(10, usd("1")), Tier(None, usd("1"))),
            },
            "rate.tiers-order",
        ),
        (
            {
                "model": RateModel.VOLUME,
                "tiers": (Tier(10, usd("2")), Tier(10, usd("1")), Tier(None, usd("1"))),
            },
            "rate.tiers-order",
        ),
        ({"model": RateModel.VOLUME, "tiers": ("10 at 5.00",)}, "rate.fields"),
    ],
)
def test_a_rate_breaking_a_rule_is_refused(kwargs: dict[str, Any], rule: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        Rate(**kwargs)
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"up_to": 0}, "rate.tier-bound"),
        ({"up_to": -5}, "rate.tier-bound"),
        ({"up_to": 10.0}, "rate.tier-bound"),
        ({"up_to": True}, "rate.tier-bound"),
        ({"up_to": "10"}, "rate.tier-bound"),
        ({"up_to": Decimal("Infinity")}, "rate.tier-bound"),
        ({"unit_price": usd("-0.01")}, "rate.price"),
        ({"flat_fee": usd("-1")}, "rate.price"),
        ({"flat_fee": Money("1", "EUR")}, "rate.currency"),
        ({"block_size": 0}, "rate.block-size"),
        ({"block_size": 2.5}, "rate.block-size"),
        ({"block_size": True}, "rate.block-size"),
    ],
)
def test_a_tier_breaking_a_rule_is_refused(kwargs: dict[str, Any], rule: str) -> None:
    values: dict[str, Any] = {"up_to": 10, "unit_price": usd("1.00"), **kwargs}
    with pytest.raises(RuleViolation) as caught:
        Tier(**values)
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("blocks", "rule"),
    [
        ([(0, 10, usd("1")), (1, None, usd("1"))], "rate.block-size"),
        ([(10, 0, usd("1")), (1, None, usd("1"))], "rate.block-size"),
        ([(10, 1.5, usd("1")), (1, None, usd("1"))], "rate.block-size"),
        ([(10, 5, usd("1")), (1, 5, usd("1"))], "rate.tiers-order"),
        ([(10, 5, usd("1")), (1, None)], "rate.fields"),
        ([(10, 5, usd("-1")), (1, None, usd("1"))], "rate.price"),
    ],
)
def test_block_tiers_breaking_a_rule_are_refused(blocks: Any, rule: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        Rate.tiered_blocks(blocks)
    assert caught.value.rule == rule


def test_block_tier_bounds_add_up_each_tiers_blocks() -> None:
    rate = Rate.tiered_blocks([(100, 10, usd("1")), (1000, 5, usd("2")), (10, None, usd("3"))])
    assert [tier.up_to for tier in rate.tiers] == [1000, 6000, None]
    assert [tier.block_size for tier in rate.tiers] == [100, 1000, 10]
    assert rate.model is RateModel.GRADUATED
    assert Rate.tiered_blocks([(1, None, usd("1"))], top_tier=True).model is RateModel.VOLUME


def test_a_tier_of_blocks_explains_its_blocks() -> None:
    (part,) = Rate.tiered_blocks([(25, None, usd("10.00"))]).charge(26).parts
    assert str(part) == (
        "tier 1 (over 0): 2 blocks of 25 units for 26 units (partial blocks rounded up): "
        "2 x USD 10.00 = USD 20.00"
    )


def test_messages_name_the_bad_value_and_the_fix() -> None:
    with pytest.raises(RuleViolation) as caught:
        Rate.graduated((Tier(10, usd("1")), Tier(20, usd("1"))))
    assert "ends at 20" in str(caught.value)
    assert "up_to=None" in str(caught.value)


def test_sound_rates_and_tiers_have_no_findings() -> None:
    for rate in (GRADUATED, VOLUME, PACKAGE, PER_UNIT, FLAT):
        assert check_rate(rate) == []
    assert all(check_tier(tier) == [] for tier in TIERS)


def test_a_zero_price_is_allowed() -> None:
    assert Rate.flat(usd("0")).charge(1).total == usd("0")


# --- properties --------------------------------------------------------------------------------

prices = st.decimals(min_value=0, max_value=1000, places=2).map(usd)
quantities = st.integers(min_value=0, max_value=500) | st.decimals(
    min_value=0, max_value=500, places=3
)


@st.composite
def tier_sets(
    draw: st.DrawFn, order: str = "any", fees: bool = True, blocks: bool = False
) -> tuple[Tier, ...]:
    """Tiers with rising bounds; unit prices falling, rising or in any order; blocks if asked."""
    bounds = sorted(draw(st.sets(st.integers(1, 300), max_size=4)))
    unit_prices = draw(st.lists(prices, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    if order == "falling":
        unit_prices.sort(key=lambda price: price.amount, reverse=True)
    elif order == "rising":
        unit_prices.sort(key=lambda price: price.amount)
    fee = st.none() | prices if fees else st.none()
    limits: list[int | None] = [*bounds, None]
    size = st.none() | st.integers(1, 50) if blocks else st.none()
    return tuple(
        Tier(limit, price, draw(fee), draw(size))
        for limit, price in zip(limits, unit_prices, strict=True)
    )


@st.composite
def rates(draw: st.DrawFn) -> Rate:
    base = draw(st.none() | prices)
    model = draw(st.sampled_from(RateModel))
    if model is RateModel.FLAT:
        return Rate.flat(draw(prices))
    if model is RateModel.PER_UNIT:
        return Rate.per_unit(draw(prices), base=base)
    if model is RateModel.PACKAGE:
        free = draw(st.integers(0, 50))
        return Rate.package(draw(prices), draw(st.integers(1, 100)), base=base, free_units=free)
    tiers = draw(tier_sets(blocks=draw(st.booleans())))
    at_zero = model is RateModel.GRADUATED and draw(st.booleans())  # Lago's first flat fee
    return Rate(model, tiers=tiers, base=base, first_flat_fee_at_zero=at_zero)


@given(tier_sets(order="falling", fees=False), quantities, st.none() | prices)
def test_volume_is_at_most_graduated_when_tier_rates_fall(
    tiers: tuple[Tier, ...], quantity: int | Decimal, base: Money | None
) -> None:
    volume = Rate.volume(tiers, base=base).charge(quantity).total
    assert volume <= Rate.graduated(tiers, base=base).charge(quantity).total


@given(tier_sets(order="rising", fees=False), quantities, st.none() | prices)
def test_volume_is_at_least_graduated_when_tier_rates_rise(
    tiers: tuple[Tier, ...], quantity: int | Decimal, base: Money | None
) -> None:
    volume = Rate.volume(tiers, base=base).charge(quantity).total
    assert volume >= Rate.graduated(tiers, base=base).charge(quantity).total


@given(tier_sets(), quantities)
def test_volume_equals_graduated_within_the_first_tier(
    tiers: tuple[Tier, ...], quantity: int | Decimal
) -> None:
    first = tiers[0].up_to
    if first is not None and quantity > first:
        return
    volume = Rate.volume(tiers).charge(quantity).total
    assert volume == Rate.graduated(tiers).charge(quantity).total


@given(rates(), quantities)
def test_the_parts_always_sum_exactly_to_the_total(rate: Rate, quantity: int | Decimal) -> None:
    charge = rate.charge(quantity)
    assert sum((part.amount for part in charge.parts), Money.zero("USD")) == charge.total
    for part in charge.parts:
        assert part.amount == part.unit_price * part.units
        assert part.amount.amount >= 0


@given(
    rates().filter(lambda rate: rate.model is not RateModel.VOLUME),
    quantities,
    quantities,
)
def test_more_units_never_cost_less_except_under_volume_pricing(
    rate: Rate, first: int | Decimal, second: int | Decimal
) -> None:
    low, high = sorted([Decimal(first), Decimal(second)])
    assert rate.charge(low).total <= rate.charge(high).total


@given(st.integers(1, 100), st.integers(0, 1000), prices)
def test_a_package_charges_whole_blocks_covering_the_quantity(
    size: int, quantity: int, price: Money
) -> None:
    (part,) = Rate.package(price, size).charge(quantity).parts
    blocks = int(part.units)
    assert blocks * size >= quantity
    assert (blocks - 1) * size < quantity or blocks == 0


@given(tier_sets(), st.integers(0, 400))
def test_graduated_units_add_up_to_the_quantity(tiers: tuple[Tier, ...], quantity: int) -> None:
    parts = Rate.graduated(tiers).charge(quantity).parts
    assert sum(part.units for part in parts if not part.description.endswith("fee")) == quantity


@given(tier_sets(blocks=True, fees=False), quantities)
def test_block_tiers_charge_whole_blocks_covering_each_tiers_units(
    tiers: tuple[Tier, ...], quantity: int | Decimal
) -> None:
    by_units = Rate.graduated(attrs.evolve(tier, block_size=None) for tier in tiers)
    held = [part.units for part in by_units.charge(quantity).parts]
    blocks = [part.units for part in Rate.graduated(tiers).charge(quantity).parts]
    assert len(held) == len(blocks)
    for tier, units, count in zip(tiers, held, blocks, strict=False):
        if tier.block_size is None:
            assert count == units
        else:
            assert count == int(count)
            assert count * tier.block_size >= units > (count - 1) * tier.block_size


@given(tier_sets(blocks=True), st.integers(0, 400))
def test_blocks_of_one_unit_charge_whole_units_like_plain_tiers(
    tiers: tuple[Tier, ...], quantity: int
) -> None:
    ones = tuple(attrs.evolve(tier, block_size=1) for tier in tiers)
    plain = tuple(attrs.evolve(tier, block_size=None) for tier in tiers)
    for model in (RateModel.GRADUATED, RateModel.VOLUME):
        assert Rate(model, tiers=ones).charge(quantity).total == (
            Rate(model, tiers=plain).charge(quantity).total
        )


@given(tier_sets(blocks=True), quantities)
def test_top_tier_blocks_price_every_unit_in_the_reached_tiers_blocks(
    tiers: tuple[Tier, ...], quantity: int | Decimal
) -> None:
    parts = Rate.volume(tiers).charge(quantity).parts
    if not quantity:
        assert parts == ()
        return
    reached = next(t for t in tiers if t.up_to is None or quantity <= t.up_to)
    assert parts[0].unit_price == reached.unit_price
    count, size = parts[0].units, reached.block_size
    if size is None:
        assert count == quantity
    else:
        assert count == int(count)
        assert count * size >= quantity > (count - 1) * size


def test_a_whole_number_bound_is_kept_as_a_decimal() -> None:
    assert Tier(10, usd("1")) == Tier(Decimal(10), usd("1"))
    assert Tier(10, usd("1")).up_to == Decimal(10)


@pytest.mark.parametrize(
    "rate",
    [
        GRADUATED,
        VOLUME,
        PACKAGE,
        PER_UNIT,
        FLAT,
        Rate.tiered_blocks([(100, 10, usd("1")), (1000, None, usd("1"))], top_tier=True),
    ],
)
def test_a_rate_survives_a_json_round_trip(rate: Rate) -> None:
    converter = make_converter()
    data = json.loads(json.dumps(converter.unstructure(rate)))
    assert converter.structure(data, Rate) == rate
