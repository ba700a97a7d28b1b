"""Promotions: kinds and durations, every reason a code is refused, and discounts never too big."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from prodlife import ANNUAL, MONTHLY, QUARTERLY, Money
from prodlife.errors import ProdlifeError, RuleViolation, ValidationError
from prodlife.pricing import (
    Promotion,
    PromotionDuration,
    PromotionKind,
    PromotionRefused,
    PromotionUse,
    RefusalReason,
    apply_promotion,
    check_promotion,
    check_promotion_codes,
    check_promotion_definition,
    find_promotion,
    refusals,
)
from prodlife.testing.strategies import money
from tests._support import d, usd

K = PromotionKind
D = PromotionDuration
R = RefusalReason

USE = PromotionUse(d("2025-05-10"), "VPS-S", MONTHLY, "C-1", customer_is_new=True)


def promo(kind: PromotionKind = K.PERCENTAGE, value: Any = Decimal(10), **kwargs: Any) -> Promotion:
    return Promotion("SAVE", kind, value, **kwargs)


# --- kinds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "recurring", "setup", "off_recurring", "off_setup"),
    [
        (K.PERCENTAGE, Decimal(10), "20.00", "5.00", "2.00", "0"),
        (K.PERCENTAGE, Decimal("12.5"), "9.99", None, "1.24875", "0"),
        (K.PERCENTAGE, Decimal(100), "9.99", "5.00", "9.99", "0"),
        (K.FIXED_AMOUNT, usd("3.00"), "20.00", "5.00", "3.00", "0"),
        (K.FIXED_AMOUNT, usd("30.00"), "20.00", "5.00", "20.00", "0"),
        (K.PRICE_OVERRIDE, usd("4.99"), "20.00", "5.00", "15.01", "0"),
        (K.PRICE_OVERRIDE, usd("0.00"), "20.00", None, "20.00", "0"),
        (K.PRICE_OVERRIDE, usd("25.00"), "20.00", None, "0", "0"),
        (K.FREE_SETUP, None, "20.00", "5.00", "0", "5.00"),
        (K.FREE_SETUP, None, "20.00", None, "0", "0"),
    ],
)
def test_each_kind_takes_its_discount_off_the_first_payment(
    kind: PromotionKind,
    value: Any,
    recurring: str,
    setup: str | None,
    off_recurring: str,
    off_setup: str,
) -> None:
    effect = apply_promotion(
        promo(kind, value), usd(recurring), None if setup is None else usd(setup), 1
    )
    assert effect.applies
    assert effect.recurring_discount == usd(off_recurring)
    assert effect.setup_discount == usd(off_setup)
    assert effect.total == usd(off_recurring) + usd(off_setup)
    assert effect.code == "SAVE"
    assert effect.cycle_number == 1


def test_percentage_discounts_are_exact_not_rounded() -> None:
    third = promo(value=Decimal("33.3"))
    assert apply_promotion(third, usd("10.01")).recurring_discount.amount == Decimal("3.33333")


def test_a_price_override_above_the_list_price_never_raises_the_price() -> None:
    effect = apply_promotion(promo(K.PRICE_OVERRIDE, usd("99.00")), usd("10.00"))
    assert effect.applies
    assert effect.recurring_discount == usd("0")


@pytest.mark.parametrize(
    ("kind", "value", "off_setup"),
    [(K.PERCENTAGE, Decimal(20), "2.00"), (K.FIXED_AMOUNT, usd("3.00"), "3.00")],
)
def test_applies_to_setup_takes_the_same_discount_off_the_setup_fee(
    kind: PromotionKind, value: Any, off_setup: str
) -> None:
    with_setup = promo(kind, value, applies_to_setup=True)
    effect = apply_promotion(with_setup, usd("50.00"), usd("10.00"))
    assert effect.setup_discount == usd(off_setup)
    small = apply_promotion(
        promo(K.FIXED_AMOUNT, usd("3.00"), applies_to_setup=True), usd("9"), usd("1")
    )
    assert small.setup_discount == usd("1")


def test_setup_is_not_discounted_unless_the_promotion_says_so() -> None:
    effect = apply_promotion(promo(K.FIXED_AMOUNT, usd("3.00")), usd("50.00"), usd("10.00"))
    assert effect.setup_discount == usd("0")


def test_an_amount_promotion_in_another_currency_is_refused() -> None:
    euros = promo(K.FIXED_AMOUNT, Money("5.00", "EUR"))
    with pytest.raises(RuleViolation, match="define the promotion in USD") as caught:
        apply_promotion(euros, usd("20.00"))
    assert caught.value.rule == "promotion.currency"
    assert apply_promotion(promo(), Money("20", "JPY")).recurring_discount == Money("2", "JPY")


@pytest.mark.parametrize(
    ("recurring", "setup", "cycle_number", "match"),
    [
        (usd("-1.00"), None, 1, "recurring price"),
        (usd("1.00"), usd("-1.00"), 1, "setup price"),
        (usd("1.00"), Money("1.00", "EUR"), 1, "share a currency"),
        (usd("1.00"), None, 0, "cycle_number"),
        (usd("1.00"), None, True, "cycle_number"),
        ("1.00", None, 1, "recurring price"),
    ],
)
def test_nonsense_prices_and_cycle_numbers_are_refused(
    recurring: Any, setup: Any, cycle_number: Any, match: str
) -> None:
    with pytest.raises(ValidationError, match=match):
        apply_promotion(promo(), recurring, setup, cycle_number)


# --- durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "cycles", "applying"),
    [
        (D.FIRST_PAYMENT, None, [True, False, False, False, False]),
        (D.CYCLES, 1, [True, False, False, False, False]),
        (D.CYCLES, 3, [True, True, True, False, False]),
        (D.FOREVER, None, [True, True, True, True, True]),
    ],
)
def test_a_promotion_applies_to_the_payments_its_duration_covers(
    duration: PromotionDuration, cycles: int | None, applying: list[bool]
) -> None:
    promotion = promo(K.FIXED_AMOUNT, usd("2.00"), duration=duration, cycles=cycles)
    effects = [apply_promotion(promotion, usd("10.00"), None, n) for n in range(1, 6)]
    assert [effect.applies for effect in effects] == applying
    assert [effect.recurring_discount for effect in effects] == [
        usd("2.00") if applies else usd("0") for applies in applying
    ]
    assert [promotion.applies_in_cycle(n) for n in range(1, 6)] == applying


def test_once_the_duration_is_over_the_setup_fee_is_not_discounted_either() -> None:
    effect = apply_promotion(promo(K.FREE_SETUP, None), usd("10.00"), usd("5.00"), 2)
    assert not effect.applies
    assert effect.setup_discount == usd("0")


@pytest.mark.parametrize(
    ("promotion", "text"),
    [
        (promo(), "10% off, for the first payment"),
        (
            promo(K.FIXED_AMOUNT, usd("5"), duration=D.CYCLES, cycles=6, applies_to_setup=True),
            "USD 5.00 off (setup fee too), for the first 6 payments",
        ),
        (
            promo(K.PRICE_OVERRIDE, usd("1"), duration=D.FOREVER),
            "price USD 1.00, for every payment",
        ),
        (promo(K.FREE_SETUP, None), "free setup, for the first payment"),
    ],
)
def test_describe_says_what_a_promotion_gives_and_for_how_long(
    promotion: Promotion, text: str
) -> None:
    assert promotion.describe() == text


# --- definitions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"code": ""}, "code.format"),
        ({"code": " SAVE"}, "code.format"),
        ({"kind": "percentage"}, "promotion.kind"),
        ({"duration": "forever"}, "promotion.kind"),
        ({"value": Decimal(0)}, "promotion.value"),
        ({"value": Decimal("100.01")}, "promotion.value"),
        ({"value": -5}, "promotion.value"),
        ({"value": 10.0}, "promotion.value"),
        ({"value": Decimal("NaN")}, "promotion.value"),
        ({"value": usd("5")}, "promotion.value"),
        ({"value": None}, "promotion.value"),
        ({"kind": K.FIXED_AMOUNT, "value": Decimal(5)}, "promotion.value"),
        ({"kind": K.FIXED_AMOUNT, "value": usd("0")}, "promotion.value"),
        ({"kind": K.PRICE_OVERRIDE, "value": usd("-0.01")}, "promotion.value"),
        ({"kind": K.FREE_SETUP, "value": usd("1")}, "promotion.value"),
        ({"duration": D.CYCLES}, "promotion.cycles"),
        ({"duration": D.CYCLES, "cycles": 0}, "promotion.cycles"),
        ({"duration": D.CYCLES, "cycles": True}, "promotion.cycles"),
        ({"duration": D.FOREVER, "cycles": 3}, "promotion.cycles"),
        ({"cycles": 1}, "promotion.cycles"),
        ({"products": {"VPS-S", " "}}, "code.format"),
        ({"billing_cycles": {"monthly"}}, "promotion.billing-cycles"),
        ({"starts": datetime(2025, 1, 1)}, "promotion.dates"),
        ({"expires": "2025-01-01"}, "promotion.dates"),
        ({"starts": d("2025-02-01"), "expires": d("2025-02-01")}, "promotion.dates"),
        ({"starts": d("2025-02-01"), "expires": d("2025-01-31")}, "promotion.dates"),
        ({"max_uses": 0}, "promotion.limits"),
        ({"max_uses_per_customer": -1}, "promotion.limits"),
        ({"max_uses": "10"}, "promotion.limits"),
        (
            {"kind": K.PRICE_OVERRIDE, "value": usd("1"), "applies_to_setup": True},
            "promotion.setup",
        ),
    ],
)
def test_a_promotion_breaking_a_rule_is_refused(kwargs: dict[str, Any], rule: str) -> None:
    values: dict[str, Any] = {"code": "SAVE", "kind": K.PERCENTAGE, "value": Decimal(10), **kwargs}
    with pytest.raises(RuleViolation) as caught:
        Promotion(**values)
    assert caught.value.rule == rule
    assert "promo code" in str(caught.value)


def test_percentages_may_be_given_as_whole_numbers_or_text() -> None:
    assert promo(value=15).value == Decimal(15)
    assert promo(value="2.5").value == Decimal("2.5")


def test_a_sound_promotion_has_no_findings() -> None:
    full = promo(
        duration=D.CYCLES,
        cycles=12,
        products={"VPS-S", "VPS-M"},
        billing_cycles=MONTHLY,
        starts=d("2025-01-01"),
        expires=d("2025-02-01"),
        max_uses=100,
        max_uses_per_customer=1,
        new_customers_only=True,
        applies_to_setup=True,
    )
    assert check_promotion_definition(full) == []
    assert full.billing_cycles == frozenset({MONTHLY})
    assert full.products == frozenset({"VPS-S", "VPS-M"})


# --- finding codes ----------------------------------------------------------------------------


PROMOTIONS = [Promotion("Spring25", K.PERCENTAGE, 25), Promotion("WELCOME", K.FREE_SETUP, None)]


@pytest.mark.parametrize("entered", ["Spring25", "SPRING25", "spring25", "  spring25 "])
def test_codes_are_found_ignoring_case_and_surrounding_spaces(entered: str) -> None:
    assert find_promotion(PROMOTIONS, entered).code == "Spring25"


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(PromotionRefused, match="'SUMMER' does not exist") as caught:
        find_promotion(PROMOTIONS, " SUMMER ")
    assert caught.value.reason is R.UNKNOWN_CODE
    assert caught.value.rule == "promotion.unknown-code"
    assert caught.value.subject == "SUMMER"


def test_codes_that_clash_ignoring_case_are_reported() -> None:
    clash = [*PROMOTIONS, Promotion("SPRING25", K.PERCENTAGE, 5)]
    found = check_promotion_codes(clash)
    assert [rule for rule, _ in found] == ["promotion.duplicate-code"]
    assert "'Spring25' and 'SPRING25'" in found[0][1]
    assert check_promotion_codes(PROMOTIONS) == []
    with pytest.raises(RuleViolation) as caught:
        find_promotion(clash, "spring25")
    assert caught.value.rule == "promotion.duplicate-code"


def test_a_code_that_is_not_text_is_refused() -> None:
    with pytest.raises(ValidationError, match="must be text"):
        find_promotion(PROMOTIONS, 25)  # type: ignore[arg-type]


# --- refusals ---------------------------------------------------------------------------------


REFUSED = [
    (promo(starts=d("2025-05-11")), {}, R.NOT_STARTED, "starts on 2025-05-11"),
    (promo(expires=d("2025-05-10")), {}, R.EXPIRED, "expired on 2025-05-10"),
    (promo(max_uses=5), {"uses_so_far": 5}, R.USES_EXHAUSTED, "limit of 5 uses"),
    (
        promo(max_uses_per_customer=1),
        {"customer_uses_so_far": 1},
        R.CUSTOMER_USES_EXHAUSTED,
        "customer 'C-1' has used promo code 'SAVE' 1 times and it allows 1 per customer",
    ),
    (
        promo(new_customers_only=True),
        {"customer_is_new": False},
        R.NEW_CUSTOMERS_ONLY,
        "new customers only",
    ),
    (
        promo(products={"WEB-1", "WEB-2"}),
        {},
        R.PRODUCT_NOT_ELIGIBLE,
        "product 'VPS-S'; order one of ['WEB-1', 'WEB-2']",
    ),
    (
        promo(billing_cycles={ANNUAL, QUARTERLY}),
        {},
        R.CYCLE_NOT_ELIGIBLE,
        "the monthly billing cycle; choose one of ['quarterly', 'annual']",
    ),
]


@pytest.mark.parametrize(("promotion", "changes", "reason", "message"), REFUSED)
def test_each_reason_a_code_is_refused_has_its_own_error(
    promotion: Promotion, changes: dict[str, Any], reason: RefusalReason, message: str
) -> None:
    use = attrs.evolve(USE, **changes)
    with pytest.raises(PromotionRefused) as caught:
        check_promotion(promotion, use)
    error = caught.value
    assert error.reason is reason
    assert error.rule == f"promotion.{reason.value}"
    assert error.subject == "SAVE"
    assert message in str(error)
    assert "remove" in str(error) or "use it from" in str(error)
    assert isinstance(error, ProdlifeError)
    assert refusals(promotion, use) == [reason]


@pytest.mark.parametrize(
    ("on", "refused"),
    [
        ("2025-03-31", [R.NOT_STARTED]),
        ("2025-04-01", []),
        ("2025-04-30", []),
        ("2025-05-01", [R.EXPIRED]),
        ("2026-01-01", [R.EXPIRED]),
    ],
)
def test_a_code_works_from_its_start_up_to_but_not_on_its_expiry_day(
    on: str, refused: list[RefusalReason]
) -> None:
    april = promo(starts=d("2025-04-01"), expires=d("2025-05-01"))
    assert refusals(april, attrs.evolve(USE, on=d(on))) == refused


@pytest.mark.parametrize(
    ("uses", "customer_uses", "refused"),
    [
        (0, 0, []),
        (9, 1, []),
        (10, 1, [R.USES_EXHAUSTED]),
        (9, 2, [R.CUSTOMER_USES_EXHAUSTED]),
        (11, 5, [R.USES_EXHAUSTED, R.CUSTOMER_USES_EXHAUSTED]),
    ],
)
def test_total_and_per_customer_use_limits(
    uses: int, customer_uses: int, refused: list[RefusalReason]
) -> None:
    limited = promo(max_uses=10, max_uses_per_customer=2)
    use = attrs.evolve(USE, uses_so_far=uses, customer_uses_so_far=customer_uses)
    assert refusals(limited, use) == refused


def test_a_new_customer_may_use_a_code_for_new_customers() -> None:
    check_promotion(promo(new_customers_only=True), USE)


def test_eligible_products_and_cycles_are_accepted() -> None:
    check_promotion(promo(products={"VPS-S"}, billing_cycles={MONTHLY, ANNUAL}), USE)


def test_refusals_lists_every_reason_in_order_and_check_raises_the_first() -> None:
    everything = promo(
        products={"WEB-1"},
        billing_cycles={ANNUAL},
        expires=d("2025-01-01"),
        max_uses=1,
        max_uses_per_customer=1,
        new_customers_only=True,
    )
    use = PromotionUse(d("2025-05-10"), "VPS-S", MONTHLY, "C-1", 3, 1, False)
    assert refusals(everything, use) == [
        R.EXPIRED,
        R.USES_EXHAUSTED,
        R.CUSTOMER_USES_EXHAUSTED,
        R.NEW_CUSTOMERS_ONLY,
        R.PRODUCT_NOT_ELIGIBLE,
        R.CYCLE_NOT_ELIGIBLE,
    ]
    with pytest.raises(PromotionRefused) as caught:
        check_promotion(everything, use)
    assert caught.value.reason is R.EXPIRED


def test_refusals_follow_the_declared_order_of_reasons() -> None:
    order = list(RefusalReason)
    assert order[0] is R.UNKNOWN_CODE
    not_started = promo(starts=d("2026-01-01"), products={"WEB-1"})
    found = refusals(not_started, USE)
    assert found == sorted(found, key=order.index) == [R.NOT_STARTED, R.PRODUCT_NOT_ELIGIBLE]


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"on": datetime(2025, 1, 1)}, "on"),
        ({"cycle": "monthly"}, "cycle"),
        ({"product_code": ""}, "product_code"),
        ({"customer_id": None}, "customer_id"),
        ({"uses_so_far": -1}, "uses_so_far"),
        ({"customer_uses_so_far": 1.0}, "customer_uses_so_far"),
        ({"customer_is_new": 1}, "customer_is_new"),
    ],
)
def test_a_nonsense_use_is_refused(changes: dict[str, Any], name: str) -> None:
    with pytest.raises(ValidationError, match=name):
        attrs.evolve(USE, **changes)


# --- properties -------------------------------------------------------------------------------

amounts = money("USD", min_minor_units=0, max_minor_units=10**9, rounded=False)
percentages = st.decimals(min_value=Decimal("0.001"), max_value=100, places=3)
promotions = st.one_of(
    st.builds(promo, st.just(K.PERCENTAGE), percentages, applies_to_setup=st.booleans()),
    st.builds(
        promo,
        st.just(K.FIXED_AMOUNT),
        amounts.filter(lambda m: m.amount > 0),
        applies_to_setup=st.booleans(),
    ),
    st.builds(promo, st.just(K.PRICE_OVERRIDE), amounts),
    st.just(promo(K.FREE_SETUP, None)),
)


@given(promotions, amounts, st.none() | amounts, st.integers(1, 3))
def test_a_discount_is_never_negative_and_never_more_than_its_line(
    promotion: Promotion, recurring: Money, setup: Money | None, cycle_number: int
) -> None:
    effect = apply_promotion(promotion, recurring, setup, cycle_number)
    zero = Money.zero("USD")
    assert zero <= effect.recurring_discount <= recurring
    assert zero <= effect.setup_discount <= (setup or zero)
    assert recurring - effect.recurring_discount >= zero


@given(percentages, amounts, amounts)
def test_a_percentage_discount_grows_with_the_amount(
    percent: Decimal, low: Money, high: Money
) -> None:
    assume(low != high)
    low, high = min(low, high), max(low, high)
    promotion = promo(value=percent)
    assert (
        apply_promotion(promotion, low).recurring_discount
        <= apply_promotion(promotion, high).recurring_discount
    )


@given(promotions, amounts, st.integers(1, 50))
def test_a_promotion_gives_nothing_once_it_no_longer_applies(
    promotion: Promotion, recurring: Money, cycle_number: int
) -> None:
    lasting = attrs.evolve(promotion, duration=D.CYCLES, cycles=3)
    effect = apply_promotion(lasting, recurring, recurring, cycle_number)
    assert effect.applies is (cycle_number <= 3)
    if not effect.applies:
        assert effect.total.is_zero


@given(amounts)
def test_one_hundred_percent_off_is_the_whole_price(recurring: Money) -> None:
    assert apply_promotion(promo(value=100), recurring).recurring_discount == recurring
