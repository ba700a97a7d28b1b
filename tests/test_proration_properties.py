"""Properties every proration keeps, whatever the price, period and convention."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta

from hypothesis import assume, example, given
from hypothesis import strategies as st

from prodlife import (
    ACTUAL_DAYS,
    MONTHLY,
    THIRTY_DAY_MONTHS,
    BillingCycle,
    BillingSchedule,
    Money,
    Period,
)
from prodlife.cycles import CycleUnit
from prodlife.daycount import SECONDS, DayCount, FixedDays
from prodlife.money import Currency
from prodlife.proration import (
    Anchor,
    ChangeDay,
    ChangePolicy,
    Charge,
    ChargeMode,
    CotermItem,
    CreditMode,
    LineKind,
    UsedDay,
    prorate,
    quote_cancellation,
    quote_change,
    quote_coterm,
)
from prodlife.testing.strategies import billing_cycles, billing_dates, currencies, money, schedules
from tests._support import CONVENTIONS

#: The conventions a plan change is usually quoted in.
CHANGE_CONVENTIONS: list[DayCount] = [ACTUAL_DAYS, THIRTY_DAY_MONTHS, FixedDays(30)]

MAX_UNITS = 10**11


@st.composite
def billing_periods(draw: st.DrawFn) -> Period:
    """A period of some recurring schedule (a month, a quarter, 10 days, ...)."""
    return draw(schedules()).period(draw(st.integers(-3, 3)))


@st.composite
def period_with_cuts(draw: st.DrawFn) -> tuple[Period, list[date]]:
    """A billing period and sorted cut points strictly inside it."""
    period = draw(billing_periods())
    offsets = draw(st.lists(st.integers(1, max(1, period.days - 1)), max_size=6, unique=True))
    cuts = sorted({period.start + timedelta(days=o) for o in offsets if 0 < o < period.days})
    return period, cuts


@st.composite
def prices(draw: st.DrawFn, currency: Currency | None = None) -> Money:
    """Non-negative prices, whole minor units."""
    return draw(money(currency, min_minor_units=0, max_minor_units=MAX_UNITS))


def day_in(draw: Callable[[st.SearchStrategy[int]], int], period: Period, last: date) -> date:
    """A date from the period's start up to ``last`` included."""
    return period.start + timedelta(days=draw(st.integers(0, (last - period.start).days)))


# -- (1) splitting and allocating ---------------------------------------------------------


@given(period_with_cuts(), st.sampled_from(CONVENTIONS), money(max_minor_units=MAX_UNITS))
def test_allocating_the_price_over_the_pieces_of_its_period_loses_nothing(
    case: tuple[Period, list[date]], convention: DayCount, price: Money
) -> None:
    period, cuts = case
    bounds = [period.start, *cuts, period.end]
    shares = [
        prorate(price, period, Period(a, b), convention) for a, b in itertools.pairwise(bounds)
    ]
    parts = price.round().allocate([share.used for share in shares])
    assert sum(parts, Money.zero(price.currency)) == price.round()
    for part, share in zip(parts, shares, strict=True):
        assert abs(part.amount - share.exact.amount) < price.currency.quantum


# -- (2) a change and its reverse ------------------------------------------------------------


def _change_and_back(
    currency: Currency,
    period: Period,
    convention: DayCount,
    change_day: ChangeDay,
    units: tuple[int, int, int],
) -> tuple[Money, Money, bool]:
    """Change from an old price to a new one on a day, then back again that day."""
    old_units, new_units, offset = units
    old = Money.from_minor_units(old_units, currency)
    new = Money.from_minor_units(new_units, currency)
    # The change day leaves something to charge: the old plan keeps at most
    # the day before the last one.
    days = period.days if change_day is ChangeDay.NEW_PLAN else period.days - 1
    assume(days > 0)
    at = period.start + timedelta(days=offset % days)
    policy = ChangePolicy(change_day=change_day, anchor=Anchor.KEEP, day_count=convention)
    there = quote_change(Charge(old, period), new, at, policy=policy)
    back = quote_change(there.in_force, old, at, policy=policy)
    return there.net, back.net, bool(there.charges)


#: Old price, new price (minor units) and a day offset into the period.
CHANGES = st.tuples(st.integers(0, MAX_UNITS), st.integers(0, MAX_UNITS), st.integers(0, 10**6))


@example(  # the old plan keeps Jan 21; the reverse change is also on Jan 21
    currency=Currency("USD"),
    period=Period(date(2025, 1, 1), date(2025, 2, 1)),
    convention=ACTUAL_DAYS,
    change_day=ChangeDay.OLD_PLAN,
    units=(3100, 6200, 20),
)
@given(
    currencies(),
    billing_periods(),
    st.sampled_from(CHANGE_CONVENTIONS),
    st.sampled_from(ChangeDay),
    CHANGES,
)
def test_a_change_and_its_reverse_on_the_same_day_net_to_zero(
    currency: Currency,
    period: Period,
    convention: DayCount,
    change_day: ChangeDay,
    units: tuple[int, int, int],
) -> None:
    there, back, charged = _change_and_back(currency, period, convention, change_day, units)
    assert charged
    assert there + back == Money.zero(currency)


# -- (3) bounded and monotone ------------------------------------------------------------------


@given(period_with_cuts(), st.sampled_from(CONVENTIONS), st.data())
def test_a_share_is_between_nothing_and_the_price_and_grows_with_the_portion(
    case: tuple[Period, list[date]], convention: DayCount, data: st.DataObject
) -> None:
    period, cuts = case
    price = data.draw(prices())
    zero = Money.zero(price.currency)
    previous = zero
    for cut in [*cuts, period.end]:
        share = prorate(price, period, Period(period.start, cut), convention)
        assert zero <= share.exact <= price
        assert zero <= share.amount <= price
        assert share.amount >= previous
        previous = share.amount
    assert previous == price


# -- (4) whole periods ---------------------------------------------------------------------


@given(billing_periods(), money(max_minor_units=MAX_UNITS, rounded=False))
def test_all_conventions_charge_a_whole_period_at_the_rounded_price(
    period: Period, price: Money
) -> None:
    for convention in CONVENTIONS:
        share = prorate(price, period, period, convention)
        assert share.fraction == 1
        assert share.amount == price.round(), convention.name


# -- (5) co-terming there and back ----------------------------------------------------------


def _there_and_back(
    price: Money,
    cycle: BillingCycle,
    due: date,
    later: date,
    convention: DayCount,
    anchor_day: int | None = None,
) -> tuple[Money, Money]:
    there = quote_coterm([CotermItem("s", price, cycle, due)], later, day_count=convention)
    item = CotermItem("s", price, cycle, later, anchor_day)
    back = quote_coterm([item], due, day_count=convention)
    return there.net, back.net


@given(
    st.one_of(
        st.integers(1, 400).map(BillingCycle.days), st.integers(1, 8).map(BillingCycle.weeks)
    ),
    billing_dates(date(1950, 1, 1), date(2100, 1, 1)),
    st.integers(1, 1000),
    st.sampled_from([ACTUAL_DAYS, SECONDS]),
    prices(),
)
def test_coterming_later_and_back_nets_to_zero_for_cycles_of_fixed_length(
    cycle: BillingCycle, due: date, days: int, convention: DayCount, price: Money
) -> None:
    there, back = _there_and_back(price, cycle, due, due + timedelta(days=days), convention)
    assert there >= Money.zero(price.currency)
    assert there + back == Money.zero(price.currency)


@given(
    billing_cycles(),
    billing_dates(date(1950, 1, 1), date(2100, 1, 1)),
    st.integers(1, 3),
    st.sampled_from(CONVENTIONS),
    prices(),
)
def test_coterming_whole_periods_later_and_back_nets_to_zero(
    cycle: BillingCycle, due: date, periods: int, convention: DayCount, price: Money
) -> None:
    later = BillingSchedule(cycle, due).boundary(periods)
    anchor_day = due.day if cycle.unit is CycleUnit.MONTH else None
    there, back = _there_and_back(price, cycle, due, later, convention, anchor_day)
    assert there == price.round() * periods
    assert there + back == Money.zero(price.currency)


@example(due=date(2025, 1, 31), days=2, price=Money("30.00", "USD"))
@given(
    billing_dates(date(1950, 1, 1), date(2100, 1, 1)),
    st.integers(1, 90),
    prices(),
)
def test_coterming_later_and_back_nets_to_zero(due: date, days: int, price: Money) -> None:
    """Moving a monthly service due Jan 31 to Feb 2 charges 2 days of the period
    [Jan 31, Feb 28), and moving it back credits the same 2 days of the same
    period: nothing is gained or lost on the round trip."""
    there, back = _there_and_back(price, MONTHLY, due, due + timedelta(days=days), ACTUAL_DAYS)
    assert there + back == Money.zero(price.currency)


# -- (6) cancellation ----------------------------------------------------------------------


@given(st.data(), billing_periods(), st.sampled_from(CHANGE_CONVENTIONS), st.sampled_from(UsedDay))
def test_a_cancellation_refunds_the_price_less_the_used_share(
    data: st.DataObject, period: Period, convention: DayCount, used_day: UsedDay
) -> None:
    price = data.draw(prices())
    at = day_in(data.draw, period, period.last_day)
    quote = quote_cancellation(Charge(price, period), at, used_day=used_day, day_count=convention)
    refund = -quote.net
    service_ends = at + timedelta(days=1) if used_day is UsedDay.USED else at
    used = (
        prorate(price, period, Period(period.start, service_ends), convention).amount
        if service_ends > period.start
        else Money.zero(price.currency)
    )
    assert abs((refund - (price - used)).amount) <= price.currency.quantum


# -- (7) a quote adds up -----------------------------------------------------------------------


@st.composite
def policies(draw: st.DrawFn) -> ChangePolicy:
    return ChangePolicy(
        credit=draw(st.sampled_from(CreditMode)),
        charge=draw(st.sampled_from(ChargeMode)),
        change_day=draw(st.sampled_from(ChangeDay)),
        anchor=draw(st.sampled_from(Anchor)),
        day_count=draw(st.sampled_from(CHANGE_CONVENTIONS)),
    )


@given(
    st.data(),
    currencies(),
    billing_periods(),
    policies(),
    st.one_of(
        st.none(), st.sampled_from([MONTHLY, BillingCycle.months(12), BillingCycle.weeks(2)])
    ),
)
def test_a_quote_net_is_the_sum_of_its_lines_with_credits_and_charges_signed(
    data: st.DataObject,
    currency: Currency,
    period: Period,
    policy: ChangePolicy,
    new_cycle: BillingCycle | None,
) -> None:
    assume(new_cycle is not None or policy.anchor is Anchor.KEEP)
    old = data.draw(prices(currency))
    new = data.draw(prices(currency))
    at = day_in(data.draw, period, period.end)
    quote = quote_change(Charge(old, period), new, at, new_cycle=new_cycle, policy=policy)
    assert quote.net == sum((line.amount for line in quote.lines), Money.zero(currency))
    zero = Money.zero(currency)
    for line in quote.lines:
        assert line.amount.currency == currency
        if line.kind is LineKind.CREDIT:
            assert line.amount <= zero
            assert line.amount == -line.proration.amount
        else:
            assert line.amount >= zero
            assert line.amount == line.proration.amount
