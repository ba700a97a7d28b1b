"""Price plans, the shortest-cycle default, recurring prices and configurable options."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import ANNUAL, MONTHLY, ONE_TIME, QUARTERLY, SEMI_ANNUAL, BillingCycle, Money
from prodlife.catalog import Validity
from prodlife.cycles import BIENNIAL
from prodlife.errors import NotFound, RuleViolation, UnknownCurrency
from prodlife.pricing import (
    PlanRate,
    PricePlan,
    RecurringPrice,
    check_plan_rate,
    check_price_plan,
    cycle_order,
)
from prodlife.pricing.options import (
    ConfigurableOption,
    OptionChoice,
    check_configurable_option,
    check_option_for,
    option_price,
)
from prodlife.pricing.rates import Rate, Tier
from prodlife.serialization import make_converter
from tests._support import d, usd

DAY = d("2025-03-01")


def flat(amount: str) -> Rate:
    return Rate.flat(usd(amount))


def row(cycle: BillingCycle, amount: str, **kwargs: Any) -> PlanRate:
    return PlanRate(kwargs.pop("product", "VPS"), cycle, flat(amount), **kwargs)


PLAN = PricePlan(
    "STD",
    "Standard",
    "USD",
    (
        row(ANNUAL, "100.00", setup_fee=usd("0")),
        row(MONTHLY, "10.00", setup_fee=usd("5.00")),
        row(QUARTERLY, "28.00"),
        row(MONTHLY, "15.00", edition="PRO"),
        row(BIENNIAL, "300.00", edition="PRO"),
        # A price change: the old monthly PREMIUM price until April, the new one from then.
        row(MONTHLY, "20.00", edition="PREMIUM", validity=Validity(None, d("2025-04-01"))),
        row(MONTHLY, "22.00", edition="PREMIUM", validity=Validity(d("2025-04-01"))),
        row(ONE_TIME, "49.00", product="SSL"),
        row(ANNUAL, "60.00", product="WEB", validity=Validity(d("2025-06-01"))),
    ),
)


# --- looking rates up --------------------------------------------------------------------------


def test_a_rate_is_found_by_product_and_cycle() -> None:
    found = PLAN.rate_for("VPS", QUARTERLY, DAY)
    assert found.rate == flat("28.00")
    assert found.edition is None


def test_an_editions_own_row_comes_before_the_products_row() -> None:
    assert PLAN.rate_for("VPS", MONTHLY, DAY, edition="PRO").rate == flat("15.00")
    assert PLAN.rate_for("VPS", MONTHLY, DAY).rate == flat("10.00")


def test_an_edition_without_a_row_for_the_cycle_falls_back_to_the_products_row() -> None:
    assert PLAN.rate_for("VPS", ANNUAL, DAY, edition="PRO").rate == flat("100.00")
    assert PLAN.rate_for("VPS", ANNUAL, DAY, edition="BASIC").rate == flat("100.00")


def test_an_editions_row_is_not_used_without_the_edition() -> None:
    with pytest.raises(NotFound):
        PLAN.rate_for("VPS", BIENNIAL, DAY)
    assert PLAN.rate_for("VPS", BIENNIAL, DAY, edition="PRO").rate == flat("300.00")


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2025-03-31", "20.00"), ("2025-04-01", "22.00"), ("2030-01-01", "22.00")],
)
def test_rows_are_used_only_on_the_days_they_are_valid(day: str, expected: str) -> None:
    found = PLAN.rate_for("VPS", MONTHLY, d(day), edition="PREMIUM")
    assert found.rate == flat(expected)


def test_a_row_not_yet_valid_is_not_found_and_the_message_says_when_it_is() -> None:
    with pytest.raises(NotFound) as caught:
        PLAN.rate_for("WEB", ANNUAL, DAY)
    message = str(caught.value)
    assert "no rate for WEB on 2025-03-01" in message
    assert "from 2025-06-01" in message
    assert PLAN.rate_for("WEB", ANNUAL, d("2025-06-01")).rate == flat("60.00")


def test_a_missing_cycle_is_not_found_with_a_hint_listing_the_cycles_that_exist() -> None:
    with pytest.raises(NotFound) as caught:
        PLAN.rate_for("VPS", SEMI_ANNUAL, DAY)
    error = caught.value
    assert error.kind == "plan rate"
    assert error.key == "VPS, semi-annual"
    assert "only for monthly, quarterly, annual" in str(error)
    assert "add a row for semi-annual" in str(error)


def test_the_hint_counts_the_editions_fallback_cycles() -> None:
    with pytest.raises(NotFound, match="monthly, quarterly, annual, biennial"):
        PLAN.rate_for("VPS", SEMI_ANNUAL, DAY, edition="PRO")


def test_an_unknown_product_is_not_found() -> None:
    with pytest.raises(NotFound, match="no rate for DSL on 2025-03-01"):
        PLAN.rate_for("DSL", MONTHLY, DAY)


def test_a_product_priced_only_by_edition_asks_for_an_edition() -> None:
    plan = PricePlan("P", "P", "USD", (row(MONTHLY, "1", edition="PRO"),))
    with pytest.raises(NotFound, match=r"editions \['PRO'\]"):
        plan.rate_for("VPS", MONTHLY, DAY)


def test_nothing_is_found_outside_the_plans_validity() -> None:
    plan = PricePlan(
        "OLD", "Old", "USD", PLAN.rates, validity=Validity(d("2024-01-01"), d("2025-01-01"))
    )
    assert plan.rate_for("VPS", MONTHLY, d("2024-12-31")).rate == flat("10.00")
    with pytest.raises(NotFound, match="valid from 2024-01-01 until 2025-01-01"):
        plan.rate_for("VPS", MONTHLY, DAY)
    assert plan.cycles_for("VPS", DAY) == ()
    with pytest.raises(NotFound, match="not on 2025-03-01"):
        plan.default_rate("VPS", DAY)


def test_a_setup_fee_belongs_to_the_cycles_row() -> None:
    assert PLAN.rate_for("VPS", MONTHLY, DAY).setup_fee == usd("5.00")
    assert PLAN.rate_for("VPS", ANNUAL, DAY).setup_fee == usd("0")
    assert PLAN.rate_for("VPS", QUARTERLY, DAY).setup_fee is None


def test_a_row_charges_its_rate() -> None:
    tiered = PlanRate("SEATS", MONTHLY, Rate.graduated((Tier(5, usd("8")), Tier(None, usd("6")))))
    assert tiered.charge(7).total == usd("52")
    assert row(MONTHLY, "10.00").charge().total == usd("10.00")


def test_a_row_prices_bundle_components_unless_told_otherwise() -> None:
    included = row(MONTHLY, "3.00", applies_to_components=False)
    assert included.applies(as_component=False)
    assert not included.applies(as_component=True)
    assert row(MONTHLY, "3.00").applies(as_component=True)


# --- cycles and the shortest-cycle default -----------------------------------------------------


def test_cycles_are_listed_shortest_first() -> None:
    assert PLAN.cycles_for("VPS", DAY) == (MONTHLY, QUARTERLY, ANNUAL)
    assert PLAN.cycles_for("VPS", DAY, edition="PRO") == (MONTHLY, QUARTERLY, ANNUAL, BIENNIAL)
    assert PLAN.cycles_for("DSL", DAY) == ()


def test_without_a_cycle_the_shortest_configured_cycles_pricing_is_used() -> None:
    assert PLAN.default_rate("VPS", DAY).cycle == MONTHLY
    assert PLAN.default_rate("VPS", DAY).rate == flat("10.00")
    assert PLAN.default_rate("VPS", DAY, edition="PRO").rate == flat("15.00")


def test_the_default_skips_cycles_not_valid_that_day() -> None:
    plan = PricePlan(
        "P",
        "P",
        "USD",
        (row(MONTHLY, "10", validity=Validity(d("2026-01-01"))), row(ANNUAL, "100")),
    )
    assert plan.default_rate("VPS", DAY).cycle == ANNUAL
    assert plan.default_rate("VPS", d("2026-01-01")).cycle == MONTHLY


def test_a_one_time_price_is_the_default_only_without_a_recurring_one() -> None:
    assert PLAN.default_rate("SSL", DAY).cycle == ONE_TIME
    plan = PricePlan("P", "P", "USD", (row(ONE_TIME, "99"), row(ANNUAL, "50")))
    assert plan.default_rate("VPS", DAY).cycle == ANNUAL
    assert plan.cycles_for("VPS", DAY) == (ANNUAL, ONE_TIME)


def test_a_product_without_rows_has_no_default() -> None:
    with pytest.raises(NotFound, match="no rate for DSL"):
        PLAN.default_rate("DSL", DAY)


def test_cycle_order_sorts_by_length_with_one_time_last() -> None:
    cycles = [ONE_TIME, BillingCycle.weeks(4), ANNUAL, BillingCycle.days(28), MONTHLY]
    assert sorted(cycles, key=cycle_order) == [
        BillingCycle.days(28),
        BillingCycle.weeks(4),
        MONTHLY,
        ANNUAL,
        ONE_TIME,
    ]


some_cycles = st.sampled_from(
    [MONTHLY, QUARTERLY, SEMI_ANNUAL, ANNUAL, BIENNIAL, BillingCycle.weeks(2), ONE_TIME]
)


@given(st.sets(some_cycles, min_size=1))
def test_the_default_is_never_longer_than_any_configured_recurring_cycle(
    cycles: set[BillingCycle],
) -> None:
    plan = PricePlan("P", "P", "USD", [row(cycle, "1") for cycle in cycles])
    chosen = plan.default_rate("VPS", DAY).cycle
    assert plan.cycles_for("VPS", DAY)[0] == chosen
    recurring = [cycle for cycle in cycles if cycle.is_recurring]
    if recurring:
        assert all(chosen.nominal_days <= cycle.nominal_days for cycle in recurring)
    else:
        assert chosen == ONE_TIME


# --- plan rules --------------------------------------------------------------------------------


def test_two_rows_for_one_product_edition_and_cycle_on_the_same_days_are_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        PricePlan(
            "P",
            "P",
            "USD",
            (
                row(MONTHLY, "10", validity=Validity(None, d("2025-05-01"))),
                row(MONTHLY, "12", validity=Validity(d("2025-04-01"))),
            ),
        )
    assert caught.value.rule == "plan.overlap"
    assert "VPS, monthly" in str(caught.value)
    assert caught.value.subject == "P"


@pytest.mark.parametrize(
    ("first", "second", "overlaps"),
    [
        ((None, None), (None, None), True),
        ((None, "2025-04-01"), ("2025-04-01", None), False),
        ((None, "2025-04-02"), ("2025-04-01", None), True),
        (("2025-01-01", "2025-02-01"), ("2025-02-01", "2025-03-01"), False),
        (("2025-01-01", "2025-03-01"), ("2025-02-01", "2025-02-02"), True),
        (("2025-05-01", None), ("2025-01-01", "2025-05-01"), False),
    ],
)
def test_rows_overlap_when_their_validities_share_a_day(
    first: tuple[str | None, str | None], second: tuple[str | None, str | None], overlaps: bool
) -> None:
    def validity(bounds: tuple[str | None, str | None]) -> Validity:
        return Validity(*(None if bound is None else d(bound) for bound in bounds))

    rows = (
        row(MONTHLY, "10", validity=validity(first)),
        row(MONTHLY, "12", validity=validity(second)),
    )
    if overlaps:
        with pytest.raises(RuleViolation, match=r"plan\.overlap"):
            PricePlan("P", "P", "USD", rows)
    else:
        PricePlan("P", "P", "USD", rows)


def test_rows_for_different_editions_or_cycles_may_share_days() -> None:
    PricePlan(
        "P",
        "P",
        "USD",
        (row(MONTHLY, "1"), row(MONTHLY, "2", edition="PRO"), row(ANNUAL, "3")),
    )


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"code": ""}, "code.format"),
        ({"name": " "}, "plan.name"),
        ({"currency": "EUR"}, "plan.currency"),
        ({"validity": Validity(d("2025-02-01"), d("2025-02-01"))}, "plan.validity"),
        ({"rates": ("VPS monthly 10",)}, "plan.rate"),
    ],
)
def test_a_plan_breaking_a_rule_is_refused(kwargs: dict[str, Any], rule: str) -> None:
    values: dict[str, Any] = {
        "code": "STD",
        "name": "Standard",
        "currency": "USD",
        "rates": (row(MONTHLY, "10"),),
        **kwargs,
    }
    with pytest.raises(RuleViolation) as caught:
        PricePlan(**values)
    assert caught.value.rule == rule


def test_a_plan_in_an_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        PricePlan("P", "P", "XYZ")


def test_a_plan_names_the_row_in_another_currency() -> None:
    with pytest.raises(RuleViolation, match="VPS, monthly is in USD, not in the plan's EUR"):
        PricePlan("P", "P", "EUR", (row(MONTHLY, "10"),))


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"product_code": " VPS"}, "code.format"),
        ({"edition": ""}, "code.format"),
        ({"cycle": "monthly"}, "plan.rate"),
        ({"rate": usd("10")}, "plan.rate"),
        ({"setup_fee": usd("-1")}, "plan.setup-fee"),
        ({"setup_fee": Money("1", "EUR")}, "plan.setup-fee"),
        ({"validity": Validity(d("2025-02-01"), d("2025-01-01"))}, "plan.validity"),
        ({"validity": Validity("2025-02-01")}, "plan.validity"),  # type: ignore[arg-type]
        ({"validity": Validity(d("2025-01-01"), "2026-01-01")}, "plan.validity"),  # type: ignore[arg-type]
        ({"validity": "always"}, "plan.validity"),
    ],
)
def test_a_plan_row_breaking_a_rule_is_refused(kwargs: dict[str, Any], rule: str) -> None:
    values: dict[str, Any] = {
        "product_code": "VPS",
        "cycle": MONTHLY,
        "rate": flat("10"),
        **kwargs,
    }
    with pytest.raises(RuleViolation) as caught:
        PlanRate(**values)
    assert caught.value.rule == rule
    assert "price plan row" in str(caught.value)


def test_a_plan_survives_a_json_round_trip() -> None:
    converter = make_converter()
    tiered = PlanRate(
        "SEATS",
        MONTHLY,
        Rate.volume((Tier(Decimal("5.5"), usd("8")), Tier(None, usd("6"))), base=usd("1")),
        setup_fee=usd("3"),
        validity=Validity(d("2025-01-01"), d("2026-01-01")),
        applies_to_components=False,
    )
    plan = PricePlan("P", "P", "USD", (*PLAN.rates, tiered), Validity(d("2024-01-01")))
    data = json.loads(json.dumps(converter.unstructure(plan)))
    assert converter.structure(data, PricePlan) == plan


def test_options_and_recurring_prices_survive_a_json_round_trip() -> None:
    converter = make_converter()
    for value in (DISK, BACKUPS, RecurringPrice(usd("7.50"), override=True)):
        data = json.loads(json.dumps(converter.unstructure(value)))
        assert converter.structure(data, type(value)) == value


def test_sound_plans_and_rows_have_no_findings() -> None:
    assert check_price_plan(PLAN) == []
    assert all(check_plan_rate(each) == [] for each in PLAN.rates)


# --- recurring price: override and auto-recalculate --------------------------------------------


def test_an_order_without_an_override_charges_the_list_price() -> None:
    price = RecurringPrice.at_order(usd("10.00"))
    assert price == RecurringPrice(usd("10.00"), override=False)


def test_an_order_with_a_price_override_charges_the_custom_price() -> None:
    price = RecurringPrice.at_order(usd("10.00"), override=usd("7.50"))
    assert price == RecurringPrice(usd("7.50"), override=True)


@pytest.mark.parametrize("override", [False, True])
def test_without_auto_recalculate_the_stored_price_is_kept(override: bool) -> None:
    price = RecurringPrice(usd("7.50"), override=override)
    assert price.recalculate(usd("20.00"), auto_recalculate=False) is price


@pytest.mark.parametrize("override", [False, True])
def test_auto_recalculate_replaces_the_price_with_the_new_list_price(override: bool) -> None:
    price = RecurringPrice(usd("7.50"), override=override)
    assert price.recalculate(usd("20.00"), auto_recalculate=True) == RecurringPrice(
        usd("20.00"), override=False
    )


def test_a_custom_price_can_be_set_on_a_service() -> None:
    custom = RecurringPrice.at_order(usd("10.00")).with_override(usd("4.00"))
    assert custom == RecurringPrice(usd("4.00"), override=True)


@pytest.mark.parametrize("auto", [False, True])
def test_a_new_list_price_in_another_currency_is_refused(auto: bool) -> None:
    with pytest.raises(RuleViolation, match="convert it") as caught:
        RecurringPrice(usd("1"), False).recalculate(Money("1", "EUR"), auto_recalculate=auto)
    assert caught.value.rule == "recurring.amount"


@pytest.mark.parametrize(
    "build",
    [
        lambda: RecurringPrice(usd("-1"), override=True),
        lambda: RecurringPrice("10", override=False),  # type: ignore[arg-type]
        lambda: RecurringPrice.at_order(usd("10"), override=usd("-1")),
        lambda: RecurringPrice.at_order(usd("10"), override=Money("1", "EUR")),
        lambda: RecurringPrice.at_order(usd("-10")),
        lambda: RecurringPrice(usd("1"), False).with_override(usd("-2")),
        lambda: RecurringPrice(usd("1"), False).recalculate(usd("-2"), auto_recalculate=False),
    ],
)
def test_a_negative_or_foreign_recurring_price_is_refused(build: Any) -> None:
    with pytest.raises(RuleViolation) as caught:
        build()
    assert caught.value.rule == "recurring.amount"


amounts = st.decimals(min_value=0, max_value=10_000, places=2).map(usd)


@given(amounts, st.booleans(), amounts, st.booleans())
def test_recalculating_gives_the_list_price_or_keeps_the_price(
    amount: Money, override: bool, list_price: Money, auto: bool
) -> None:
    price = RecurringPrice(amount, override)
    after = price.recalculate(list_price, auto_recalculate=auto)
    if auto:
        assert after == RecurringPrice(list_price, override=False)
    else:
        assert after == price
    assert after.recalculate(list_price, auto_recalculate=auto) == after


# --- configurable options ----------------------------------------------------------------------

DISK = ConfigurableOption(
    "DISK",
    "Extra disk",
    (
        OptionChoice("GB", "1 GB", {MONTHLY: usd("0.50"), ANNUAL: usd("5.00")}),
        OptionChoice("SSD", "1 GB SSD", [(ANNUAL, usd("9.00")), (MONTHLY, usd("1.00"))]),
    ),
    applies_to={"VPS", "WEB"},
    quantity_based=True,
)
BACKUPS = ConfigurableOption(
    "BACKUPS",
    "Backups",
    (
        OptionChoice("NO", "None", {MONTHLY: usd("0"), ANNUAL: usd("0")}),
        OptionChoice("DAILY", "Daily", {MONTHLY: usd("3.00")}),
    ),
    applies_to="VPS",
)


@pytest.mark.parametrize(
    ("option", "choice", "cycle", "quantity", "expected"),
    [
        (DISK, "GB", MONTHLY, 20, "10.00"),
        (DISK, "GB", ANNUAL, 20, "100.00"),
        (DISK, "SSD", MONTHLY, 1, "1.00"),
        (DISK, "GB", MONTHLY, 0, "0"),
        (BACKUPS, "DAILY", MONTHLY, 1, "3.00"),
        (BACKUPS, "NO", ANNUAL, 1, "0"),
    ],
)
def test_an_option_is_priced_per_cycle_and_quantity(
    option: ConfigurableOption, choice: str, cycle: BillingCycle, quantity: int, expected: str
) -> None:
    assert option_price(option, choice, cycle, quantity) == usd(expected)


def test_options_add_to_the_recurring_price() -> None:
    base = PLAN.rate_for("VPS", MONTHLY, DAY).charge().total
    options = option_price(DISK, "GB", MONTHLY, 10) + option_price(BACKUPS, "DAILY", MONTHLY)
    assert RecurringPrice.at_order(base + options).amount == usd("18.00")


def test_a_choice_without_a_price_for_the_cycle_is_not_found() -> None:
    with pytest.raises(NotFound) as caught:
        option_price(BACKUPS, "DAILY", ANNUAL)
    assert caught.value.kind == "option price"
    assert "priced only on monthly" in str(caught.value)
    assert "add a price for annual" in str(caught.value)


def test_an_unknown_choice_is_not_found_and_the_choices_are_listed() -> None:
    with pytest.raises(NotFound, match=r"choices \['NO', 'DAILY'\]"):
        option_price(BACKUPS, "WEEKLY", MONTHLY)


def test_choice_prices_are_kept_shortest_cycle_first() -> None:
    ssd = DISK.choice("SSD")
    assert ssd.cycles == (MONTHLY, ANNUAL)
    assert ssd == OptionChoice("SSD", "1 GB SSD", {MONTHLY: usd("1.00"), ANNUAL: usd("9.00")})
    assert ssd.price_for(QUARTERLY) is None


@pytest.mark.parametrize(("option", "quantity"), [(DISK, -1), (DISK, True), (BACKUPS, 2)])
def test_a_wrong_option_quantity_is_refused(option: ConfigurableOption, quantity: Any) -> None:
    with pytest.raises(RuleViolation) as caught:
        option_price(option, option.choices[0].code, MONTHLY, quantity)
    assert caught.value.rule == "option.quantity"


def test_an_option_applies_only_to_its_products() -> None:
    check_option_for(DISK, "WEB")
    with pytest.raises(RuleViolation, match="does not configure 'DSL'") as caught:
        check_option_for(BACKUPS, "DSL")
    assert caught.value.rule == "option.product"


GB = OptionChoice("GB", "1 GB", {MONTHLY: usd("1")})


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"code": ""}, "code.format"),
        ({"name": ""}, "option.name"),
        ({"choices": ()}, "option.choices"),
        ({"choices": (GB, GB)}, "option.choices"),
        ({"choices": ("GB",)}, "option.choices"),
        ({"applies_to": ()}, "option.applies-to"),
        ({"applies_to": {"VPS", " "}}, "code.format"),
        (
            {"choices": (GB, OptionChoice("X", "X", {MONTHLY: Money("1", "EUR")}))},
            "option.currency",
        ),
    ],
)
def test_an_option_breaking_a_rule_is_refused(kwargs: dict[str, Any], rule: str) -> None:
    values: dict[str, Any] = {
        "code": "DISK",
        "name": "Disk",
        "choices": (GB,),
        "applies_to": "VPS",
        **kwargs,
    }
    with pytest.raises(RuleViolation) as caught:
        ConfigurableOption(**values)
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"code": " "}, "code.format"),
        ({"name": ""}, "option.name"),
        ({"prices": {}}, "option.prices"),
        ({"prices": {MONTHLY: usd("-1")}}, "option.prices"),
        ({"prices": {MONTHLY: "1.00"}}, "option.prices"),
        ({"prices": {"monthly": usd("1")}}, "option.prices"),
        ({"prices": [(MONTHLY, usd("1")), (MONTHLY, usd("2"))]}, "option.prices"),
        ({"prices": [(MONTHLY,)]}, "option.prices"),
        ({"prices": {MONTHLY: usd("1"), ANNUAL: Money("9", "EUR")}}, "option.currency"),
    ],
)
def test_an_option_choice_breaking_a_rule_is_refused(kwargs: dict[str, Any], rule: str) -> None:
    values: dict[str, Any] = {"code": "GB", "name": "1 GB", "prices": {MONTHLY: usd("1")}, **kwargs}
    with pytest.raises(RuleViolation) as caught:
        OptionChoice(**values)
    assert caught.value.rule == rule


def test_sound_options_have_no_findings() -> None:
    assert check_configurable_option(DISK) == []
    assert check_configurable_option(BACKUPS) == []


@given(st.integers(0, 1000), st.sampled_from(["GB", "SSD"]), st.sampled_from([MONTHLY, ANNUAL]))
def test_a_quantity_based_option_costs_its_unit_price_times_the_quantity(
    quantity: int, choice: str, cycle: BillingCycle
) -> None:
    unit = option_price(DISK, choice, cycle)
    assert option_price(DISK, choice, cycle, quantity) == unit * quantity
