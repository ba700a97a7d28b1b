from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import Period, billing_date
from prodlife.errors import InvalidInstant, InvalidPeriod
from prodlife.periods import Interval, UnknownTimeZone
from prodlife.testing.strategies import billing_dates, periods

JAN = Period(date(2025, 1, 1), date(2025, 2, 1))


def test_period_is_half_open() -> None:
    assert date(2025, 1, 1) in JAN
    assert date(2025, 1, 31) in JAN
    assert date(2025, 2, 1) not in JAN
    assert JAN.days == 31
    assert JAN.last_day == date(2025, 1, 31)


@pytest.mark.parametrize(
    ("start", "end"), [(date(2025, 1, 2), date(2025, 1, 2)), (date(2025, 1, 2), date(2025, 1, 1))]
)
def test_empty_or_reversed_period_is_refused(start: date, end: date) -> None:
    with pytest.raises(InvalidPeriod, match="end must be after its start"):
        Period(start, end)


def test_datetimes_are_not_billing_dates() -> None:
    with pytest.raises(InvalidPeriod, match="billing_date"):
        Period(datetime(2025, 1, 1, tzinfo=UTC), date(2025, 2, 1))


def test_overlap_and_intersection() -> None:
    feb = Period(date(2025, 2, 1), date(2025, 3, 1))
    assert not JAN.overlaps(feb)
    assert JAN.intersection(feb) is None
    mid = Period(date(2025, 1, 20), date(2025, 2, 10))
    assert JAN.overlaps(mid) and mid.overlaps(feb)
    assert JAN.intersection(mid) == Period(date(2025, 1, 20), date(2025, 2, 1))
    assert JAN.contains(Period(date(2025, 1, 5), date(2025, 1, 6)))
    assert not JAN.contains(mid)


def test_split_at_a_boundary_is_refused() -> None:
    with pytest.raises(InvalidPeriod, match="one side would be empty"):
        JAN.split(JAN.start)
    with pytest.raises(InvalidPeriod):
        JAN.split(JAN.end)


@given(periods(), st.data())
def test_split_pieces_are_contiguous_and_add_up(period: Period, data: st.DataObject) -> None:
    if period.days < 2:
        return
    offset = data.draw(st.integers(1, period.days - 1))
    left, right = period.split(period.start + timedelta(days=offset))
    assert left.end == right.start
    assert left.days + right.days == period.days
    assert not left.overlaps(right)
    assert left.intersection(period) == left


@given(periods(), periods())
def test_intersection_is_symmetric_and_inside_both(a: Period, b: Period) -> None:
    both = a.intersection(b)
    assert both == b.intersection(a)
    assert (both is not None) == a.overlaps(b)
    if both is not None:
        assert a.contains(both) and b.contains(both)


@given(periods(), billing_dates())
def test_membership_matches_bounds(period: Period, day: date) -> None:
    assert (day in period) == (period.start <= day < period.end)


def test_billing_date_uses_the_customers_zone() -> None:
    instant = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
    assert billing_date(instant, "UTC") == date(2025, 3, 1)
    assert billing_date(instant, "America/New_York") == date(2025, 2, 28)
    assert billing_date(instant, timezone(timedelta(hours=-5))) == date(2025, 2, 28)


def test_billing_date_refuses_naive_instants_and_unknown_zones() -> None:
    with pytest.raises(InvalidInstant, match="no time zone"):
        billing_date(datetime(2025, 1, 1), "UTC")
    with pytest.raises(UnknownTimeZone, match="Europe/Paris"):
        billing_date(datetime(2025, 1, 1, tzinfo=UTC), "Mars/Olympus")


def test_interval_keeps_utc_and_splits() -> None:
    paris = timezone(timedelta(hours=1))
    interval = Interval(datetime(2025, 1, 1, 1, tzinfo=paris), datetime(2025, 1, 2, tzinfo=UTC))
    assert interval.start == datetime(2025, 1, 1, tzinfo=UTC)
    assert interval.start.tzinfo is UTC
    assert interval.duration == timedelta(days=1)
    left, right = interval.split(datetime(2025, 1, 1, 12, tzinfo=UTC))
    assert left.end == right.start and left.duration + right.duration == interval.duration
    with pytest.raises(InvalidPeriod):
        Interval(interval.end, interval.start)
    with pytest.raises(InvalidInstant):
        Interval(datetime(2025, 1, 1), datetime(2025, 1, 2))
