from __future__ import annotations

import decimal
import pickle
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from prodlife import CurrencyMismatch, Money, ProdlifeError, ValidationError
from prodlife.errors import InvalidAmount, InvalidRounding, UnknownCurrency
from prodlife.money import ROUNDING_MODES, Currency, total
from prodlife.testing.strategies import currencies, money, ratios


@pytest.mark.parametrize(
    ("code", "minor_units"),
    [("JPY", 0), ("KRW", 0), ("USD", 2), ("EUR", 2), ("BHD", 3), ("KWD", 3), ("CLF", 4)],
)
def test_minor_units_come_from_babel(code: str, minor_units: int) -> None:
    assert Currency(code).minor_units == minor_units
    assert Currency(code).quantum == Decimal(1).scaleb(-minor_units)


def test_lower_case_currency_codes_are_accepted() -> None:
    assert Currency("usd") == Currency("USD")
    assert Money("1", "eur").currency.code == "EUR"


@pytest.mark.parametrize("code", ["XYZ", "US", "", "dollars", 840, None])
def test_unknown_currency_is_a_clear_error(code: object) -> None:
    with pytest.raises(UnknownCurrency, match="ISO 4217") as caught:
        Money("1", code)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValidationError)
    assert isinstance(caught.value, ProdlifeError)
    assert repr(code) in str(caught.value)


def test_float_amount_is_refused_with_advice_to_pass_a_string() -> None:
    with pytest.raises(InvalidAmount, match=r"float.*pass a string") as caught:
        Money(0.1, "USD")  # type: ignore[arg-type]
    assert caught.value.value == 0.1


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", "-inf", "1,50", True, [1], None])
def test_non_numbers_are_refused(bad: object) -> None:
    with pytest.raises(InvalidAmount):
        Money(bad, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("19.99", Decimal("19.99")), (20, Decimal(20)), (Decimal("0.005"), Decimal("0.005"))],
)
def test_amount_from_str_int_decimal(value: object, expected: Decimal) -> None:
    assert Money(value, "USD").amount == expected  # type: ignore[arg-type]


def test_money_is_frozen_and_slotted() -> None:
    amount = Money("1.00", "USD")
    with pytest.raises(AttributeError):
        amount.amount = Decimal(2)  # type: ignore[misc]
    assert not hasattr(amount, "__dict__")


def test_money_pickles_and_hashes() -> None:
    amount = Money("1.50", "USD")
    assert pickle.loads(pickle.dumps(amount)) == amount
    assert hash(Money("1.5", "USD")) == hash(amount)
    assert len({Money("1.5", "USD"), amount}) == 1


def test_amounts_of_different_currencies_are_not_equal() -> None:
    assert Money("1", "USD") != Money("1", "EUR")


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a >= b,
        lambda a, b: a / b,
    ],
)
def test_mixing_currencies_is_refused(operation: object) -> None:
    usd, eur = Money("10.00", "USD"), Money("5.00", "EUR")
    with pytest.raises(CurrencyMismatch, match=r"USD 10\.00 and EUR 5\.00.*convert"):
        operation(usd, eur)  # type: ignore[operator]


def test_multiplying_money_by_money_is_refused() -> None:
    with pytest.raises(InvalidAmount, match="has type Money"):
        Money("1", "USD") * Money("2", "USD")  # type: ignore[operator]


def test_multiplying_by_a_float_is_refused() -> None:
    with pytest.raises(InvalidAmount, match="float"):
        Money("1", "USD") * 1.5  # type: ignore[operator]


def test_division_by_zero_is_a_clear_error() -> None:
    with pytest.raises(InvalidAmount, match="by zero"):
        Money("1", "USD") / 0
    with pytest.raises(InvalidAmount, match="zero"):
        Money("1", "USD") / Money("0", "USD")


def test_division_keeps_34_significant_digits_whatever_the_callers_context() -> None:
    with decimal.localcontext() as context:
        context.prec = 3
        third = Money("10", "USD") / 3
    assert third.amount == Decimal("3.333333333333333333333333333333333")


def test_sum_starts_from_zero_and_total_handles_empty() -> None:
    assert sum([Money("1.10", "EUR"), Money("2.20", "EUR")]) == Money("3.30", "EUR")
    assert total([], "EUR") == Money.zero("EUR")
    with pytest.raises(CurrencyMismatch):
        total([Money("1", "USD")], "EUR")


@pytest.mark.parametrize(
    ("amount", "code", "mode", "expected"),
    [
        ("2.675", "USD", decimal.ROUND_HALF_UP, "2.68"),
        ("2.665", "USD", decimal.ROUND_HALF_EVEN, "2.66"),
        ("-2.675", "USD", decimal.ROUND_HALF_UP, "-2.68"),
        ("2.671", "USD", decimal.ROUND_DOWN, "2.67"),
        ("2.671", "USD", decimal.ROUND_CEILING, "2.68"),
        ("1234.5", "JPY", decimal.ROUND_HALF_UP, "1235"),
        ("1.2345", "BHD", decimal.ROUND_HALF_UP, "1.235"),
        ("1.2344", "BHD", decimal.ROUND_HALF_UP, "1.234"),
    ],
)
def test_round_to_minor_units(amount: str, code: str, mode: str, expected: str) -> None:
    rounded = Money(amount, code).round(mode)
    assert rounded.amount == Decimal(expected)
    assert rounded.amount.as_tuple().exponent == -Currency(code).minor_units


def test_round_defaults_to_half_up() -> None:
    assert Money("0.005", "USD").round() == Money("0.01", "USD")


def test_unknown_rounding_mode_is_refused() -> None:
    with pytest.raises(InvalidRounding, match="ROUND_HALF_UP"):
        Money("1", "USD").round("nearest")


def test_str_pads_to_minor_units_and_keeps_extra_digits() -> None:
    assert str(Money("10", "USD")) == "USD 10.00"
    assert str(Money("10.005", "USD")) == "USD 10.005"
    assert str(Money("10", "JPY")) == "JPY 10"
    assert repr(Money("10.5", "USD")) == "Money('10.5', 'USD')"


def test_minor_unit_round_trip() -> None:
    assert Money.from_minor_units(1999, "USD") == Money("19.99", "USD")
    assert Money("19.99", "USD").to_minor_units() == 1999
    with pytest.raises(InvalidAmount, match="round"):
        Money("19.999", "USD").to_minor_units()


def test_allocate_largest_remainder_table() -> None:
    assert Money("0.05", "USD").allocate([3, 7]) == [Money("0.02", "USD"), Money("0.03", "USD")]
    assert Money("100", "JPY").allocate([1, 1, 1]) == [
        Money("34", "JPY"),
        Money("33", "JPY"),
        Money("33", "JPY"),
    ]
    assert Money("1.00", "USD").allocate([0, 1, 0]) == [
        Money("0.00", "USD"),
        Money("1.00", "USD"),
        Money("0.00", "USD"),
    ]


@pytest.mark.parametrize("bad", [[], [0, 0], [-1, 2], [0.5, 0.5]])
def test_allocate_refuses_bad_ratios(bad: list[object]) -> None:
    with pytest.raises(InvalidAmount):
        Money("1.00", "USD").allocate(bad)  # type: ignore[arg-type]


def test_allocate_refuses_an_unrounded_amount() -> None:
    with pytest.raises(InvalidAmount, match="round"):
        Money("1.005", "USD").allocate([1, 1])


# -- properties --------------------------------------------------------------


@given(money(), ratios())
def test_allocation_sums_exactly_and_stays_within_one_minor_unit(
    amount: Money, weights: list[Decimal]
) -> None:
    parts = amount.allocate(weights)
    assert len(parts) == len(weights)
    assert sum(parts, Money.zero(amount.currency)) == amount
    unit = amount.currency.quantum
    whole = sum(Fraction(w) for w in weights)
    for part, weight in zip(parts, weights, strict=True):
        ideal = Fraction(amount.amount) * Fraction(weight) / whole
        assert abs(Fraction(part.amount) - ideal) < Fraction(unit)
        assert part.is_rounded
        if weight == 0:
            assert part.is_zero


@given(money(), ratios())
def test_allocation_of_a_negative_amount_mirrors_the_positive(
    amount: Money, weights: list[Decimal]
) -> None:
    assert [-p for p in (-amount).allocate(weights)] == amount.allocate(weights)


@given(st.data(), currencies())
def test_addition_is_commutative_and_associative(data: st.DataObject, cur: Currency) -> None:
    a, b, c = (data.draw(money(cur, rounded=False)) for _ in range(3))
    assert a + b == b + a
    assert (a + b) + c == a + (b + c)
    assert a - a == Money.zero(cur)
    assert a + Money.zero(cur) == a
    negated = -a
    assert -negated == a
    assert abs(a) >= Money.zero(cur)


@given(st.data(), currencies(), st.integers(-1000, 1000))
def test_multiplication_distributes_over_addition(
    data: st.DataObject, cur: Currency, factor: int
) -> None:
    a, b = data.draw(money(cur)), data.draw(money(cur))
    assert (a + b) * factor == a * factor + b * factor
    assert factor * a == a * factor


@given(money(rounded=False), st.integers(1, 10**6))
def test_multiplying_then_dividing_by_an_integer_returns_the_amount(
    amount: Money, factor: int
) -> None:
    assert (amount * factor) / factor == amount


@given(money(rounded=False), st.sampled_from(sorted(ROUNDING_MODES)))
def test_rounding_is_idempotent_and_within_one_minor_unit(amount: Money, mode: str) -> None:
    rounded = amount.round(mode)
    assert rounded.is_rounded
    assert rounded.round(mode) == rounded
    assert abs(rounded - amount).amount < amount.currency.quantum


@given(st.data(), currencies())
def test_comparisons_agree_with_amounts(data: st.DataObject, cur: Currency) -> None:
    a, b = data.draw(money(cur)), data.draw(money(cur))
    assert (a < b) == (a.amount < b.amount)
    assert (a <= b) == (a.amount <= b.amount)
    assert (a > b) == (a.amount > b.amount)
    assert (a == b) == (a.amount == b.amount)


@given(money(), money())
def test_currency_guard_holds_for_any_two_currencies(a: Money, b: Money) -> None:
    assume(a.currency != b.currency)
    with pytest.raises(CurrencyMismatch):
        a + b
    with pytest.raises(CurrencyMismatch):
        a - b
    with pytest.raises(CurrencyMismatch):
        _ = a < b
    assert a != b


def test_minor_units_are_exact_whatever_the_callers_context() -> None:
    with decimal.localcontext() as context:
        context.prec = 4
        assert Money.from_minor_units(123456, "USD") == Money("1234.56", "USD")
        parts = Money("1000.00", "USD").allocate([1, 1, 1])
    assert sum(parts, Money.zero("USD")) == Money("1000.00", "USD")
    largest = 10**20 - 1  # 999,999,999,999,999,999.99: just below MAX_AMOUNT_DIGITS
    assert Money.from_minor_units(largest, "USD").to_minor_units() == largest


def test_an_amount_too_large_to_round_is_refused_when_made() -> None:
    with pytest.raises(InvalidAmount, match="MAX_AMOUNT_DIGITS"):
        Money("1e40", "USD")


def test_a_rounded_negative_zero_prints_as_zero() -> None:
    assert str(Money("-0.001", "USD").round()) == "USD 0.00"


def test_money_formats_its_amount_with_a_spec() -> None:
    assert f"{Money('1234.5', 'USD'):,.2f}" == "USD 1,234.50"
    assert f"{Money('1.5', 'USD')}" == "USD 1.50"
