"""Fuzzing the values layer: money, periods, cycles, schedules, day counts, clock, l10n.

Every call gets mostly valid arguments and sometimes junk (see ``tests/_fuzz.py``); it must
return a value that prints, or raise a ProdlifeError (a bad value) or a TypeError (a wrong
type), never anything else. Results are checked against the bounds of ``prodlife.limits``.
"""

from __future__ import annotations

import decimal
import operator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import (
    ACTUAL_DAYS,
    MONTHLY,
    THIRTY_DAY_MONTHS,
    BillingCycle,
    BillingSchedule,
    FixedClock,
    Money,
    Period,
    billing_date,
)
from prodlife.alignment import (
    LongCycles,
    StubWindow,
    align_to_billing_day,
    align_to_calendar,
    align_to_weekday,
)
from prodlife.clock import as_utc
from prodlife.cycles import CycleUnit, MonthEnd, billing_day, days_in_month
from prodlife.daycount import SECONDS, FixedDays
from prodlife.l10n import (
    format_date,
    format_instant,
    format_money,
    format_number,
    format_period,
    get_locale,
)
from prodlife.limits import (
    MAX_AMOUNT_DIGITS,
    MAX_CYCLE_DAYS,
    MAX_CYCLE_MONTHS,
    MAX_CYCLE_WEEKS,
    MAX_YEAR,
    MIN_AMOUNT_EXPONENT,
    MIN_YEAR,
)
from prodlife.money import ROUNDING_MODES, Currency, to_decimal, total
from prodlife.periods import Interval, time_zone
from prodlife.testing.strategies import (
    CURRENCY_CODES,
    billing_cycles,
    billing_dates,
    money,
    periods,
    schedules,
)
from tests._fuzz import attempt, either, junk

# -- valid values, including the largest ones --------------------------------------------


@st.composite
def large_money(draw: st.DrawFn) -> Money:
    """Amounts up to the bound, of every currency and scale."""
    code = draw(st.sampled_from(CURRENCY_CODES))
    units = draw(st.integers(-(10**22), 10**22))
    amount = Decimal(units).scaleb(-draw(st.integers(4, 40)), decimal.Context(prec=60))
    if amount.adjusted() >= MAX_AMOUNT_DIGITS:
        amount = amount.scaleb(MAX_AMOUNT_DIGITS - 1 - amount.adjusted(), decimal.Context(prec=60))
    return Money(amount, code)


MONEY = st.one_of(money(), money(rounded=False), large_money())
CODES = st.one_of(st.sampled_from(CURRENCY_CODES), st.sampled_from(CURRENCY_CODES).map(str.lower))
NUMBERS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**6)),
    st.decimals(allow_nan=False, allow_infinity=False, places=6, max_value=10**6),
)
DATES = billing_dates()
PERIODS = periods()
CYCLES = st.one_of(
    billing_cycles(),
    st.sampled_from(
        [
            BillingCycle.months(MAX_CYCLE_MONTHS),
            BillingCycle.weeks(MAX_CYCLE_WEEKS),
            BillingCycle.days(MAX_CYCLE_DAYS),
        ]
    ),
)
INSTANTS = st.datetimes(
    datetime(MIN_YEAR, 1, 2), datetime(MAX_YEAR, 12, 30), timezones=st.timezones() | st.just(UTC)
)
ZONES = st.one_of(st.sampled_from(["UTC", "Asia/Tokyo", "America/New_York", "Pacific/Kiritimati"]))
LOCALES = st.sampled_from(["en_US", "de_DE", "fr-FR", "ja_JP", "ar_EG", "hi_IN"])
SPANS = st.one_of(PERIODS, INSTANTS.flatmap(lambda at: st.just(Interval(at, at + timedelta(1)))))


def bounded(value: Money) -> None:
    """A Money within the bounds of prodlife.limits, that prints, and rounds or refuses to.

    (An amount within half a minor unit of 10**18 rounds up to it, which is refused.)
    """
    assert isinstance(value, Money)
    amount = value.amount
    assert amount.adjusted() < MAX_AMOUNT_DIGITS
    assert not amount or amount.adjusted() >= MIN_AMOUNT_EXPONENT
    str(value)
    attempt(value.round)
    assert Money(str(amount), value.currency) == value  # it round-trips through text


# -- money ------------------------------------------------------------------------------


@given(junk() | NUMBERS | st.text(max_size=30), either(CODES))
def test_money_is_made_or_refused(amount: Any, currency: Any) -> None:
    made = attempt(lambda: Money(amount, currency))
    if made is not None:
        bounded(made)


@given(junk() | NUMBERS, st.sampled_from(["amount", "ratio"]))
def test_to_decimal_returns_a_bounded_number_or_refuses(value: Any, what: str) -> None:
    result = attempt(lambda: to_decimal(value, what))
    if result is not None:
        assert isinstance(result, Decimal) and result.is_finite()
        assert not result or MIN_AMOUNT_EXPONENT <= result.adjusted() < MAX_AMOUNT_DIGITS


@given(either(st.integers(-(10**25), 10**25)), either(CODES))
def test_minor_units_are_made_or_refused(units: Any, currency: Any) -> None:
    made = attempt(lambda: Money.from_minor_units(units, currency))
    if made is not None:
        bounded(made)
        assert made.to_minor_units() == units


_BINARY = [operator.add, operator.sub, operator.lt, operator.le, operator.ge, operator.gt]


@given(MONEY, either(MONEY), st.sampled_from(_BINARY))
def test_money_arithmetic_stays_in_bounds_or_refuses(
    left: Money, right: Any, operation: Any
) -> None:
    result = attempt(lambda: operation(left, right))
    if isinstance(result, Money):
        bounded(result)


@given(MONEY, either(NUMBERS), st.sampled_from([operator.mul, operator.truediv]))
def test_money_times_or_over_a_number_stays_in_bounds_or_refuses(
    left: Money, factor: Any, operation: Any
) -> None:
    result = attempt(lambda: operation(left, factor))
    if isinstance(result, Money):
        bounded(result)


@given(MONEY, either(MONEY))
def test_ratios_of_money_are_numbers_or_refused(left: Money, right: Any) -> None:
    attempt(lambda: left.ratio(right))
    attempt(lambda: left / right)


@given(MONEY, either(st.sampled_from(sorted(ROUNDING_MODES))))
def test_money_rounds_to_minor_units_or_refuses(value: Money, rounding: Any) -> None:
    rounded = attempt(lambda: value.round(rounding))
    if isinstance(rounded, Money):
        bounded(rounded)
        assert rounded.to_minor_units() is not None
    attempt(value.to_minor_units)
    assert value.is_rounded in (True, False)
    bounded(-value)
    bounded(abs(value))


@given(MONEY, either(st.lists(NUMBERS.map(abs), max_size=6)))
def test_allocation_adds_up_or_refuses(value: Money, ratios: Any) -> None:
    parts = attempt(lambda: value.round().allocate(ratios))
    if parts is not None:
        assert sum(parts, Money.zero(value.currency)) == value.round()


@given(st.lists(either(MONEY), max_size=6), either(CODES))
def test_totals_are_bounded_or_refused(amounts: Any, currency: Any) -> None:
    result = attempt(lambda: total(amounts, currency))
    if result is not None:
        bounded(result)


@given(MONEY, junk() | st.sampled_from([",.2f", ">20", "z.3f", "e", "%", ".99f", "_"]))
def test_money_formats_with_a_spec_or_refuses(value: Money, spec: Any) -> None:
    attempt(lambda: format(value, spec))


@given(junk() | CODES)
def test_currencies_are_known_or_refused(code: Any) -> None:
    attempt(lambda: Currency(code))


# -- periods, instants, billing dates ---------------------------------------------------


@given(either(DATES), either(DATES))
def test_periods_are_made_or_refused(start: Any, end: Any) -> None:
    made = attempt(lambda: Period(start, end))
    if isinstance(made, Period):
        assert made.start.year >= MIN_YEAR and made.end.year <= MAX_YEAR
        assert made.days > 0


@given(PERIODS, either(PERIODS), either(DATES))
def test_period_operations_answer_or_refuse(period: Period, other: Any, day: Any) -> None:
    attempt(lambda: period.overlaps(other))
    attempt(lambda: period.intersection(other))
    attempt(lambda: period.contains(other))
    attempt(lambda: period.split(day))
    attempt(lambda: day in period)


@given(either(INSTANTS), either(INSTANTS), either(INSTANTS))
def test_intervals_are_made_or_refused(start: Any, end: Any, at: Any) -> None:
    made = attempt(lambda: Interval(start, end))
    if isinstance(made, Interval):
        attempt(lambda: made.split(at))
        attempt(lambda: made.contains(at))


@given(either(INSTANTS), either(ZONES))
def test_billing_dates_are_in_the_window_or_refused(instant: Any, zone: Any) -> None:
    day = attempt(lambda: billing_date(instant, zone))
    if isinstance(day, date):
        assert MIN_YEAR <= day.year <= MAX_YEAR
    attempt(lambda: time_zone(zone))
    attempt(lambda: as_utc(instant))


@given(either(INSTANTS), either(st.timedeltas(timedelta(0), timedelta(days=10**6))))
def test_a_fixed_clock_moves_or_refuses(start: Any, delta: Any) -> None:
    clock = attempt(lambda: FixedClock(start))
    if isinstance(clock, FixedClock):
        attempt(lambda: clock.advance(delta))
        attempt(lambda: clock.set(delta))
        assert clock.now().utcoffset() == timedelta(0)


# -- cycles and schedules -----------------------------------------------------------------


@given(junk() | st.sampled_from(list(CycleUnit)), junk() | st.integers(-5, 10**6))
def test_cycles_are_made_within_ten_years_or_refused(unit: Any, count: Any) -> None:
    cycle = attempt(lambda: BillingCycle(unit, count))
    if isinstance(cycle, BillingCycle) and cycle.is_recurring:
        assert cycle.nominal_days <= MAX_CYCLE_DAYS + 3


@given(
    junk()
    | st.from_regex(r"\A(every )?\d{1,30} ?(day|week|month|year)s?\Z")
    | st.from_regex(r"\AP\d{1,30}[DWMY]\Z")
)
def test_cycles_are_parsed_or_refused(text: Any) -> None:
    cycle = attempt(lambda: BillingCycle.parse(text))
    if isinstance(cycle, BillingCycle) and cycle.is_recurring:
        assert cycle.nominal_days <= MAX_CYCLE_DAYS + 3


@given(CYCLES, either(DATES), either(st.integers(-(10**6), 10**6)), either(st.integers(1, 31)))
def test_shifts_stay_in_the_window_or_refuse(
    cycle: BillingCycle, anchor: Any, periods: Any, day: Any
) -> None:
    moved = attempt(lambda: cycle.shift(anchor, periods, day))
    if isinstance(moved, date):
        assert MIN_YEAR <= moved.year <= MAX_YEAR


@given(
    either(CYCLES),
    either(DATES),
    st.none() | either(st.integers(1, 31)),
    either(st.sampled_from(MonthEnd)),
    either(st.integers(-(10**5), 10**5)),
    either(DATES),
)
def test_schedules_lay_out_periods_in_the_window_or_refuse(
    cycle: Any, anchor: Any, anchor_day: Any, month_end: Any, index: Any, day: Any
) -> None:
    schedule = attempt(lambda: BillingSchedule(cycle, anchor, anchor_day, month_end))
    if not isinstance(schedule, BillingSchedule):
        return
    attempt(lambda: schedule.boundary(index))
    attempt(lambda: schedule.period(index))
    attempt(lambda: schedule.index_of(day))
    attempt(lambda: schedule.period_containing(day))
    attempt(lambda: schedule.next_boundary(day))
    attempt(lambda: list(zip(range(3), schedule.periods(index), strict=False)))
    attempt(lambda: schedule.periods_between(Period(anchor, day)))


@given(schedules(), st.integers(-(10**4), 10**4))
def test_schedule_boundaries_near_the_window_edges_refuse_cleanly(
    schedule: BillingSchedule, index: int
) -> None:
    period = attempt(lambda: schedule.period(index))
    if isinstance(period, Period):
        assert period.start.year >= MIN_YEAR and period.end.year <= MAX_YEAR


@given(
    either(DATES), either(st.integers(-3, 40)), either(CYCLES), either(st.sampled_from(MonthEnd))
)
def test_alignment_to_a_billing_day_works_or_refuses(
    start: Any, day: Any, cycle: Any, month_end: Any
) -> None:
    attempt(lambda: align_to_billing_day(start, day, cycle, month_end=month_end))
    attempt(lambda: billing_day(start, start))


@given(
    either(DATES),
    either(st.integers(-3, 40)),
    either(CYCLES),
    either(st.sampled_from(LongCycles)),
    either(st.sampled_from(StubWindow)),
    either(st.integers(-2, 8)),
)
def test_alignment_conventions_work_or_refuse(
    start: Any, day: Any, cycle: Any, cycles: Any, stub: Any, weekday: Any
) -> None:
    attempt(lambda: align_to_billing_day(start, day, cycle, cycles=cycles, stub=stub))
    attempt(lambda: align_to_weekday(start, weekday, cycle))
    attempt(lambda: align_to_calendar(start, cycle, week_start=weekday))


@given(either(st.integers(-(10**6), 10**6)), either(st.integers(-2, 14)))
def test_days_in_month_answers_or_refuses(year: Any, month: Any) -> None:
    attempt(lambda: days_in_month(year, month))


# -- day counts ---------------------------------------------------------------------------


@given(
    st.sampled_from([ACTUAL_DAYS, THIRTY_DAY_MONTHS, SECONDS]) | either(st.integers(1, 400)),
    either(SPANS),
    either(SPANS),
)
def test_day_counts_measure_or_refuse(convention: Any, portion: Any, period: Any) -> None:
    if not hasattr(convention, "measure"):
        convention = attempt(lambda: FixedDays(convention))
        if convention is None:
            return
    measure = attempt(lambda: convention.measure(portion, period))
    if measure is not None:
        assert 0 <= measure.used <= measure.total


# -- l10n ---------------------------------------------------------------------------------


@given(either(MONEY), either(NUMBERS), either(DATES), either(INSTANTS), either(LOCALES))
def test_formatting_for_a_locale_prints_or_refuses(
    value: Any, number: Any, day: Any, instant: Any, locale: Any
) -> None:
    attempt(lambda: get_locale(locale))
    attempt(lambda: format_money(value, locale))
    attempt(lambda: format_number(number, locale))
    attempt(lambda: format_date(day, locale))
    attempt(lambda: format_instant(instant, "Europe/Paris", locale))
    attempt(lambda: format_period(Period(day, day + timedelta(3)), locale))


@given(either(DATES), either(st.sampled_from(["short", "medium", "long", "full"])))
def test_date_styles_print_or_refuse(day: Any, style: Any) -> None:
    attempt(lambda: format_date(day, "en_US", style))


# -- named cases from issue 18 ------------------------------------------------------------


def test_the_values_of_issue_18_are_refused_with_the_limit_named() -> None:
    from prodlife.errors import InvalidAmount, InvalidBillingCycle, InvalidInstant

    with pytest.raises(InvalidAmount, match="MAX_AMOUNT_DIGITS"):
        Money(10**32, "USD")
    with pytest.raises(InvalidAmount, match="MAX_AMOUNT_DIGITS"):
        Money("1e999999999", "USD")
    with pytest.raises(InvalidAmount, match="MAX_AMOUNT_DIGITS"):
        Money("1e33", "USD")
    with pytest.raises(InvalidAmount, match="MAX_AMOUNT_DIGITS"):
        Money("999999999999999999.99", "USD") + Money("0.01", "USD")
    with pytest.raises(InvalidBillingCycle, match="MAX_CYCLE_DAYS"):
        BillingCycle.parse("P4087953467939256D")
    with pytest.raises(InvalidInstant, match="MAX_YEAR"):
        billing_date(datetime(9999, 12, 31, 23, tzinfo=UTC), "Asia/Tokyo")
    with pytest.raises(InvalidInstant, match="MIN_YEAR"):
        billing_date(datetime(1, 1, 1, tzinfo=UTC), "America/New_York")
    with pytest.raises(InvalidInstant, match="MAX_YEAR"):
        as_utc(datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=5))))
    assert str(Money("999999999999999999.99", "USD")) == "USD 999999999999999999.99"
    assert (Money("999999999999999998.99", "USD") + Money("0.01", "USD")).amount == Decimal(
        "999999999999999999.00"
    )
    assert MONTHLY.shift(date(MAX_YEAR, 11, 30), 1) == date(MAX_YEAR, 12, 30)
