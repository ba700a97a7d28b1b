"""quote_order_line: every step of pricing one order line, and lines that add up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import ANNUAL, MONTHLY, CurrencyMismatch, Money, NotFound, RuleViolation
from prodlife.errors import InvalidAmount, InvalidPeriod
from prodlife.pricing import (
    AdditiveDiscount,
    AddonPick,
    ConfigurableOption,
    OptionChoice,
    OptionPick,
    OrderLineSpec,
    PlanRate,
    PriceBasis,
    PriceLineKind,
    PricePlan,
    PricingContext,
    Promotion,
    PromotionDuration,
    PromotionKind,
    PromotionRefused,
    Rate,
    RefusalReason,
    TaxRate,
    Tier,
    quote_order_line,
)
from tests._support import usd

DAY = date(2025, 5, 10)
SEATS = Rate.graduated(
    [Tier(10, usd("5.00")), Tier(50, usd("4.00")), Tier(None, usd("3.00"))],
    base=usd("20.00"),
)
PLAN = PricePlan(
    "STD",
    "Standard",
    "USD",
    [
        PlanRate("CRM", MONTHLY, SEATS, setup_fee=usd("50.00")),
        PlanRate("CRM", ANNUAL, Rate.per_unit(usd("45.00"))),
        PlanRate("BACKUP", MONTHLY, Rate.flat(usd("3.00"))),
    ],
)
STORAGE = ConfigurableOption(
    "STORAGE",
    "Storage",
    (OptionChoice("GB", "1 GB", {MONTHLY: usd("0.25"), ANNUAL: usd("2.50")}),),
    applies_to={"CRM"},
    quantity_based=True,
)
WELCOME = Promotion("WELCOME", PromotionKind.PERCENTAGE, Decimal(10), applies_to_setup=True)
LOYAL = AdditiveDiscount("LOYAL", "Loyalty", amount=usd("5.00"))
VAT = TaxRate("VAT", "VAT", Decimal(20))


def context(**overrides: object) -> PricingContext:
    fields: dict[str, object] = {
        "options": (STORAGE,),
        "promotions": (WELCOME,),
        "discounts": (LOYAL,),
        "taxes": (VAT,),
        "customer_id": "C-1",
        "customer_is_new": True,
    }
    fields.update(overrides)
    return PricingContext(PLAN, DAY, **fields)  # type: ignore[arg-type]


def kinds(quote: object) -> list[tuple[str, str]]:
    return [(line.kind.value, str(line.amount.amount)) for line in quote.lines]  # type: ignore[attr-defined]


def test_a_line_with_every_step_is_explained_and_adds_up() -> None:
    spec = OrderLineSpec(
        "CRM",
        quantity=12,
        cycle=MONTHLY,
        options=(OptionPick("STORAGE", "GB", 20),),
        addons=("BACKUP",),
        promo_code="welcome",
    )
    quote = quote_order_line(spec, context())
    # 20 base + 10 x 5 + 2 x 4 = 78; setup 50; storage 20 x 0.25 = 5; backup 3;
    # 10% off 78 and off the setup fee; 5 off what remains of 78; 20% VAT on the net.
    assert kinds(quote) == [
        ("recurring", "78.00"),
        ("setup", "50.00"),
        ("option", "5.00"),
        ("add-on", "3.00"),
        ("discount", "-7.80"),
        ("discount", "-5.00"),
        ("discount", "-5.00"),
        ("tax", "23.64"),
    ]
    assert quote.total == usd("141.84")
    assert sum((line.amount for line in quote.lines), usd("0")) == quote.total


def test_no_cycle_means_the_shortest_configured_cycle() -> None:
    quote = quote_order_line(OrderLineSpec("CRM", quantity=1), context(taxes=()))
    assert quote.cycle == MONTHLY


def test_a_price_override_replaces_the_plan_price_but_keeps_the_setup_fee() -> None:
    spec = OrderLineSpec("CRM", cycle=MONTHLY, price_override=usd("60.00"))
    quote = quote_order_line(spec, context(taxes=(), discounts=()))
    assert kinds(quote) == [("recurring", "60.00"), ("setup", "50.00")]
    assert "price override" in quote.lines[0].description


def test_inclusive_prices_report_the_tax_they_hold_without_adding_it() -> None:
    spec = OrderLineSpec("BACKUP")
    quote = quote_order_line(spec, context(basis=PriceBasis.INCLUSIVE, discounts=()))
    assert quote.total == usd("3.00")
    assert [part.amount for part in quote.included_taxes] == [usd("0.50")]
    assert all(line.kind is not PriceLineKind.TAX for line in quote.lines)


def test_a_refused_promo_code_says_why() -> None:
    newcomers = Promotion("HELLO", PromotionKind.FREE_SETUP, None, new_customers_only=True)
    spec = OrderLineSpec("CRM", promo_code="HELLO")
    with pytest.raises(PromotionRefused) as refused:
        quote_order_line(spec, context(promotions=(newcomers,), customer_is_new=False))
    assert refused.value.reason is RefusalReason.NEW_CUSTOMERS_ONLY


def test_free_setup_takes_the_whole_setup_fee_off() -> None:
    newcomers = Promotion("HELLO", PromotionKind.FREE_SETUP, None, new_customers_only=True)
    spec = OrderLineSpec("CRM", quantity=1, promo_code="HELLO")
    quote = quote_order_line(spec, context(promotions=(newcomers,), discounts=(), taxes=()))
    assert kinds(quote) == [("recurring", "25.00"), ("setup", "50.00"), ("discount", "-50.00")]


def test_an_unknown_promo_code_is_refused_as_unknown() -> None:
    with pytest.raises(PromotionRefused) as refused:
        quote_order_line(OrderLineSpec("CRM", promo_code="NOPE"), context())
    assert refused.value.reason is RefusalReason.UNKNOWN_CODE


def test_an_unknown_option_or_cycle_is_not_found() -> None:
    with pytest.raises(NotFound, match="STORAGE"):
        quote_order_line(OrderLineSpec("CRM", options=(OptionPick("DISK", "GB"),)), context())
    with pytest.raises(NotFound):
        quote_order_line(OrderLineSpec("BACKUP", cycle=ANNUAL), context())


def test_an_option_for_another_product_is_refused() -> None:
    spec = OrderLineSpec("BACKUP", options=(OptionPick("STORAGE", "GB"),))
    with pytest.raises(RuleViolation, match=r"option\.product"):
        quote_order_line(spec, context())


def test_discounts_never_take_the_product_price_below_zero() -> None:
    big = AdditiveDiscount("BIG", "Big", amount=usd("1000.00"))
    quote = quote_order_line(OrderLineSpec("BACKUP"), context(discounts=(big,), taxes=()))
    assert quote.total == usd("0.00")
    assert kinds(quote) == [("recurring", "3.00"), ("discount", "-3.00")]


@given(
    quantity=st.integers(0, 200),
    storage=st.integers(0, 50),
    percent=st.integers(1, 100),
    off=st.integers(0, 20_000),
    vat=st.integers(0, 30),
    cycle=st.sampled_from([MONTHLY, ANNUAL]),
    addon=st.booleans(),
    inclusive=st.booleans(),
)
def test_quote_lines_always_add_up_exactly_to_the_total(
    quantity: int,
    storage: int,
    percent: int,
    off: int,
    vat: int,
    cycle: object,
    addon: bool,
    inclusive: bool,
) -> None:
    promotion = Promotion(
        "P", PromotionKind.PERCENTAGE, Decimal(percent), PromotionDuration.FOREVER
    )
    discount = AdditiveDiscount("D", "D", amount=Money.from_minor_units(off or 1, "USD"))
    spec = OrderLineSpec(
        "CRM",
        quantity=quantity,
        cycle=cycle,  # type: ignore[arg-type]
        options=(OptionPick("STORAGE", "GB", storage),),
        addons=("BACKUP",) if addon and cycle == MONTHLY else (),
        promo_code="p",
    )
    quote = quote_order_line(
        spec,
        context(
            promotions=(promotion,),
            discounts=(discount,),
            taxes=(TaxRate("VAT", "VAT", Decimal(vat)),),
            basis=PriceBasis.INCLUSIVE if inclusive else PriceBasis.EXCLUSIVE,
        ),
    )
    assert sum((line.amount for line in quote.lines), usd("0")) == quote.total
    for line in quote.lines:
        assert line.amount.is_rounded
        assert abs((line.amount - line.exact).amount) <= Decimal("0.005")
    product_lines = [
        line.amount
        for line in quote.lines
        if line.kind is PriceLineKind.RECURRING
        or (line.kind is PriceLineKind.DISCOUNT and line.subject in ("P", "D"))
    ]
    assert sum(product_lines, usd("0")) >= usd("-0.01")


def test_a_promo_code_needs_the_customer_who_enters_it() -> None:
    with pytest.raises(RuleViolation, match=r"quote\.customer"):
        quote_order_line(OrderLineSpec("CRM", promo_code="WELCOME"), context(customer_id=""))


def test_a_price_override_in_another_currency_is_refused() -> None:
    spec = OrderLineSpec("CRM", cycle=MONTHLY, price_override=Money("8.00", "EUR"))
    with pytest.raises(CurrencyMismatch):
        quote_order_line(spec, context(taxes=()))


def test_a_negative_price_override_is_refused() -> None:
    spec = OrderLineSpec("CRM", cycle=MONTHLY, price_override=usd("-3.00"))
    with pytest.raises(RuleViolation, match=r"quote\.override"):
        quote_order_line(spec, context(taxes=()))


def test_an_option_priced_in_another_currency_is_refused() -> None:
    euro = ConfigurableOption(
        "EXTRA", "Extra", (OptionChoice("X", "X", {MONTHLY: Money("2", "EUR")}),), {"CRM"}
    )
    spec = OrderLineSpec("CRM", options=(OptionPick("EXTRA", "X"),))
    with pytest.raises(CurrencyMismatch):
        quote_order_line(spec, context(options=(euro,), taxes=()))


def test_a_bundle_component_is_not_charged_where_the_rate_excludes_components() -> None:
    plan = PricePlan(
        "P",
        "P",
        "USD",
        [PlanRate("CH", MONTHLY, Rate.flat(usd("4.00")), applies_to_components=False)],
    )
    alone = quote_order_line(OrderLineSpec("CH"), PricingContext(plan, DAY))
    inside = quote_order_line(OrderLineSpec("CH", as_component=True), PricingContext(plan, DAY))
    assert alone.total == usd("4.00")
    assert inside.total == usd("0.00")
    assert "bundle component" in inside.lines[0].description


def test_an_addon_can_be_ordered_on_its_own_cycle_and_quantity() -> None:
    plan = PricePlan(
        "P",
        "P",
        "USD",
        [
            PlanRate("CRM", MONTHLY, Rate.flat(usd("10.00"))),
            PlanRate("BACKUP", MONTHLY, Rate.per_unit(usd("3.00"))),
            PlanRate("BACKUP", ANNUAL, Rate.per_unit(usd("30.00"))),
        ],
    )
    spec = OrderLineSpec("CRM", addons=[AddonPick("BACKUP", ANNUAL, 2), "BACKUP"])
    quote = quote_order_line(spec, PricingContext(plan, DAY))
    assert kinds(quote) == [("recurring", "10.00"), ("add-on", "60.00"), ("add-on", "3.00")]


def test_a_float_price_override_is_refused() -> None:
    with pytest.raises(InvalidAmount, match="Money"):
        OrderLineSpec("CRM", price_override=9.99)  # type: ignore[arg-type]


def test_a_cycle_may_be_given_by_name() -> None:
    assert OrderLineSpec("CRM", cycle="annually").cycle == ANNUAL


def test_a_pricing_date_must_be_a_date() -> None:
    with pytest.raises(InvalidPeriod):
        PricingContext(PLAN, None)  # type: ignore[arg-type]
