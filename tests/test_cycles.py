from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from prodlife import (
    ANNUAL,
    MONTHLY,
    ONE_TIME,
    QUARTERLY,
    SEMI_ANNUAL,
    BillingCycle,
    BillingSchedule,
    Period,
    ValidationError,
)
from prodlife.alignment import align_to_billing_day
from prodlife.cycles import BIENNIAL, TRIENNIAL, CycleUnit, MonthEnd, billing_day, days_in_month
from prodlife.errors import InvalidBillingCycle, InvalidPeriod
from prodlife.limits import MAX_YEAR, MIN_YEAR
from prodlife.testing.strategies import billing_dates, schedules
from tests._support import d


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        ("2025-01-31", ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31"]),
        ("2024-01-31", ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"]),
        ("2025-01-30", ["2025-01-30", "2025-02-28", "2025-03-30", "2025-04-30", "2025-05-30"]),
        ("2025-01-29", ["2025-01-29", "2025-02-28", "2025-03-29", "2025-04-29", "2025-05-29"]),
        ("2025-04-30", ["2025-04-30", "2025-05-30", "2025-06-30", "2025-07-30", "2025-08-30"]),
        ("2025-01-15", ["2025-01-15", "2025-02-15", "2025-03-15", "2025-04-15", "2025-05-15"]),
    ],
)
def test_monthly_anchor_falls_on_month_ends_and_returns(anchor: str, expected: list[str]) -> None:
    schedule = BillingSchedule(MONTHLY, d(anchor))
    assert [schedule.boundary(k) for k in range(5)] == [d(x) for x in expected]


def test_sticky_month_end_keeps_last_days() -> None:
    schedule = BillingSchedule(MONTHLY, d("2025-04-30"), month_end=MonthEnd.STICKY)
    assert [schedule.boundary(k) for k in range(4)] == [
        d("2025-04-30"),
        d("2025-05-31"),
        d("2025-06-30"),
        d("2025-07-31"),
    ]
    # An anchor that is not a month end is unaffected by the policy.
    mid = BillingSchedule(MONTHLY, d("2025-04-29"), month_end=MonthEnd.STICKY)
    assert mid.boundary(1) == d("2025-05-29")


@pytest.mark.parametrize(
    ("year", "expected"), [(2025, "2025-02-28"), (2028, "2028-02-29"), (2100, "2100-02-28")]
)
def test_leap_day_yearly_anchor_falls_on_feb_28_in_common_years(year: int, expected: str) -> None:
    schedule = BillingSchedule(ANNUAL, d("2024-02-29"))
    assert schedule.boundary(year - 2024) == d(expected)


def test_anchor_day_lets_a_clamped_anchor_return_to_the_31st() -> None:
    schedule = BillingSchedule(MONTHLY, d("2025-02-28"), anchor_day=31)
    assert schedule.boundary(1) == d("2025-03-31")
    with pytest.raises(InvalidBillingCycle, match="does not fall on the anchor"):
        BillingSchedule(MONTHLY, d("2025-02-27"), anchor_day=31)


@pytest.mark.parametrize(
    ("cycle", "name", "days"),
    [
        (ONE_TIME, "one-time", 0),
        (MONTHLY, "monthly", None),
        (QUARTERLY, "quarterly", None),
        (SEMI_ANNUAL, "semi-annual", None),
        (ANNUAL, "annual", None),
        (BIENNIAL, "biennial", None),
        (TRIENNIAL, "triennial", None),
        (BillingCycle.days(10), "every 10 days", 10),
        (BillingCycle.weeks(2), "every 2 weeks", 14),
        (BillingCycle.weeks(1), "weekly", 7),
    ],
)
def test_named_cycles(cycle: BillingCycle, name: str, days: int | None) -> None:
    assert str(cycle) == name
    assert BillingCycle.parse(name) == cycle
    if days is not None:
        assert cycle.nominal_days == days


@pytest.mark.parametrize(
    ("text", "cycle"),
    [
        ("Monthly", MONTHLY),
        ("annually", ANNUAL),
        ("yearly", ANNUAL),
        ("semiannually", SEMI_ANNUAL),
        ("Biennially", BIENNIAL),
        ("triennially", TRIENNIAL),
        ("P3M", QUARTERLY),
        ("p1y", ANNUAL),
        ("P2W", BillingCycle.weeks(2)),
        ("2 years", BIENNIAL),
        ("18 months", BillingCycle.months(18)),
        ("every 10 days", BillingCycle.days(10)),
        ("one_time", ONE_TIME),
    ],
)
def test_parse_accepts_usual_spellings(text: str, cycle: BillingCycle) -> None:
    assert BillingCycle.parse(text) == cycle


@pytest.mark.parametrize("text", ["fortnightly-ish", "0 months", "", "P1H"])
def test_parse_refuses_unknown_names(text: str) -> None:
    with pytest.raises(InvalidBillingCycle):
        BillingCycle.parse(text)


@pytest.mark.parametrize("count", [0, -1, True, 1.5])
def test_cycle_count_must_be_a_positive_whole_number(count: object) -> None:
    with pytest.raises(InvalidBillingCycle, match="at least 1"):
        BillingCycle(CycleUnit.MONTH, count)  # type: ignore[arg-type]


def test_one_time_cycle_has_no_periods() -> None:
    with pytest.raises(InvalidBillingCycle, match="one-time"):
        BillingSchedule(ONE_TIME, d("2025-01-01"))
    with pytest.raises(InvalidBillingCycle):
        BillingCycle(CycleUnit.ONE_TIME, 2)


def test_dates_beyond_the_year_window_are_a_clear_error() -> None:
    with pytest.raises(InvalidPeriod, match="MAX_YEAR"):
        BillingSchedule(ANNUAL, d("9999-01-01"))
    with pytest.raises(InvalidPeriod, match="1900-2999"):
        BillingSchedule(ANNUAL, d("2999-01-01")).boundary(1)
    with pytest.raises(InvalidPeriod, match="MIN_YEAR"):
        BillingSchedule(BillingCycle.days(30), d("1900-01-15")).boundary(-1)


def test_period_containing_and_next_boundary() -> None:
    schedule = BillingSchedule(MONTHLY, d("2025-01-31"))
    assert schedule.period_containing(d("2025-03-30")) == Period(d("2025-02-28"), d("2025-03-31"))
    assert schedule.period_containing(d("2025-03-31")) == Period(d("2025-03-31"), d("2025-04-30"))
    assert schedule.period_containing(d("2024-12-31")) == Period(d("2024-12-31"), d("2025-01-31"))
    assert schedule.next_boundary(d("2025-02-28")) == d("2025-03-31")


def test_periods_between_lists_overlapping_periods() -> None:
    schedule = BillingSchedule(QUARTERLY, d("2025-01-01"))
    found = schedule.periods_between(Period(d("2025-02-10"), d("2025-07-02")))
    assert [p.start for p in found] == [d("2025-01-01"), d("2025-04-01"), d("2025-07-01")]


def test_align_to_billing_day_gives_a_stub_and_its_window() -> None:
    aligned = align_to_billing_day(d("2025-03-10"), 1)
    assert aligned.is_stub
    assert aligned.first == Period(d("2025-03-10"), d("2025-04-01"))
    assert aligned.window == Period(d("2025-03-01"), d("2025-04-01"))
    assert aligned.schedule.period(0) == Period(d("2025-04-01"), d("2025-05-01"))


def test_align_on_the_billing_day_itself_has_no_stub() -> None:
    aligned = align_to_billing_day(d("2025-03-01"), 1)
    assert not aligned.is_stub
    assert aligned.first == aligned.window == Period(d("2025-03-01"), d("2025-04-01"))
    assert aligned.schedule.anchor == d("2025-04-01")


def test_align_to_day_31_falls_on_month_ends() -> None:
    aligned = align_to_billing_day(d("2025-02-10"), 31)
    assert aligned.first == Period(d("2025-02-10"), d("2025-02-28"))
    assert aligned.window == Period(d("2025-01-31"), d("2025-02-28"))
    assert aligned.schedule.period(0) == Period(d("2025-02-28"), d("2025-03-31"))
    on_day = align_to_billing_day(d("2025-02-28"), 31)
    assert not on_day.is_stub
    assert on_day.first == Period(d("2025-02-28"), d("2025-03-31"))


def test_align_quarterly_window_is_the_quarter_ending_on_the_billing_day() -> None:
    aligned = align_to_billing_day(d("2025-03-10"), 1, QUARTERLY)
    assert aligned.first == Period(d("2025-03-10"), d("2025-04-01"))
    assert aligned.window == Period(d("2025-01-01"), d("2025-04-01"))
    assert aligned.schedule.period(0) == Period(d("2025-04-01"), d("2025-07-01"))


@pytest.mark.parametrize("day", [0, 32, -1])
def test_align_refuses_impossible_billing_days(day: int) -> None:
    with pytest.raises(InvalidBillingCycle, match="1 to 31"):
        align_to_billing_day(d("2025-03-10"), day)


def test_align_refuses_cycles_not_counted_in_months() -> None:
    with pytest.raises(InvalidBillingCycle, match="month-based"):
        align_to_billing_day(d("2025-03-10"), 1, BillingCycle.weeks(2))


# -- properties --------------------------------------------------------------


@given(schedules(), st.integers(-30, 30), st.integers(1, 40))
def test_periods_are_contiguous_and_never_overlap(
    schedule: BillingSchedule, first: int, count: int
) -> None:
    try:
        periods = [schedule.period(k) for k in range(first, first + count)]
    except InvalidPeriod:  # before MIN_YEAR: 30 periods of 4 years before 1950
        assume(False)
    for earlier, later in itertools.pairwise(periods):
        assert earlier.end == later.start
        assert not earlier.overlaps(later)
    iterated = schedule.periods(first)
    assert [next(iterated) for _ in range(count)] == periods


@given(schedules(), st.integers(-60, 60))
def test_month_schedules_return_to_the_anchor_day(schedule: BillingSchedule, k: int) -> None:
    if schedule.cycle.unit is not CycleUnit.MONTH:
        return
    anchor = schedule.anchor
    year = (anchor.year * 12 + anchor.month - 1 + k * schedule.cycle.count) // 12
    assume(MIN_YEAR <= year <= MAX_YEAR)  # beyond it: test_dates_beyond_the_year_window...
    boundary = schedule.boundary(k)
    month_length = days_in_month(boundary.year, boundary.month)
    sticky = schedule.month_end is MonthEnd.STICKY and anchor.day == days_in_month(
        anchor.year, anchor.month
    )
    wanted = 31 if sticky else anchor.day
    assert boundary.day == min(wanted, month_length)
    months = (boundary.year - anchor.year) * 12 + boundary.month - anchor.month
    assert months == k * schedule.cycle.count


@given(schedules(), billing_dates(date(1960, 1, 1), date(2090, 12, 31)))
def test_period_containing_contains_the_date(schedule: BillingSchedule, day: date) -> None:
    period = schedule.period_containing(day)
    assert day in period
    assert schedule.period(schedule.index_of(day)) == period
    assert schedule.next_boundary(day) == period.end


@given(
    billing_dates(date(1950, 1, 1), date(2100, 1, 1)),
    st.integers(1, 31),
    st.sampled_from([1, 2, 3, 6, 12]),
)
def test_alignment_stub_ends_on_the_billing_day_inside_its_window(
    start: date, day: int, months: int
) -> None:
    aligned = align_to_billing_day(start, day, BillingCycle.months(months))
    end = aligned.first.end
    assert aligned.first.start == start
    assert end.day == min(day, days_in_month(end.year, end.month))
    assert aligned.window.contains(aligned.first)
    assert aligned.window.end == end == aligned.schedule.boundary(0)
    assert aligned.first.days <= aligned.window.days
    assert end - start <= timedelta(days=31 * months)


def test_a_cycle_unit_given_as_text_is_read_or_refused() -> None:
    assert BillingCycle("month", 1) == MONTHLY
    with pytest.raises(InvalidBillingCycle, match="unit"):
        BillingCycle("moon", 1)


def test_a_month_end_policy_given_as_text_is_read_or_refused() -> None:
    sticky = BillingSchedule(MONTHLY, d("2025-04-30"), month_end="sticky")
    assert sticky.boundary(1) == d("2025-05-31")
    with pytest.raises(InvalidBillingCycle, match="month-end"):
        BillingSchedule(MONTHLY, d("2025-04-30"), month_end="sometimes")


@pytest.mark.parametrize("month", [0, -1, 13])
def test_days_in_month_refuses_months_that_do_not_exist(month: int) -> None:
    with pytest.raises(ValidationError, match="1 to 12"):
        days_in_month(2025, month)


def test_shifting_beyond_any_year_is_a_clear_error() -> None:
    with pytest.raises(InvalidPeriod):
        MONTHLY.shift(d("2025-01-01"), 10**20)


@given(
    st.sampled_from([MONTHLY, QUARTERLY, ANNUAL, BillingCycle.months(5)]),
    billing_dates(),
    st.integers(0, 40),
    st.integers(-3, 6),
)
def test_billing_day_recovers_the_schedule_from_any_of_its_boundaries(
    cycle: BillingCycle, start: date, index: int, step: int
) -> None:
    """From the start and any boundary, shifting by the billing day stays on the schedule."""
    schedule = BillingSchedule(cycle, start)
    boundary = schedule.boundary(index)
    assert cycle.shift(boundary, step, billing_day(start, boundary)) == schedule.boundary(
        index + step
    )


def test_billing_day_follows_a_boundary_moved_to_another_day() -> None:
    # A service begun on the 15th and aligned to the 1st bills on the 1st.
    assert billing_day(d("2025-01-15"), d("2025-02-01")) == 1
    # Moved onto the 28th of a 30-day month, a 31st start no longer explains it.
    assert billing_day(d("2025-01-31"), d("2025-04-28")) == 28


def test_days_in_month_refuses_a_year_that_is_not_a_whole_number() -> None:
    from decimal import Decimal

    with pytest.raises(ValidationError, match="year"):
        days_in_month(Decimal("Infinity"), 2)  # type: ignore[arg-type]
