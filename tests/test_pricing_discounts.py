"""Additive discounts: after the plan discount, in order, on what remains, never below zero."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import Money
from prodlife.catalog import Validity
from prodlife.errors import RuleViolation
from prodlife.pricing.discounts import (
    PLAN_DISCOUNT,
    AdditiveDiscount,
    AppliedDiscount,
    DiscountResult,
    SkippedDiscount,
    SkipReason,
    apply_discounts,
    check_additive_discount,
)
from prodlife.testing.strategies import money
from tests._support import d, eur

DAY = d("2025-03-15")


def pct(code: str, percent: Any, **kwargs: Any) -> AdditiveDiscount:
    return AdditiveDiscount(code, f"{percent} % off", percent=percent, **kwargs)


def fixed(code: str, amount: str, **kwargs: Any) -> AdditiveDiscount:
    return AdditiveDiscount(code, f"EUR {amount} off", amount=eur(amount), **kwargs)


def steps(result: DiscountResult) -> list[tuple[str, Decimal]]:
    return [(step.code, step.amount.amount) for step in result.applied]


def run(
    amount: str, additive: list[AdditiveDiscount], plan: str | None = None, product: str = "TV"
) -> DiscountResult:
    return apply_discounts(eur(amount), None if plan is None else eur(plan), additive, product, DAY)


# --- order of application -------------------------------------------------------------------


def test_the_plan_discount_comes_first_then_additive_ones_in_the_given_order() -> None:
    result = run("100.00", [pct("TEN", 10), fixed("FIVE", "5.00")], plan="20.00")
    assert [step.code for step in result.applied] == [PLAN_DISCOUNT, "TEN", "FIVE"]
    assert [step.base for step in result.applied] == [eur("100.00"), eur("80.00"), eur("72.00")]
    assert steps(result) == [
        (PLAN_DISCOUNT, Decimal(20)),
        ("TEN", Decimal(8)),
        ("FIVE", Decimal(5)),
    ]
    assert result.final == eur("67.00")


def test_a_percentage_is_a_percentage_of_the_running_amount() -> None:
    result = run("100.00", [pct("A", 10), pct("B", 10)])
    assert steps(result) == [("A", Decimal(10)), ("B", Decimal(9))]
    assert result.final == eur("81.00")
    assert result.total == eur("19.00")


@pytest.mark.parametrize(
    ("order", "final"),
    [
        (["TEN", "FIVE"], "85.00"),
        (["FIVE", "TEN"], "85.50"),
    ],
)
def test_a_fixed_amount_before_a_percentage_leaves_more_than_after_it(
    order: list[str], final: str
) -> None:
    catalog = {"TEN": pct("TEN", 10), "FIVE": fixed("FIVE", "5.00")}
    assert run("100.00", [catalog[code] for code in order]).final == eur(final)


def test_the_plan_discount_is_taken_before_any_percentage() -> None:
    assert run("100.00", [pct("TEN", 10)], plan="50.00").final == eur("45.00")


def test_a_line_without_discounts_is_unchanged() -> None:
    result = run("19.99", [])
    assert result == DiscountResult(eur("19.99"), (), (), eur("19.99"))
    assert result.total == eur("0.00")


def test_discounts_are_exact_and_left_for_the_quote_to_round() -> None:
    result = run("10.00", [pct("THIRD", "33.33")])
    assert result.applied[0].amount == eur("3.333")
    assert result.final == eur("6.667")


# --- never below zero -----------------------------------------------------------------------


def test_a_discount_larger_than_the_line_is_capped_at_the_line() -> None:
    result = run("30.00", [fixed("BIG", "50.00"), pct("TEN", 10)])
    big, ten = result.applied
    assert big == AppliedDiscount("BIG", eur("30.00"), eur("50.00"), eur("30.00"))
    assert big.capped
    assert ten.amount == eur("0")
    assert not ten.capped
    assert result.final == eur("0")


def test_a_plan_discount_larger_than_the_line_is_capped_too() -> None:
    result = run("10.00", [fixed("FIVE", "5.00")], plan="12.00")
    assert steps(result) == [(PLAN_DISCOUNT, Decimal(10)), ("FIVE", Decimal(0))]
    assert result.applied[0].exact == eur("12.00")
    assert result.final == eur("0")


def test_a_hundred_percent_discount_makes_the_line_free() -> None:
    assert run("42.00", [pct("FREE", 100)]).final == eur("0")


def test_a_zero_line_takes_no_discount() -> None:
    result = run("0.00", [pct("TEN", 10), fixed("FIVE", "5.00")])
    assert [step.amount.amount for step in result.applied] == [0, 0]
    assert result.final == eur("0.00")


# --- which discounts apply ------------------------------------------------------------------

SPRING = Validity(d("2025-03-01"), d("2025-06-01"))


@pytest.mark.parametrize(
    ("discount", "product", "on", "reason"),
    [
        (pct("ALL", 5), "TV", DAY, None),
        (pct("TV", 5, products={"TV", "NET"}), "NET", DAY, None),
        (pct("NET", 5, products="NET"), "TV", DAY, SkipReason.OTHER_PRODUCT),
        (pct("SPRING", 5, validity=SPRING), "TV", d("2025-03-01"), None),
        (pct("SPRING", 5, validity=SPRING), "TV", d("2025-02-28"), SkipReason.NOT_STARTED),
        (pct("SPRING", 5, validity=SPRING), "TV", d("2025-06-01"), SkipReason.ENDED),
        (pct("SPRING", 5, validity=SPRING), "TV", d("2025-05-31"), None),
    ],
)
def test_a_discount_applies_to_its_products_within_its_validity(
    discount: AdditiveDiscount, product: str, on: date, reason: SkipReason | None
) -> None:
    assert discount.skip_reason(product, on) is reason
    assert discount.applies_to(product, on) is (reason is None)


def test_discounts_that_do_not_apply_are_skipped_and_listed_with_the_reason() -> None:
    discounts = [
        pct("NET-ONLY", 50, products={"NET"}),
        pct("TEN", 10),
        fixed("OLD", "5.00", validity=Validity(end=d("2025-01-01"))),
        fixed("NEXT", "5.00", validity=Validity(start=d("2026-01-01"))),
    ]
    result = run("100.00", discounts)
    assert steps(result) == [("TEN", Decimal(10))]
    assert result.skipped == (
        SkippedDiscount("NET-ONLY", SkipReason.OTHER_PRODUCT),
        SkippedDiscount("OLD", SkipReason.ENDED),
        SkippedDiscount("NEXT", SkipReason.NOT_STARTED),
    )
    assert result.final == eur("90.00")


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({}, "discount.value"),
        ({"percent": 10, "amount": Money("5", "EUR")}, "discount.value"),
        ({"percent": 0}, "discount.value"),
        ({"percent": "100.01"}, "discount.value"),
        ({"percent": -5}, "discount.value"),
        ({"percent": 0.1}, "discount.value"),
        ({"percent": "ten"}, "discount.value"),
        ({"amount": Money("0", "EUR")}, "discount.value"),
        ({"amount": Money("-1", "EUR")}, "discount.value"),
        ({"amount": Decimal(5)}, "discount.value"),
        ({"percent": 10, "code": "LOYAL "}, "code.format"),
        ({"percent": 10, "name": ""}, "discount.name"),
        ({"percent": 10, "products": {"TV", " NET"}}, "code.format"),
        (
            {"percent": 10, "validity": Validity(d("2025-02-01"), d("2025-01-01"))},
            "discount.validity",
        ),
        (
            {"percent": 10, "validity": Validity(d("2025-02-01"), d("2025-02-01"))},
            "discount.validity",
        ),
        ({"percent": 10, "validity": Validity(datetime(2025, 1, 1))}, "discount.validity"),
    ],
)
def test_a_discount_breaking_a_rule_is_refused(kwargs: dict[str, Any], rule: str) -> None:
    values: dict[str, Any] = {"code": "LOYAL", "name": "Loyalty", **kwargs}
    with pytest.raises(RuleViolation) as caught:
        AdditiveDiscount(**values)
    assert caught.value.rule == rule
    assert "discount" in str(caught.value)


def test_a_sound_discount_has_no_findings() -> None:
    assert check_additive_discount(pct("TEN", "12.5", products="TV", validity=SPRING)) == []
    assert pct("TEN", "12.5").percent == Decimal("12.5")


def test_a_fixed_discount_in_another_currency_is_refused() -> None:
    dollars = AdditiveDiscount("USD5", "USD 5 off", amount=Money("5.00", "USD"))
    with pytest.raises(RuleViolation, match="USD") as caught:
        run("10.00", [dollars])
    assert caught.value.rule == "discount.currency"
    assert caught.value.subject == "USD5"


def test_a_plan_discount_in_another_currency_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        apply_discounts(eur("10.00"), Money("1.00", "USD"), [], "TV", DAY)
    assert caught.value.rule == "discount.currency"


def test_the_same_discount_twice_on_a_line_is_refused() -> None:
    ten = pct("TEN", 10)
    with pytest.raises(RuleViolation) as caught:
        run("10.00", [ten, fixed("FIVE", "5.00"), ten])
    assert caught.value.rule == "discount.duplicate-code"


@pytest.mark.parametrize(
    ("amount", "plan", "additive", "product", "on"),
    [
        (Money("-1.00", "EUR"), None, [], "TV", DAY),
        (Decimal("1.00"), None, [], "TV", DAY),
        (Money("1.00", "EUR"), Money("-1.00", "EUR"), [], "TV", DAY),
        (Money("1.00", "EUR"), Decimal(1), [], "TV", DAY),
        (Money("1.00", "EUR"), None, ["TEN"], "TV", DAY),
        (Money("1.00", "EUR"), None, pct("TEN", 10), "TV", DAY),
        (Money("1.00", "EUR"), None, [], None, DAY),
        (Money("1.00", "EUR"), None, [], "TV", datetime(2025, 3, 15)),
        (Money("1.00", "EUR"), None, [], "TV", "2025-03-15"),
    ],
)
def test_a_line_given_the_wrong_things_is_refused(
    amount: Any, plan: Any, additive: Any, product: Any, on: Any
) -> None:
    with pytest.raises(RuleViolation) as caught:
        apply_discounts(amount, plan, additive, product, on)
    assert caught.value.rule == "discount.line"


# --- properties -----------------------------------------------------------------------------

percents = st.decimals(min_value=Decimal("0.01"), max_value=100, places=2)


@st.composite
def discount_lists(draw: st.DrawFn, currency: str = "EUR") -> list[AdditiveDiscount]:
    count = draw(st.integers(0, 4))
    found = []
    for index in range(count):
        if draw(st.booleans()):
            found.append(AdditiveDiscount(f"D{index}", "percent", percent=draw(percents)))
        else:
            value = draw(money(currency, min_minor_units=1, max_minor_units=10**9, rounded=False))
            found.append(AdditiveDiscount(f"D{index}", "fixed", amount=value))
    return found


lines = money("EUR", min_minor_units=0, max_minor_units=10**10, rounded=False)
plans = st.none() | money("EUR", min_minor_units=0, max_minor_units=10**10, rounded=False)


@given(lines, plans, discount_lists())
def test_discounts_never_take_a_line_below_zero(
    amount: Money, plan: Money | None, additive: list[AdditiveDiscount]
) -> None:
    result = apply_discounts(amount, plan, additive, "TV", DAY)
    assert result.final.amount >= 0
    assert result.final <= amount
    for step in result.applied:
        assert 0 <= step.amount.amount <= step.base.amount
        assert step.amount <= step.exact


@given(lines, plans, discount_lists())
def test_the_listed_discounts_add_up_exactly_to_what_was_taken_off(
    amount: Money, plan: Money | None, additive: list[AdditiveDiscount]
) -> None:
    result = apply_discounts(amount, plan, additive, "TV", DAY)
    taken = sum((step.amount for step in result.applied), Money.zero("EUR"))
    assert taken == amount - result.final == result.total
    bases = [step.base for step in result.applied] + [result.final]
    assert bases[0] == amount
    for step, before, after in zip(result.applied, bases, bases[1:], strict=False):
        assert before - step.amount == after


@given(lines, plans, discount_lists())
def test_each_discount_is_computed_on_what_the_ones_before_it_left(
    amount: Money, plan: Money | None, additive: list[AdditiveDiscount]
) -> None:
    result = apply_discounts(amount, plan, additive, "TV", DAY)
    running = amount
    steps_left = list(result.applied)
    if plan is not None:
        first = steps_left.pop(0)
        assert first.code == PLAN_DISCOUNT
        assert first.exact == plan
        running -= first.amount
    assert [step.code for step in steps_left] == [discount.code for discount in additive]
    for discount, step in zip(additive, steps_left, strict=True):
        assert step.base == running
        if discount.percent is not None:
            assert step.exact == running * discount.percent / 100
        else:
            assert step.exact == discount.amount
        assert step.amount == min(step.exact, running, key=lambda m: m.amount)
        running -= step.amount


@given(lines, st.lists(percents, max_size=4))
def test_percentages_alone_give_the_same_result_in_any_order(
    amount: Money, values: list[Decimal]
) -> None:
    discounts = [pct(f"P{i}", value) for i, value in enumerate(values)]
    finals = {
        apply_discounts(amount, None, list(order), "TV", DAY).final
        for order in itertools.permutations(discounts)
    }
    assert len(finals) == 1


@given(lines, plans, discount_lists())
def test_fixed_amounts_alone_give_the_same_result_in_any_order(
    amount: Money, plan: Money | None, additive: list[AdditiveDiscount]
) -> None:
    fixed_only = [discount for discount in additive if discount.amount is not None]
    finals = {
        apply_discounts(amount, plan, list(order), "TV", DAY).final
        for order in itertools.permutations(fixed_only)
    }
    assert len(finals) == 1
