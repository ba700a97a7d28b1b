"""Hypothesis strategies for prodlife's values, for property-based tests.

>>> from hypothesis import given
>>> @given(money())
... def test_rounding_is_idempotent(amount):
...     assert amount.round().round() == amount.round()
>>> test_rounding_is_idempotent()
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from prodlife.cycles import BillingCycle, BillingSchedule, CycleUnit, MonthEnd
from prodlife.money import Currency, Money
from prodlife.periods import Period

__all__ = [
    "billing_cycles",
    "billing_dates",
    "currencies",
    "money",
    "periods",
    "ratios",
    "schedules",
]

#: Codes that cover every minor-unit count babel knows for active currencies.
CURRENCY_CODES = ("USD", "EUR", "JPY", "BHD", "KWD", "CLF", "GBP", "CHF", "KRW", "TND", "UYW")

_FIRST = date(1900, 1, 1)
_LAST = date(2199, 12, 31)


def currencies() -> st.SearchStrategy[Currency]:
    """Currencies with 0, 2, 3 and 4 minor units."""
    return st.sampled_from(CURRENCY_CODES).map(Currency)


@st.composite
def money(
    draw: st.DrawFn,
    currency: Currency | str | None = None,
    *,
    max_minor_units: int = 10**12,
    min_minor_units: int | None = None,
    rounded: bool = True,
) -> Money:
    """Amounts of one currency (drawn when not given).

    Args:
        currency: the currency, or ``None`` to draw one.
        max_minor_units: the largest amount, in minor units.
        min_minor_units: the smallest amount (``-max_minor_units`` by default).
        rounded: whether amounts are whole minor units (else up to 6 more digits).
    """
    cur = draw(currencies()) if currency is None else Currency(str(currency))
    low = -max_minor_units if min_minor_units is None else min_minor_units
    units = draw(st.integers(low, max_minor_units))
    amount = Decimal(units).scaleb(-cur.minor_units)
    if not rounded:
        extra = draw(st.integers(0, 999_999))
        amount += Decimal(extra).scaleb(-cur.minor_units - 6)
    return Money(amount, cur)


def billing_dates(first: date = _FIRST, last: date = _LAST) -> st.SearchStrategy[date]:
    """Calendar dates, biased by hypothesis towards month ends and leap days."""
    month_ends = st.builds(
        lambda year, month: (
            date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
        ),
        st.integers(max(first.year, 1901), min(last.year, 2198)),
        st.integers(1, 12),
    )
    leap_days = st.sampled_from([date(y, 2, 29) for y in (1904, 2000, 2024, 2028, 2096)])
    return st.one_of(st.dates(first, last), month_ends, leap_days).filter(
        lambda d: first <= d <= last
    )


@st.composite
def periods(draw: st.DrawFn, max_days: int = 1200) -> Period:
    """Non-empty periods of up to ``max_days`` days."""
    start = draw(billing_dates(_FIRST, _LAST - timedelta(days=max_days)))
    return Period(start, start + timedelta(days=draw(st.integers(1, max_days))))


def billing_cycles() -> st.SearchStrategy[BillingCycle]:
    """Recurring cycles of days, weeks and months (named ones most often)."""
    return st.one_of(
        st.sampled_from([BillingCycle.months(n) for n in (1, 3, 6, 12, 24, 36)]),
        st.builds(BillingCycle, st.just(CycleUnit.MONTH), st.integers(1, 48)),
        st.builds(BillingCycle, st.just(CycleUnit.WEEK), st.integers(1, 8)),
        st.builds(BillingCycle, st.just(CycleUnit.DAY), st.integers(1, 400)),
    )


@st.composite
def schedules(draw: st.DrawFn) -> BillingSchedule:
    """Schedules with any recurring cycle, anchor and month-end policy."""
    cycle = draw(billing_cycles())
    anchor = draw(billing_dates(date(1950, 1, 1), date(2100, 12, 31)))
    policy = draw(st.sampled_from(MonthEnd))
    return BillingSchedule(cycle, anchor, month_end=policy)


def ratios(max_size: int = 12) -> st.SearchStrategy[list[Decimal]]:
    """Lists of non-negative ratios with at least one positive."""
    ratio = st.one_of(
        st.integers(0, 1000).map(Decimal),
        st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False),
    )
    return st.lists(ratio, min_size=1, max_size=max_size).filter(lambda xs: sum(xs) > 0)
