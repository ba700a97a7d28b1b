"""prorate(): the share of a price for a portion of its period, with its working."""

from __future__ import annotations

import decimal
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from prodlife import ACTUAL_DAYS, THIRTY_DAY_MONTHS, Money
from prodlife.daycount import SECONDS, DayCount, FixedDays
from prodlife.errors import InvalidAmount, InvalidPeriod, InvalidRounding
from prodlife.periods import Interval
from prodlife.proration import Proration, prorate
from tests._support import P, usd

JANUARY = P("2025-01-01", "2025-02-01")


def test_a_share_keeps_its_working() -> None:
    share = prorate(usd("31.00"), JANUARY, P("2025-01-22", "2025-02-01"))
    assert isinstance(share, Proration)
    assert share.price == usd("31.00")
    assert share.period == JANUARY
    assert share.portion == P("2025-01-22", "2025-02-01")
    assert (share.used, share.total) == (10, 31)
    assert share.convention == "actual days"
    assert share.fraction == Fraction(10, 31)
    assert share.exact == usd("10")
    assert share.amount == usd("10.00")
    assert share.rounding == decimal.ROUND_HALF_UP


def test_the_convention_is_named_in_the_share() -> None:
    portion = P("2025-01-01", "2025-01-16")
    assert prorate(usd("30"), JANUARY, portion, THIRTY_DAY_MONTHS).convention == "30-day months"
    assert prorate(usd("30"), JANUARY, portion, FixedDays(30)).convention == "fixed 30 days"
    # 15 days of January are 15 units of 30 under 30-day months: half the price.
    assert prorate(usd("30"), JANUARY, portion, THIRTY_DAY_MONTHS).amount == usd("15.00")


def test_the_exact_amount_keeps_every_digit_and_the_amount_is_rounded_once() -> None:
    three_days = P("2025-01-01", "2025-01-04")
    share = prorate(usd("10.00"), three_days, P("2025-01-01", "2025-01-02"))
    # 10 / 3 to prodlife's 34 significant digits.
    assert share.exact.amount == Decimal("3.333333333333333333333333333333333")
    assert share.amount == usd("3.33")
    assert share.fraction == Fraction(1, 3)


def test_rounding_happens_once_not_digit_by_digit() -> None:
    # 2 days of a 365-day year at 10.00 is 0.0547945...: rounded once, 0.05.
    # Rounding to mills first (0.055) and then to cents would give 0.06.
    year = P("2025-01-01", "2026-01-01")
    share = prorate(usd("10.00"), year, P("2025-01-01", "2025-01-03"))
    assert Decimal("0.0547") < share.exact.amount < Decimal("0.0548")
    assert share.amount == usd("0.05")
    assert share.amount == share.exact.round()


def test_the_amount_is_rounded_half_up_by_default() -> None:
    # 0.10 for 4 days, 1 day used: exactly 0.025, a tie.
    share = prorate(usd("0.10"), P("2025-01-01", "2025-01-05"), P("2025-01-01", "2025-01-02"))
    assert share.exact == usd("0.025")
    assert share.amount == usd("0.03")


def test_half_even_rounding_can_be_chosen() -> None:
    share = prorate(
        usd("0.10"),
        P("2025-01-01", "2025-01-05"),
        P("2025-01-01", "2025-01-02"),
        rounding=decimal.ROUND_HALF_EVEN,
    )
    assert share.exact == usd("0.025")
    assert share.amount == usd("0.02")
    assert share.rounding == decimal.ROUND_HALF_EVEN


def test_half_up_rounds_a_negative_tie_away_from_zero() -> None:
    share = prorate(usd("-0.10"), P("2025-01-01", "2025-01-05"), P("2025-01-01", "2025-01-02"))
    assert share.amount == usd("-0.03")


def test_amounts_are_rounded_to_the_currency_minor_units() -> None:
    third = P("2025-01-01", "2025-01-02")
    three_days = P("2025-01-01", "2025-01-04")
    assert prorate(Money("1000", "JPY"), three_days, third).amount == Money("333", "JPY")
    assert prorate(Money("1.000", "BHD"), three_days, third).amount == Money("0.333", "BHD")


@pytest.mark.parametrize("mode", ["ROUND_SIDEWAYS", "half-up", ""])
def test_an_unknown_rounding_mode_is_refused(mode: str) -> None:
    with pytest.raises(InvalidRounding) as raised:
        prorate(usd("10"), JANUARY, JANUARY, rounding=mode)
    assert raised.value.mode == mode


def test_a_whole_period_costs_the_whole_price_exactly() -> None:
    share = prorate(usd("9.99"), JANUARY, JANUARY, THIRTY_DAY_MONTHS)
    assert share.fraction == 1
    assert share.exact == usd("9.99")
    assert share.amount == usd("9.99")


@pytest.mark.parametrize(
    "portion",
    [
        ("2024-12-25", "2025-01-05"),  # starts before the period
        ("2025-01-25", "2025-02-05"),  # ends after it
        ("2025-02-01", "2025-02-10"),  # entirely after it
    ],
)
@pytest.mark.parametrize("convention", [ACTUAL_DAYS, THIRTY_DAY_MONTHS, FixedDays(30)])
def test_a_portion_outside_the_period_is_refused(
    portion: tuple[str, str], convention: DayCount
) -> None:
    with pytest.raises(InvalidPeriod, match="not inside"):
        prorate(usd("31"), JANUARY, P(*portion), convention)


@pytest.mark.parametrize("price", ["31.00", Decimal("31.00"), 31, None])
def test_a_price_that_is_not_money_is_refused(price: object) -> None:
    with pytest.raises(InvalidAmount, match="must be Money"):
        prorate(price, JANUARY, JANUARY)  # type: ignore[arg-type]


# -- window: a stub priced against its whole billing period -------------------

STUB = P("2025-01-10", "2025-02-01")  # 22 days of January
LAST_12_DAYS = P("2025-01-20", "2025-02-01")


def test_window_measures_a_stub_against_its_billing_period() -> None:
    # A 30.00 monthly service started on Jan 10 under "fixed 30 days" paid
    # 22/30 of 30.00 = 22.00. The last 12 days of that stub are worth
    # 12/30 of the monthly price, 12.00: 12 of the stub's 22 units.
    paid = prorate(usd("30.00"), JANUARY, STUB, FixedDays(30))
    assert paid.amount == usd("22.00")
    share = prorate(paid.amount, STUB, LAST_12_DAYS, FixedDays(30), window=JANUARY)
    assert (share.used, share.total) == (12, 22)
    assert share.amount == usd("12.00")


def test_without_window_the_stub_is_measured_as_a_period_of_its_own() -> None:
    # Alone, the 22-day stub counts 30 fixed days: 12 days are 12/30 of 22.00.
    share = prorate(usd("22.00"), STUB, LAST_12_DAYS, FixedDays(30))
    assert (share.used, share.total) == (12, 30)
    assert share.amount == usd("8.80")


def test_window_under_thirty_day_months_skips_the_31st() -> None:
    # In January counted as 30 units, Jan 31 counts nothing: the stub from
    # Jan 10 is 21 units and its last 12 days (Jan 20-31) are 11.
    share = prorate(usd("21.00"), STUB, LAST_12_DAYS, THIRTY_DAY_MONTHS, window=JANUARY)
    assert (share.used, share.total) == (11, 21)
    assert share.amount == usd("11.00")


def test_window_makes_no_difference_for_actual_days() -> None:
    with_window = prorate(usd("22.00"), STUB, LAST_12_DAYS, window=JANUARY)
    without = prorate(usd("22.00"), STUB, LAST_12_DAYS)
    assert (with_window.used, with_window.total) == (without.used, without.total) == (12, 22)
    assert with_window.amount == without.amount == usd("12.00")


def test_a_portion_outside_the_stub_is_refused_even_inside_the_window() -> None:
    with pytest.raises(InvalidPeriod, match="not inside"):
        prorate(usd("22.00"), STUB, P("2025-01-05", "2025-01-15"), window=JANUARY)


def test_a_stub_outside_its_window_is_refused() -> None:
    with pytest.raises(InvalidPeriod, match="not inside"):
        prorate(usd("22.00"), STUB, LAST_12_DAYS, window=P("2025-01-15", "2025-03-01"))


def test_a_stub_that_measures_nothing_in_its_window_keeps_its_whole_price() -> None:
    # Under fixed 30 days the first day of a 31-day month counts 0 units:
    # a stub of only that day was charged nothing, and is worth all of it.
    first_day = P("2025-01-01", "2025-01-02")
    share = prorate(usd("0.00"), first_day, first_day, FixedDays(30), window=JANUARY)
    assert share.total == 0
    assert share.fraction == 1
    assert share.amount == usd("0.00")


def test_an_interval_portion_of_a_dated_stub_is_refused_with_invalid_period() -> None:
    instant = datetime(2025, 1, 20, tzinfo=UTC)
    portion = Interval(instant, instant + timedelta(days=1))
    with pytest.raises(InvalidPeriod):
        prorate(usd("22.00"), STUB, portion, window=JANUARY)


# -- instants ------------------------------------------------------------------

DAY = Interval(datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC))


def test_an_interval_is_prorated_by_the_second() -> None:
    morning = Interval(DAY.start, datetime(2025, 3, 1, 6, tzinfo=UTC))
    share = prorate(usd("24.00"), DAY, morning, SECONDS)
    assert (share.used, share.total) == (6 * 3600, 86400)
    assert share.fraction == Fraction(1, 4)
    assert share.amount == usd("6.00")
    assert share.convention == "seconds"


def test_one_second_of_a_day_is_priced_exactly_then_rounded() -> None:
    second = Interval(DAY.start, DAY.start + timedelta(seconds=1))
    share = prorate(usd("86400.00"), DAY, second, SECONDS)
    assert share.exact == usd("1")
    assert share.amount == usd("1.00")


def test_instants_in_another_zone_are_measured_in_utc() -> None:
    # 14:00 in Paris (UTC+1 in March) is 13:00 UTC: 11 hours of the UTC day are left.
    paris = datetime(2025, 3, 1, 14, tzinfo=ZoneInfo("Europe/Paris"))
    share = prorate(usd("24.00"), DAY, Interval(paris, DAY.end), SECONDS)
    assert share.used == 11 * 3600
    assert share.amount == usd("11.00")


@pytest.mark.parametrize("convention", [ACTUAL_DAYS, THIRTY_DAY_MONTHS, FixedDays(30)])
def test_date_conventions_refuse_intervals(convention: DayCount) -> None:
    with pytest.raises(InvalidPeriod, match="SECONDS"):
        prorate(usd("24.00"), DAY, DAY, convention)


def test_an_interval_portion_of_a_dated_period_is_refused() -> None:
    with pytest.raises(InvalidPeriod):
        prorate(usd("24.00"), JANUARY, DAY, SECONDS)
