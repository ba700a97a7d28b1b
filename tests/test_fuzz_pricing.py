"""Fuzzing pricing: rates, plans, options, promotions, discounts, taxes, usage, one-off sales,
order-line quotes; and the product query and actors the use cases take.

Every call gets mostly valid arguments and sometimes junk (see ``tests/_fuzz.py``); it must
return a value that prints, or raise a ProdlifeError or a TypeError, never anything else.
"""

from __future__ import annotations

import decimal
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import ANNUAL, MONTHLY, ONE_TIME, Actor, Catalog, Money, Permission, ProductQuery
from prodlife.billing import price_activity, price_job
from prodlife.catalog import (
    Availability,
    Classification,
    GoodKind,
    Product,
    ProductType,
    ServiceKind,
)
from prodlife.catalog.products import Validity
from prodlife.errors import InvalidAmount, RuleViolation
from prodlife.lifecycle import ActorKind
from prodlife.lifecycle.actors import authorize
from prodlife.lifecycle.status import ACTIVE
from prodlife.lifecycle.transitions import Operation
from prodlife.limits import MAX_AMOUNT_DIGITS, MAX_QUANTITY, MAX_SERVICE_QUANTITY
from prodlife.pricing import (
    Activity,
    ActivityLine,
    ActivityType,
    AdditiveDiscount,
    AddonPick,
    ConfigurableOption,
    ConversionPolicy,
    DurationRounding,
    Job,
    JobLine,
    JobType,
    MeterReadingType,
    OptionChoice,
    OptionPick,
    OrderLineSpec,
    PlanRate,
    PriceBasis,
    PricePlan,
    PricingContext,
    Promotion,
    PromotionDuration,
    PromotionKind,
    PromotionUse,
    Rate,
    RateModel,
    RecurringPrice,
    RoundingDirection,
    TaxKind,
    TaxRate,
    TaxTable,
    Tier,
    UsageCatalog,
    UsageRate,
    UsageRateRow,
    UsageRecord,
    apply_discounts,
    apply_promotion,
    check_option_for,
    check_promotion,
    check_promotion_codes,
    convert_reading,
    cycle_order,
    find_promotion,
    option_price,
    quote_order_line,
    rate_usage,
    refusals,
    tax_line,
)
from prodlife.testing.strategies import billing_cycles, billing_dates, money
from tests._fuzz import attempt, either, junk

CODE = "USD"
LARGEST = Money("9" * MAX_AMOUNT_DIGITS + ".99", CODE)
PRICES = st.one_of(
    money(CODE, min_minor_units=0),
    money(CODE, min_minor_units=0, rounded=False),
    st.sampled_from([LARGEST, Money("0.01", CODE), Money(0, CODE), Money("0.000001", CODE)]),
)
QUANTITIES = st.one_of(
    st.integers(0, 1000),
    st.sampled_from([MAX_QUANTITY, MAX_QUANTITY + 1, 10**30, Decimal("10.5"), Decimal("1e-30")]),
    st.decimals(min_value=0, max_value=10**6, places=3),
)
DATES = billing_dates()
TEXT = st.text(max_size=8)
CODES = st.sampled_from(["VPS", "SEATS", "DISK", "IP", "X"])
ROUNDINGS = st.sampled_from([decimal.ROUND_HALF_UP, decimal.ROUND_HALF_EVEN, decimal.ROUND_DOWN])


def built(kind: Any, *strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``kind(*values)`` when that is accepted, else ``None`` (itself junk for the callee)."""
    return st.builds(lambda *values: attempt(lambda: kind(*values)), *strategies)


TIERS = st.one_of(
    st.just(
        (
            Tier(10, Money("5.00", CODE)),
            Tier(50, Money("4.00", CODE), Money("1.00", CODE)),
            Tier(None, Money("3.00", CODE)),
        )
    ),
    st.lists(built(Tier, either(QUANTITIES), either(PRICES), st.none() | PRICES), max_size=3),
)
RATES = st.one_of(
    built(Rate.flat, either(PRICES)),
    built(lambda price, base: Rate.per_unit(price, base=base), either(PRICES), st.none() | PRICES),
    built(
        lambda tiers, base, zero: Rate.graduated(tiers, base=base, first_flat_fee_at_zero=zero),
        either(TIERS),
        st.none() | PRICES,
        either(st.booleans()),
    ),
    built(
        lambda price, size, free: Rate.package(price, size, free_units=free),
        either(PRICES),
        either(st.integers(1, 100)),
        either(st.integers(0, 100)),
    ),
    built(lambda tiers: Rate.volume(tiers), either(TIERS)),
    built(Rate.package, either(PRICES), either(st.integers(1, 100))),
    built(
        lambda blocks, top: Rate.tiered_blocks(blocks, top_tier=top),
        either(
            st.lists(
                st.tuples(
                    either(QUANTITIES), st.none() | either(st.integers(1, 100)), either(PRICES)
                ),
                max_size=3,
            )
        ),
        st.booleans(),
    ),
)
PLAN = PricePlan(
    "STD",
    "Standard",
    CODE,
    (
        PlanRate("VPS", MONTHLY, Rate.flat(Money("10.00", CODE)), setup_fee=Money("5.00", CODE)),
        PlanRate("VPS", ANNUAL, Rate.flat(Money("100.00", CODE))),
        PlanRate("SEATS", MONTHLY, Rate.per_unit(Money("3.00", CODE))),
        PlanRate("BIG", MONTHLY, Rate.per_unit(LARGEST)),
        PlanRate("INSTALL", ONE_TIME, Rate.per_unit(Money("60.00", CODE))),
        PlanRate("BOX", ONE_TIME, Rate.flat(Money("99.00", CODE))),
    ),
)
OPTION = ConfigurableOption(
    "IP",
    "IP addresses",
    (
        OptionChoice("1", "1 IP", {MONTHLY: Money("2.00", CODE)}),
        OptionChoice("BIG", "many", {MONTHLY: LARGEST}),
    ),
    {"VPS", "SEATS"},
    quantity_based=True,
)
PROMOTIONS = (
    Promotion("HALF", PromotionKind.PERCENTAGE, 50, PromotionDuration.FOREVER),
    Promotion("FIVE", PromotionKind.FIXED_AMOUNT, Money("5.00", CODE), applies_to_setup=True),
    Promotion("FREE", PromotionKind.FREE_SETUP, None),
)
DISCOUNTS = (
    AdditiveDiscount("TEN", "Ten", percent=10),
    AdditiveDiscount("OFF", "Off", amount=Money("1.00", CODE)),
)
TAXES = (TaxRate("GST", "GST", 5), TaxRate("PST", "PST", "9.975", compound=True))
CATALOG = Catalog(
    [
        ProductType("ONCE", "One-time", Classification.SERVICE, service_kind=ServiceKind.ONE_TIME),
        ProductType("GOOD", "Good", Classification.PHYSICAL_GOOD, good_kind=GoodKind.NON_TRACEABLE),
    ],
    [Product("INSTALL", "Installation", "ONCE"), Product("BOX", "Box", "GOOD")],
)


# -- rates and plans ----------------------------------------------------------------------


@given(either(QUANTITIES), either(PRICES), st.none() | either(PRICES))
def test_tiers_are_made_or_refused(up_to: Any, price: Any, fee: Any) -> None:
    attempt(lambda: Tier(up_to, price, fee))


@given(
    either(st.sampled_from(RateModel)),
    st.none() | either(PRICES),
    either(TIERS),
    st.none() | either(st.integers(1, 100)),
    st.none() | either(PRICES),
)
def test_rates_are_made_or_refused(
    model: Any, price: Any, tiers: Any, size: Any, base: Any
) -> None:
    rate = attempt(lambda: Rate(model, price, tiers, size, base))
    if isinstance(rate, Rate):
        attempt(lambda: rate.charge(10))


@given(
    either(TEXT),
    either(TEXT),
    either(st.sampled_from(["USD", "EUR", "usd", "XXX"])),
    st.lists(st.sampled_from(PLAN.rates) | junk(), max_size=3),
    junk(),
)
def test_plans_are_made_or_refused(
    code: Any, name: Any, currency: Any, rows: Any, validity: Any
) -> None:
    attempt(lambda: PricePlan(code, name, currency, rows))
    attempt(lambda: PricePlan(code, name, currency, rows, validity))


@given(RATES, either(QUANTITIES))
def test_rates_charge_within_the_bounds_or_refuse(rate: Any, quantity: Any) -> None:
    if not isinstance(rate, Rate):
        return
    charge = attempt(lambda: rate.charge(quantity))
    if charge is not None:
        assert charge.quantity <= MAX_QUANTITY
        for part in charge.parts:
            str(part)


@given(either(CODES), either(billing_cycles()), RATES, st.none() | either(TEXT), junk())
def test_plan_rows_are_made_or_refused(
    code: Any, cycle: Any, rate: Any, edition: Any, fee: Any
) -> None:
    row = attempt(lambda: PlanRate(code, cycle, rate, edition, fee))
    if isinstance(row, PlanRate):
        attempt(lambda: PricePlan("P", "Plan", CODE, (row,)))
        attempt(lambda: PricePlan("P", "Plan", junk, (row, row)))  # type: ignore[arg-type]


@given(either(CODES), either(billing_cycles()), either(DATES), st.none() | either(TEXT))
def test_plans_look_up_rates_or_refuse(code: Any, cycle: Any, on: Any, edition: Any) -> None:
    attempt(lambda: PLAN.rate_for(code, cycle, on, edition))
    attempt(lambda: PLAN.cycles_for(code, on, edition))
    attempt(lambda: PLAN.default_rate(code, on, edition))
    attempt(lambda: cycle_order(cycle))


@given(either(TEXT), either(TEXT), either(st.lists(st.tuples(billing_cycles(), PRICES))))
def test_option_choices_are_made_or_refused(code: Any, name: Any, prices: Any) -> None:
    attempt(lambda: OptionChoice(code, name, prices))


@given(
    either(st.sampled_from(["1", "BIG", "X"])),
    either(billing_cycles()),
    either(st.integers(0, 10) | QUANTITIES),
    either(CODES),
)
def test_option_prices_are_bounded_or_refused(
    choice: Any, cycle: Any, quantity: Any, product: Any
) -> None:
    price = attempt(lambda: option_price(OPTION, choice, cycle, quantity))
    if isinstance(price, Money):
        assert price.amount.adjusted() < MAX_AMOUNT_DIGITS
    attempt(lambda: check_option_for(OPTION, product))
    attempt(lambda: option_price(junk, choice, cycle))  # type: ignore[arg-type]


@given(
    either(TEXT),
    either(TEXT),
    st.lists(either(st.sampled_from([OPTION, None])), max_size=2),
    junk(),
)
def test_options_are_made_or_refused(code: Any, name: Any, choices: Any, applies: Any) -> None:
    attempt(lambda: ConfigurableOption(code, name, choices, applies))


# -- promotions and discounts -------------------------------------------------------------


@given(
    either(TEXT),
    either(st.sampled_from(PromotionKind)),
    either(PRICES | st.integers(1, 100)),
    either(st.sampled_from(PromotionDuration)),
    st.none() | either(st.integers(1, 12)),
    junk(),
)
def test_promotions_are_made_or_refused(
    code: Any, kind: Any, value: Any, duration: Any, cycles: Any, products: Any
) -> None:
    made = attempt(lambda: Promotion(code, kind, value, duration, cycles, products))
    if isinstance(made, Promotion):
        made.describe()


@given(
    either(st.sampled_from(PROMOTIONS)),
    either(PRICES),
    st.none() | either(PRICES),
    either(st.integers(1, 5)),
)
def test_promotions_apply_or_refuse(promotion: Any, price: Any, setup: Any, number: Any) -> None:
    attempt(lambda: apply_promotion(promotion, price, setup, number))


@given(
    either(st.sampled_from(["half", " FIVE ", "nope"])),
    either(DATES),
    either(CODES),
    either(billing_cycles()),
    either(TEXT),
    either(st.integers(0, 5)),
)
def test_promo_codes_are_found_and_checked_or_refused(
    code: Any, on: Any, product: Any, cycle: Any, customer: Any, uses: Any
) -> None:
    found = attempt(lambda: find_promotion(PROMOTIONS, code))
    attempt(lambda: find_promotion(junk, code))  # type: ignore[arg-type]
    use = attempt(lambda: PromotionUse(on, product, cycle, customer, uses, uses, True))
    if isinstance(found, Promotion) and isinstance(use, PromotionUse):
        attempt(lambda: check_promotion(found, use))
        attempt(lambda: refusals(found, use))
    attempt(lambda: check_promotion(PROMOTIONS[0], use))  # type: ignore[arg-type]
    attempt(lambda: check_promotion_codes([found, use]))  # type: ignore[list-item]


@given(either(TEXT), either(TEXT), st.none() | either(QUANTITIES), st.none() | either(PRICES))
def test_additive_discounts_are_made_or_refused(
    code: Any, name: Any, percent: Any, amount: Any
) -> None:
    attempt(lambda: AdditiveDiscount(code, name, percent, amount))


@given(
    either(PRICES),
    st.none() | either(PRICES),
    either(st.lists(st.sampled_from(DISCOUNTS), max_size=2, unique=True)),
    either(CODES),
    either(DATES),
)
def test_discounts_apply_or_refuse(
    amount: Any, plan_discount: Any, additive: Any, product: Any, on: Any
) -> None:
    result = attempt(lambda: apply_discounts(amount, plan_discount, additive, product, on))
    if result is not None:
        assert result.final.amount >= 0


# -- taxes ----------------------------------------------------------------------------------


@given(either(TEXT), either(TEXT), either(QUANTITIES), junk(), either(st.sampled_from(TaxKind)))
def test_tax_rates_are_made_or_refused(
    code: Any, name: Any, percent: Any, compound: Any, kind: Any
) -> None:
    attempt(lambda: TaxRate(code, name, percent, compound, kind))


@given(
    either(PRICES),
    either(st.lists(st.sampled_from(TAXES), max_size=2, unique=True)),
    either(st.sampled_from(PriceBasis)),
    either(ROUNDINGS),
)
def test_taxes_are_computed_or_refused(amount: Any, rates: Any, basis: Any, rounding: Any) -> None:
    taxed = attempt(lambda: tax_line(amount, rates, basis, rounding=rounding))
    if taxed is not None:
        assert taxed.net + taxed.tax == taxed.gross


@given(either(st.lists(st.sampled_from(TAXES) | junk(), max_size=3)), either(TEXT))
def test_tax_tables_are_made_and_read_or_refused(rates: Any, code: Any) -> None:
    table = attempt(lambda: TaxTable(rates))
    if isinstance(table, TaxTable):
        attempt(lambda: table.get(code))
        attempt(lambda: table.rates_for([code]))
        attempt(lambda: table.rates_for(code))


# -- usage and meters -----------------------------------------------------------------------


@given(either(PRICES), either(QUANTITIES), either(QUANTITIES))
def test_usage_rates_charge_or_refuse(price: Any, included: Any, quantity: Any) -> None:
    rate = attempt(lambda: UsageRate(price, included))
    if isinstance(rate, UsageRate):
        attempt(lambda: rate.charge(quantity))
        attempt(lambda: rate.describe("GB"))


USAGE_RECORDS = built(
    UsageRecord,
    either(st.sampled_from(["DATA", "CALLS"])),
    either(QUANTITIES),
    either(st.sampled_from(["GB", "min"])),
    either(st.datetimes(datetime(2024, 1, 1), datetime(2026, 1, 1), timezones=st.just(UTC))),
    either(TEXT),
)


USAGE = UsageCatalog(
    "USC",
    "Usage",
    CODE,
    (
        UsageRateRow("DATA", UsageRate(Money("0.10", CODE), included=10), "GB"),
        UsageRateRow("CALLS", UsageRate(LARGEST), "min"),
    ),
    discount_percent=5,
)


@given(
    st.lists(USAGE_RECORDS, max_size=4) | junk(),
    st.none() | either(DATES),
    either(st.sampled_from(["UTC", "Asia/Tokyo"])),
)
def test_usage_is_rated_or_refused(records: Any, on: Any, zone: Any) -> None:
    attempt(lambda: rate_usage(records, USAGE, on, zone=zone))
    attempt(lambda: rate_usage(records, junk, on))  # type: ignore[arg-type]


@given(
    either(TEXT),
    either(TEXT),
    st.lists(either(built(UsageRateRow, either(TEXT), either(PRICES), either(TEXT))), max_size=2),
    st.none() | either(QUANTITIES),
)
def test_usage_catalogs_are_made_or_refused(code: Any, name: Any, rows: Any, percent: Any) -> None:
    attempt(lambda: UsageCatalog(code, name, CODE, rows, percent))


@given(either(QUANTITIES), either(QUANTITIES), st.none() | either(QUANTITIES), either(QUANTITIES))
def test_meter_readings_convert_or_refuse(
    previous: Any, current: Any, rollover: Any, rate: Any
) -> None:
    meter = attempt(lambda: MeterReadingType("ELEC", "Electricity", "kWh", rollover))
    policy = attempt(lambda: ConversionPolicy("ELEC", "POWER", "USC", rate))
    if isinstance(meter, MeterReadingType):
        attempt(lambda: meter.delta(previous, current))
        attempt(lambda: convert_reading(previous, current, meter, [policy]))  # type: ignore[list-item]


# -- one-off sales --------------------------------------------------------------------------


@given(
    either(st.timedeltas(timedelta(0), timedelta(hours=2))),
    either(st.timedeltas(timedelta(0), timedelta(hours=1))),
    either(st.sampled_from(RoundingDirection)),
    either(st.timedeltas(timedelta(0), timedelta(days=3))),
)
def test_durations_are_billed_or_refused(
    increment: Any, minimum: Any, mode: Any, actual: Any
) -> None:
    rounding = attempt(lambda: DurationRounding(increment, minimum, mode))
    if isinstance(rounding, DurationRounding):
        attempt(lambda: rounding.bill(actual))


@given(
    either(st.sampled_from(["INSTALL", "BOX", "X"])),
    either(st.integers(1, 5) | QUANTITIES),
    st.none() | either(PRICES),
    either(DATES),
    junk(),
)
def test_jobs_are_priced_or_refused(
    code: Any, quantity: Any, override: Any, on: Any, taxes: Any
) -> None:
    line = attempt(lambda: JobLine(code, quantity, override))
    job = attempt(lambda: Job("J-1", "C-1", "JOB", [line], on))  # type: ignore[list-item]
    job_type = JobType("JOB", "Job", {"BOX", "INSTALL"})
    attempt(lambda: price_job(job, job_type, CATALOG, PLAN))  # type: ignore[arg-type]
    attempt(lambda: price_job(job, job_type, CATALOG, PLAN, taxes))  # type: ignore[arg-type]
    attempt(lambda: price_job(job, taxes, CATALOG, PLAN))  # type: ignore[arg-type]
    attempt(lambda: price_job(job, job_type, taxes, taxes))  # type: ignore[arg-type]


@given(
    either(st.sampled_from(["INSTALL", "BOX", "X"])),
    either(st.timedeltas(timedelta(0), timedelta(days=30)) | st.just(timedelta.max)),
    st.none() | either(PRICES),
    either(DATES),
    junk(),
)
def test_activities_are_priced_or_refused(
    code: Any, duration: Any, override: Any, on: Any, other: Any
) -> None:
    line = attempt(lambda: ActivityLine(code, duration, override))
    activity = attempt(lambda: Activity("A-1", "C-1", "VISIT", [line], on))  # type: ignore[list-item]
    visits = ActivityType("VISIT", "Visit", {"INSTALL", "BOX"})
    attempt(lambda: price_activity(activity, visits, CATALOG, PLAN))  # type: ignore[arg-type]
    attempt(lambda: price_activity(activity, visits, CATALOG, PLAN, other))  # type: ignore[arg-type]
    attempt(lambda: price_activity(activity, other, CATALOG, PLAN))  # type: ignore[arg-type]
    attempt(lambda: price_activity(activity, visits, CATALOG, PLAN, taxes=other))  # type: ignore[arg-type]


@given(either(PRICES), st.none() | either(PRICES), either(PRICES), junk())
def test_recurring_prices_are_made_or_refused(
    price: Any, override: Any, new: Any, flag: Any
) -> None:
    made = attempt(lambda: RecurringPrice.at_order(price, override))
    attempt(lambda: RecurringPrice(price, flag))
    if isinstance(made, RecurringPrice):
        attempt(lambda: made.with_override(new))
        attempt(lambda: made.recalculate(new, True))


# -- order lines ----------------------------------------------------------------------------


OPTION_PICKS = st.lists(
    either(
        built(
            OptionPick,
            either(st.just("IP")),
            either(st.sampled_from(["1", "BIG"])),
            either(QUANTITIES),
        )
    ),
    max_size=2,
)
ADDON_PICKS = st.lists(
    either(
        built(AddonPick, either(CODES), st.none() | either(billing_cycles()), either(QUANTITIES))
    ),
    max_size=2,
)
ORDER_LINES = built(
    lambda product, quantity, cycle, options, addons, promo, override: OrderLineSpec(
        product,
        quantity,
        cycle,
        options=options,
        addons=addons,
        promo_code=promo,
        price_override=override,
    ),
    either(st.sampled_from(["VPS", "SEATS", "BIG", "X"])),
    either(st.integers(0, 10) | QUANTITIES),
    st.none() | either(st.sampled_from([MONTHLY, ANNUAL, "monthly", "P1Y"])),
    either(OPTION_PICKS),
    either(ADDON_PICKS),
    st.none() | either(st.sampled_from(["HALF", "FIVE", "FREE"])),
    st.none() | either(PRICES),
)
CONTEXTS = built(
    lambda on, basis, rounding, customer, uses: PricingContext(
        PLAN,
        on,
        (OPTION,),
        PROMOTIONS,
        DISCOUNTS,
        TAXES,
        basis=basis,
        rounding=rounding,
        customer_id=customer,
        promo_uses=uses,
    ),
    either(DATES),
    either(st.sampled_from(PriceBasis)),
    either(ROUNDINGS),
    either(st.sampled_from(["C-1", ""])),
    either(st.integers(0, 3)),
)


@given(ORDER_LINES, CONTEXTS)
def test_order_lines_are_quoted_or_refused(spec: Any, context: Any) -> None:
    quote = attempt(lambda: quote_order_line(spec, context))
    if quote is not None:
        quote.as_rows()
        assert quote.total.amount.adjusted() < MAX_AMOUNT_DIGITS


def test_a_per_unit_line_of_absurd_seats_is_refused_with_the_limit_named() -> None:
    context = PricingContext(PLAN, date(2025, 1, 1))
    with pytest.raises(RuleViolation, match="MAX_SERVICE_QUANTITY"):
        OrderLineSpec("SEATS", 10**30)
    with pytest.raises(RuleViolation, match="MAX_QUANTITY"):
        PLAN.rate_for("SEATS", MONTHLY, date(2025, 1, 1)).charge(10**30)
    with pytest.raises(InvalidAmount, match="MAX_AMOUNT_DIGITS"):
        quote_order_line(OrderLineSpec("BIG", 2), context)
    seats = quote_order_line(OrderLineSpec("SEATS", MAX_SERVICE_QUANTITY), context)
    assert seats.total == Money(3 * MAX_SERVICE_QUANTITY, CODE)


# -- product queries and actors -------------------------------------------------------------

PRODUCTS = Catalog(
    [ProductType("WEB", "Web", Classification.SERVICE, service_kind=ServiceKind.TERMED)],
    [
        Product("WEB-1", "Web hosting", "WEB", alternative_code="W1"),
        Product("WEB-2", "Big web", "WEB", validity=Validity(date(2025, 1, 1), None)),
    ],
)


@given(
    st.none() | either(TEXT),
    st.none() | either(TEXT),
    st.none() | either(st.sampled_from(Availability)),
    st.none() | either(DATES),
    st.none() | either(TEXT),
)
def test_product_queries_answer_or_refuse(
    type_code: Any, family: Any, availability: Any, offered_on: Any, text: Any
) -> None:
    query = attempt(
        lambda: ProductQuery(type_code, family, family, family, availability, offered_on, text)
    )
    if isinstance(query, ProductQuery):
        attempt(lambda: PRODUCTS.find_products(query))
    attempt(lambda: PRODUCTS.find_products(text))


@given(
    either(st.sampled_from(ActorKind)),
    st.none() | either(TEXT),
    st.none() | either(TEXT),
    either(st.frozensets(st.sampled_from(Permission))),
)
def test_actors_are_made_or_refused(kind: Any, customer: Any, name: Any, permissions: Any) -> None:
    actor = attempt(lambda: Actor(kind, customer, name, permissions))
    attempt(lambda: Actor.customer(customer))
    attempt(lambda: Actor.staff(name, permissions))
    attempt(
        lambda: authorize(
            actor,  # type: ignore[arg-type]
            Operation.REBOOT,
            owner_customer_id="C-1",
            current=ACTIVE,
            customer_may_delete=False,
        )
    )
