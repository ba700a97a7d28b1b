from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from prodlife import (
    ACTUAL_DAYS,
    MONTHLY,
    THIRTY_DAY_MONTHS,
    BillingCycle,
    BillingSchedule,
    Period,
    ValidationError,
)
from prodlife.daycount import SECONDS, DayCount, FixedDays, Measure
from prodlife.errors import InvalidPeriod
from prodlife.periods import Interval
from prodlife.testing.strategies import billing_dates, schedules
from tests._support import CONVENTIONS, P


def test_actual_days_counts_calendar_days() -> None:
    measure = ACTUAL_DAYS.measure(P("2025-01-11", "2025-02-01"), P("2025-01-01", "2025-02-01"))
    assert measure == Measure(21, 31, "actual days")
    assert measure.fraction == Fraction(21, 31)


@pytest.mark.parametrize(
    ("portion", "period", "used", "total"),
    [
        # February: the last day carries the units February lacks.
        (("2025-02-01", "2025-02-15"), ("2025-02-01", "2025-03-01"), 14, 30),
        (("2025-02-15", "2025-03-01"), ("2025-02-01", "2025-03-01"), 16, 30),
        (("2025-02-28", "2025-03-01"), ("2025-02-01", "2025-03-01"), 3, 30),
        (("2024-02-29", "2024-03-01"), ("2024-02-01", "2024-03-01"), 2, 30),
        # A 31-day month: the 31st counts nothing.
        (("2025-01-31", "2025-02-01"), ("2025-01-01", "2025-02-01"), 0, 30),
        (("2025-01-01", "2025-01-31"), ("2025-01-01", "2025-02-01"), 30, 30),
        # Month-end anchors measure 30 units per month, whatever the clamping.
        (("2025-01-31", "2025-02-28"), ("2025-01-31", "2025-02-28"), 30, 30),
        (("2025-02-28", "2025-03-31"), ("2025-02-28", "2025-03-31"), 30, 30),
        (("2025-02-28", "2025-03-10"), ("2025-02-28", "2025-03-31"), 10, 30),
        (("2025-01-29", "2025-02-28"), ("2025-01-29", "2025-02-28"), 30, 30),
        # A quarter is 90 units.
        (("2025-01-31", "2025-04-30"), ("2025-01-31", "2025-04-30"), 90, 90),
        (("2025-02-28", "2025-03-31"), ("2025-01-31", "2025-04-30"), 30, 90),
        # A stub that is not whole months counts its days, up to 30.
        (("2025-03-10", "2025-03-20"), ("2025-03-10", "2025-04-01"), 10, 22),
    ],
)
def test_thirty_day_months_table(
    portion: tuple[str, str], period: tuple[str, str], used: int, total: int
) -> None:
    measure = THIRTY_DAY_MONTHS.measure(P(*portion), P(*period))
    assert (measure.used, measure.total) == (used, total)


def test_fixed_days_counts_days_remaining_at_face_value() -> None:
    feb = P("2025-02-01", "2025-03-01")
    assert FixedDays(30).measure(P("2025-02-15", "2025-03-01"), feb).used == 14
    assert FixedDays(30).measure(P("2025-02-01", "2025-02-15"), feb).used == 16
    jan = P("2025-01-01", "2025-02-01")
    assert FixedDays(30).measure(P("2025-01-31", "2025-02-01"), jan).used == 1
    assert FixedDays(30).measure(P("2025-01-01", "2025-01-02"), jan).used == 0
    assert FixedDays(30).measure(jan, jan).fraction == 1


@pytest.mark.parametrize("bad", [0, -30, True, "30"])
def test_fixed_days_needs_a_positive_whole_number(bad: object) -> None:
    with pytest.raises(ValidationError, match="at least 1"):
        FixedDays(bad)  # type: ignore[arg-type]


def test_seconds_measures_instants() -> None:
    day = Interval(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC))
    morning = Interval(day.start, datetime(2025, 1, 1, 6, tzinfo=UTC))
    assert SECONDS.measure(morning, day) == Measure(6 * 3600, 86400, "seconds")
    assert SECONDS.measure(
        P("2025-01-01", "2025-01-02"), P("2025-01-01", "2025-01-03")
    ).fraction == Fraction(1, 2)


def test_seconds_refuses_an_interval_shorter_than_a_second() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    tiny = Interval(start, start + timedelta(microseconds=10))
    with pytest.raises(InvalidPeriod, match="one second"):
        SECONDS.measure(tiny, tiny)


@pytest.mark.parametrize("convention", [ACTUAL_DAYS, THIRTY_DAY_MONTHS, FixedDays(30)])
def test_date_conventions_refuse_instants(convention: DayCount) -> None:
    day = Interval(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC))
    with pytest.raises(InvalidPeriod, match="SECONDS"):
        convention.measure(day, day)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_portion_outside_the_period_is_refused(convention: DayCount) -> None:
    with pytest.raises(InvalidPeriod, match="not inside"):
        convention.measure(P("2025-01-20", "2025-02-10"), P("2025-01-01", "2025-02-01"))


def test_every_builtin_is_a_daycount() -> None:
    for convention in CONVENTIONS:
        assert isinstance(convention, DayCount)
        assert convention.name


# -- properties --------------------------------------------------------------


@st.composite
def period_with_cuts(draw: st.DrawFn) -> tuple[Period, list[date]]:
    """A billing period from a schedule, and sorted cut points inside it."""
    schedule = draw(schedules())
    period = schedule.period(draw(st.integers(-5, 5)))
    offsets = draw(st.lists(st.integers(1, max(1, period.days - 1)), max_size=6, unique=True))
    cuts = sorted({period.start + timedelta(days=o) for o in offsets if 0 < o < period.days})
    return period, cuts


@given(period_with_cuts(), st.sampled_from(CONVENTIONS))
def test_splitting_a_period_and_summing_measures_gives_the_whole(
    case: tuple[Period, list[date]], convention: DayCount
) -> None:
    period, cuts = case
    bounds = [period.start, *cuts, period.end]
    pieces = [Period(a, b) for a, b in itertools.pairwise(bounds)]
    measures = [convention.measure(piece, period) for piece in pieces]
    whole = convention.measure(period, period)
    assert sum(m.used for m in measures) == whole.used == whole.total
    assert sum(m.fraction for m in measures) == 1


@given(period_with_cuts(), st.sampled_from(CONVENTIONS))
def test_measures_are_bounded_and_monotone(
    case: tuple[Period, list[date]], convention: DayCount
) -> None:
    period, cuts = case
    previous = Fraction(0)
    for cut in [*cuts, period.end]:
        fraction = convention.measure(Period(period.start, cut), period).fraction
        assert 0 <= fraction <= 1
        assert fraction >= previous
        previous = fraction


@given(schedules(), st.integers(-24, 24))
def test_all_conventions_agree_on_whole_periods(schedule: BillingSchedule, k: int) -> None:
    try:
        period = schedule.period(k)
    except InvalidPeriod:  # before MIN_YEAR (a triennial cycle 24 periods before 1950)
        assume(False)
    assert {c.measure(period, period).fraction for c in CONVENTIONS} == {Fraction(1)}


ZUORA_ACTUAL_360 = FixedDays(30, pad_short_periods=False)


@given(period_with_cuts())
def test_actual_count_over_30_adds_up_to_its_days_over_30_capped_at_the_whole(
    case: tuple[Period, list[date]],
) -> None:
    period, cuts = case
    bounds = [period.start, *cuts, period.end]
    measures = [
        ZUORA_ACTUAL_360.measure(Period(a, b), period) for a, b in itertools.pairwise(bounds)
    ]
    whole = ZUORA_ACTUAL_360.measure(period, period)
    assert sum(m.used for m in measures) == whole.used == min(period.days, 30)
    assert whole.total == 30
    for (start, end), measure in zip(itertools.pairwise(bounds), measures, strict=True):
        # every day counts one unit (in a period longer than 30, the first days none)
        days = (end - start).days
        assert measure.used == days if period.days <= 30 else measure.used <= days


@given(period_with_cuts())
def test_actual_count_over_30_differs_from_fixed_30_days_only_on_a_short_periods_first_day(
    case: tuple[Period, list[date]],
) -> None:
    period, cuts = case
    for cut in [*cuts, period.end]:
        padded = FixedDays(30).measure(Period(period.start, cut), period).used
        actual = ZUORA_ACTUAL_360.measure(Period(period.start, cut), period).used
        assert padded - actual == max(0, 30 - period.days)
        if cuts:
            later = Period(cuts[0], cut) if cut > cuts[0] else None
            if later is not None:
                assert FixedDays(30).measure(later, period) == attrs.evolve(
                    ZUORA_ACTUAL_360.measure(later, period), convention="fixed 30 days"
                )


@pytest.mark.parametrize("bad", [0, 1, None, "no"])
def test_pad_short_periods_is_a_bool(bad: object) -> None:
    with pytest.raises(ValidationError, match="pad_short_periods"):
        FixedDays(30, pad_short_periods=bad)  # type: ignore[arg-type]


@given(billing_dates(date(1950, 1, 1), date(2100, 1, 1)), st.integers(1, 36))
def test_thirty_day_months_count_30_units_per_month(anchor: date, months: int) -> None:
    period = BillingSchedule(BillingCycle.months(months), anchor).period(0)
    assert THIRTY_DAY_MONTHS.measure(period, period).total == 30 * months
    monthly = BillingSchedule(MONTHLY, anchor)
    for k in range(months):
        assert THIRTY_DAY_MONTHS.measure(monthly.period(k), period).used == 30
