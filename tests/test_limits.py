"""The limits: one table in docs/errors.md, equal to prodlife.limits.LIMITS; each one enforced."""

from __future__ import annotations

import decimal
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import prodlife
from prodlife import daycount, errors, limits, money, proration
from prodlife.limits import LIMITS

ERRORS_PAGE = Path(__file__).parent.parent / "docs" / "errors.md"


def _table_rows(text: str) -> list[str]:
    section = text.split("## Limits", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `")]


def test_the_limits_table_in_the_docs_is_the_limits_constants() -> None:
    expected = [limit.row() for limit in LIMITS]
    assert _table_rows(ERRORS_PAGE.read_text(encoding="utf-8")) == expected, (
        "docs/errors.md's limits table differs from prodlife.limits.LIMITS; paste:\n"
        + "\n".join(expected)
    )


def test_every_limit_constant_is_listed_once_with_its_value() -> None:
    constants = {name for name in limits.__all__ if name.isupper() and name != "LIMITS"}
    assert sorted(limit.name for limit in LIMITS) == sorted(constants)
    for limit in LIMITS:
        assert getattr(limits, limit.name) == limit.value
        for name in limit.errors:
            assert issubclass(getattr(errors, name), errors.ValidationError)


def test_the_bounds_leave_room_for_arithmetic() -> None:
    # The largest sum of two amounts, with the most minor units of any currency (4, CLF),
    # fits the precision: no sum of amounts within the bound drops a minor unit.
    assert limits.MAX_AMOUNT_DIGITS + 1 + 4 <= limits.AMOUNT_PRECISION
    assert money.CONTEXT.prec == limits.AMOUNT_PRECISION
    # A quantity times a price of one minor unit stays within the bound.
    assert limits.MAX_QUANTITY < 10**limits.MAX_AMOUNT_DIGITS
    assert limits.MAX_SERVICE_QUANTITY <= limits.MAX_QUANTITY
    # Renewing the most periods of the longest cycle from the last year stays in the calendar.
    years = limits.MAX_RENEWAL_PERIODS * limits.MAX_CYCLE_MONTHS // 12
    assert limits.MAX_YEAR + years <= date.max.year
    assert 1 <= limits.MIN_YEAR < limits.MAX_YEAR


@pytest.mark.parametrize(
    ("call", "error", "limit"),
    [
        (lambda: prodlife.Money(10**32, "USD"), errors.InvalidAmount, "MAX_AMOUNT_DIGITS"),
        (lambda: prodlife.Money("1e-41", "USD"), errors.InvalidAmount, "MIN_AMOUNT_EXPONENT"),
        (
            lambda: prodlife.Money("999999999999999999", "USD") * 2,
            errors.InvalidAmount,
            "MAX_AMOUNT_DIGITS",
        ),
        (
            lambda: prodlife.Money("1.00", "USD").allocate([Decimal("1e30")]),
            errors.InvalidAmount,
            "MAX_AMOUNT_DIGITS",
        ),
        (
            lambda: prodlife.Rate.per_unit(prodlife.Money("1", "USD")).charge(10**13),
            prodlife.RuleViolation,
            "MAX_QUANTITY",
        ),
        (
            lambda: prodlife.OrderLineSpec("SEATS", 10**7),
            prodlife.RuleViolation,
            "MAX_SERVICE_QUANTITY",
        ),
        (
            lambda: prodlife.Period(date(1899, 12, 30), date(1900, 1, 1)),
            errors.InvalidPeriod,
            "MIN_YEAR",
        ),
        (
            lambda: prodlife.billing_date(datetime(3000, 1, 1, tzinfo=UTC), "UTC"),
            errors.InvalidInstant,
            "MAX_YEAR",
        ),
        (
            lambda: prodlife.BillingCycle.months(121),
            errors.InvalidBillingCycle,
            "MAX_CYCLE_MONTHS",
        ),
        (
            lambda: prodlife.BillingCycle.parse("every 521 weeks"),
            errors.InvalidBillingCycle,
            "MAX_CYCLE_WEEKS",
        ),
        (lambda: daycount.FixedDays(3651), prodlife.ValidationError, "MAX_CYCLE_DAYS"),
    ],
)
def test_a_value_beyond_a_limit_is_refused_with_the_limit_named(
    call: object, error: type[Exception], limit: str
) -> None:
    with pytest.raises(error, match=limit):
        call()  # type: ignore[operator]


def test_values_at_the_limits_are_accepted() -> None:
    assert prodlife.BillingCycle.months(limits.MAX_CYCLE_MONTHS).count == 120
    assert prodlife.BillingCycle.parse("P3650D") == prodlife.BillingCycle.days(3650)
    assert prodlife.Period(date(limits.MIN_YEAR, 1, 1), date(limits.MAX_YEAR, 12, 31)).days > 0
    assert prodlife.Money("1e-40", "USD").amount == Decimal("1e-40")
    assert prodlife.Rate.per_unit(prodlife.Money("1", "USD")).charge(10**12).total == (
        prodlife.Money(10**12, "USD")
    )


def test_rounding_up_to_the_bound_is_refused_not_carried_past_it() -> None:
    near = prodlife.Money("-999999999999999999.9901", "USD")
    with pytest.raises(errors.InvalidAmount, match="MAX_AMOUNT_DIGITS"):
        near.round(decimal.ROUND_FLOOR)
    assert near.round(decimal.ROUND_CEILING) == prodlife.Money("-999999999999999999.99", "USD")
    january = prodlife.Period(date(2025, 1, 1), date(2025, 2, 1))
    whole = prodlife.Money("999999999999999999.999", "USD")
    with pytest.raises(errors.InvalidAmount, match="MAX_AMOUNT_DIGITS"):
        prodlife.prorate(whole, january, january)
    with pytest.raises(errors.InvalidAmount, match="MAX_AMOUNT_DIGITS"):
        prodlife.quote_change(proration.Charge(whole, january), whole, date(2025, 1, 1))
