"""Fuzzing proration: shares of periods, charges, and every quote, down to how they print.

Every call gets mostly valid arguments and sometimes junk (see ``tests/_fuzz.py``); it must
return a value that prints, or raise a ProdlifeError or a TypeError, never anything else.
"""

from __future__ import annotations

import decimal
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from prodlife import ACTUAL_DAYS, THIRTY_DAY_MONTHS, Money, Period, prorate, quote_change
from prodlife.cycles import MonthEnd
from prodlife.daycount import CALENDAR_30_DAYS, SECONDS, CalendarMonthDays, FixedDays
from prodlife.limits import MAX_AMOUNT_DIGITS, MAX_YEAR, MIN_YEAR
from prodlife.periods import Interval
from prodlife.proration import (
    Anchor,
    ChangeDay,
    ChangePolicy,
    Charge,
    ChargeMode,
    CotermItem,
    CreditMode,
    Line,
    LineKind,
    Quote,
    UsedDay,
    quote_cancellation,
    quote_coterm,
    quote_first_charge,
    quote_option_change,
    quote_pause,
    quote_quantity_change,
)
from prodlife.testing.strategies import billing_cycles, billing_dates, money, periods
from tests._fuzz import attempt, either, junk

CODE = "USD"
PRICES = st.one_of(
    money(CODE, min_minor_units=0),
    money(CODE, min_minor_units=0, rounded=False),
    st.sampled_from(
        [Money("9" * MAX_AMOUNT_DIGITS + ".99", CODE), Money("0.01", CODE), Money(0, CODE)]
    ),
)
DATES = billing_dates()
PERIODS = periods(max_days=800)
INSTANTS = st.datetimes(
    datetime(MIN_YEAR, 1, 2), datetime(MAX_YEAR, 12, 30), timezones=st.just(UTC)
)
INTERVALS = st.builds(
    lambda at, seconds: Interval(at, at + timedelta(seconds=seconds)),
    INSTANTS.filter(lambda at: at.year < MAX_YEAR),
    st.integers(1, 10**8),
)
CONVENTIONS = st.one_of(
    st.sampled_from(
        [ACTUAL_DAYS, THIRTY_DAY_MONTHS, CALENDAR_30_DAYS, SECONDS, FixedDays(30), FixedDays(365)]
    ),
    st.integers(1, 3650).map(FixedDays),
    st.integers(1, 31).map(CalendarMonthDays),
)
ROUNDINGS = st.sampled_from(
    [decimal.ROUND_HALF_UP, decimal.ROUND_HALF_EVEN, decimal.ROUND_DOWN, decimal.ROUND_CEILING]
)
POLICIES = st.builds(
    lambda *fields: attempt(lambda: ChangePolicy(*fields)),
    either(st.sampled_from(CreditMode)),
    either(st.sampled_from(ChargeMode)),
    either(st.sampled_from(ChangeDay)),
    either(st.sampled_from(Anchor)),
    either(CONVENTIONS),
    either(ROUNDINGS),
)


@st.composite
def charges(draw: st.DrawFn) -> Charge:
    """A valid charge over dates (with a window sometimes) or over instants."""
    price = draw(PRICES)
    if draw(st.booleans()):
        return Charge(price, draw(INTERVALS), description=draw(st.text(max_size=8)))
    window = draw(PERIODS)
    start = window.start + timedelta(days=draw(st.integers(0, window.days - 1)))
    end = start + timedelta(days=draw(st.integers(1, (window.end - start).days)))
    stub = Period(start, end)
    return Charge(price, stub, window if draw(st.booleans()) else None, draw(st.text(max_size=8)))


def point_in(charge: Charge) -> st.SearchStrategy[Any]:
    """A change point inside, at the edges of, or outside what ``charge`` covers."""
    covered = charge.span
    if isinstance(covered, Interval):
        seconds = int(covered.duration.total_seconds())
        return st.integers(-2, seconds + 2).map(lambda s: covered.start + timedelta(seconds=s))
    return st.integers(-2, covered.days + 2).map(lambda n: covered.start + timedelta(days=n))


def printed(quote: object) -> None:
    """A quote prints in every medium, whatever its amounts."""
    if isinstance(quote, Quote):
        str(quote)
        quote.format("de_DE")
        quote._repr_html_()
        quote.as_rows()
        assert isinstance(quote.net, Money)
        assert quote.in_force is not None


@given(either(PRICES), either(PERIODS), either(PERIODS), either(CONVENTIONS), either(ROUNDINGS))
def test_prorate_shares_or_refuses(
    price: Any, period: Any, portion: Any, convention: Any, rounding: Any
) -> None:
    share = attempt(lambda: prorate(price, period, portion, convention, rounding=rounding))
    if share is not None:
        str(share.exact)
        most = abs(price.round(rounding).amount) + price.currency.quantum
        assert abs(share.amount.amount) <= most
    attempt(lambda: prorate(price, portion, portion, convention, window=period))


@given(either(PRICES), either(PERIODS | INTERVALS), st.none() | either(PERIODS), junk())
def test_charges_are_made_or_refused(amount: Any, span: Any, window: Any, text: Any) -> None:
    attempt(lambda: Charge(amount, span, window, text))


@given(
    st.lists(charges(), min_size=1, max_size=3) | charges() | junk(),
    either(PRICES),
    st.data(),
    st.none() | either(billing_cycles()),
    st.none() | POLICIES,
    either(st.text(max_size=10)),
)
def test_plan_change_quotes_print_or_refuse(
    charged: Any, new_price: Any, data: st.DataObject, cycle: Any, policy: Any, text: Any
) -> None:
    first = charged[0] if isinstance(charged, list) and charged else charged
    at = data.draw(point_in(first) if isinstance(first, Charge) else junk())
    quote = attempt(
        lambda: quote_change(
            charged, new_price, at, new_cycle=cycle, policy=policy, description=text
        )
    )
    printed(quote)
    if isinstance(quote, Quote):
        second = attempt(lambda: quote_change(quote.in_force, new_price, at, policy=policy))
        printed(second)


@given(charges(), either(PRICES), either(st.integers(-2, 10**6)), st.data(), st.none() | POLICIES)
def test_quantity_change_quotes_print_or_refuse(
    charged: Charge, unit_price: Any, quantity: Any, data: st.DataObject, policy: Any
) -> None:
    at = data.draw(point_in(charged))
    printed(
        attempt(lambda: quote_quantity_change(charged, unit_price, quantity, at, policy=policy))
    )


@given(either(PRICES), either(PRICES), either(PERIODS | INTERVALS), st.data(), st.none() | POLICIES)
def test_option_change_quotes_print_or_refuse(
    old: Any, new: Any, span: Any, data: st.DataObject, policy: Any
) -> None:
    at = data.draw(point_in(Charge(Money(1, CODE), span)) if isinstance(span, Period) else junk())
    printed(attempt(lambda: quote_option_change(old, new, span, at, option="disk", policy=policy)))


@given(
    st.lists(charges(), min_size=1, max_size=3) | charges() | junk(),
    st.data(),
    either(st.sampled_from(CreditMode)),
    either(st.sampled_from(UsedDay)),
    either(CONVENTIONS),
    either(ROUNDINGS),
)
def test_cancellation_quotes_print_or_refuse(
    charged: Any, data: st.DataObject, refund: Any, used: Any, convention: Any, rounding: Any
) -> None:
    first = charged[0] if isinstance(charged, list) and charged else charged
    at = data.draw(point_in(first) if isinstance(first, Charge) else junk())
    printed(
        attempt(
            lambda: quote_cancellation(
                charged, at, refund=refund, used_day=used, day_count=convention, rounding=rounding
            )
        )
    )


@given(
    st.lists(charges(), min_size=1, max_size=3) | charges(),
    either(PERIODS | INTERVALS),
    either(st.sampled_from(CreditMode)),
    either(CONVENTIONS),
    either(ROUNDINGS),
)
def test_pause_quotes_print_or_refuse(
    charged: Any, pause: Any, credit: Any, convention: Any, rounding: Any
) -> None:
    printed(
        attempt(
            lambda: quote_pause(
                charged, pause, credit=credit, day_count=convention, rounding=rounding
            )
        )
    )


@given(
    either(PRICES),
    either(billing_cycles()),
    either(DATES),
    st.none() | either(st.integers(1, 31)),
    st.none() | either(st.integers(1, 31)),
    either(st.sampled_from(MonthEnd)),
    either(CONVENTIONS),
)
def test_first_charge_quotes_print_or_refuse(
    price: Any, cycle: Any, start: Any, day: Any, after: Any, month_end: Any, convention: Any
) -> None:
    printed(
        attempt(
            lambda: quote_first_charge(
                price,
                cycle,
                start,
                billing_day=day,
                charge_next_after=after,
                month_end=month_end,
                day_count=convention,
            )
        )
    )


COTERM_ITEMS = either(
    st.builds(
        lambda *fields: attempt(lambda: CotermItem(*fields)),
        either(st.text(max_size=6)),
        either(PRICES),
        either(billing_cycles()),
        either(billing_dates(date(2000, 1, 1), date(2100, 12, 31))),
        st.none() | either(st.integers(1, 31)),
    )
)


@given(
    st.lists(COTERM_ITEMS, max_size=3) | junk(),
    either(billing_dates(date(2000, 1, 1), date(2100, 12, 31))),
    either(CONVENTIONS),
    st.none() | either(st.integers(1, 31)),
)
def test_coterm_quotes_print_or_refuse(
    items: Any, new_due: Any, convention: Any, new_day: Any
) -> None:
    printed(
        attempt(lambda: quote_coterm(items, new_due, day_count=convention, new_anchor_day=new_day))
    )


@given(
    either(st.text(max_size=10)),
    either(st.sampled_from(["USD", "EUR"])),
    st.lists(either(st.sampled_from(list(LineKind))), max_size=3),
    junk(),
)
def test_quotes_built_by_hand_print_or_refuse(
    operation: Any, currency: Any, kinds: Any, next_due: Any
) -> None:
    share = prorate(
        Money("10.00", CODE),
        Period(date(2025, 1, 1), date(2025, 2, 1)),
        Period(date(2025, 1, 1), date(2025, 2, 1)),
    )
    lines = attempt(lambda: tuple(Line(kind, "line", share) for kind in kinds))
    # A refusal (None) goes on as junk lines.
    quote = attempt(lambda: Quote(operation, currency, lines, next_due))  # type: ignore[arg-type]
    printed(quote)


def test_a_quote_of_the_largest_amounts_prints() -> None:
    largest = Money("9" * MAX_AMOUNT_DIGITS + ".99", CODE)
    january = Period(date(2025, 1, 1), date(2025, 2, 1))
    quote = quote_change(Charge(largest, january), largest, date(2025, 1, 11))
    assert "677419354838709677.41" in str(quote)  # the 21 days left of 31, each way
    assert quote.format("fr_FR")
    assert quote.net == Money(0, CODE)
    third = prorate(largest, january, Period(date(2025, 1, 1), date(2025, 1, 11)))
    exact = Fraction(largest.amount) * 10 / 31  # 322580645161290322.577...
    assert abs(Fraction(third.exact.amount) - exact) < Fraction(1, 10**15)
    assert third.amount == Money("322580645161290322.58", CODE)
