"""Invariants of every billing convention: periods tile, whole periods are whole, books balance."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from prodlife import ACTUAL_DAYS, THIRTY_DAY_MONTHS, Money, Period
from prodlife.alignment import (
    LongCycles,
    StubWindow,
    align_to_billing_day,
    align_to_calendar,
    align_to_weekday,
)
from prodlife.billing import InvoiceLine, LineType, Prorata, Timeline, Track, lines_due
from prodlife.billing.changes import change_rate
from prodlife.billing.timeline import Rate
from prodlife.catalog.subscriptions import BillingTiming
from prodlife.cycles import (
    ANNUAL,
    MONTHLY,
    QUARTERLY,
    SEMI_ANNUAL,
    BillingCycle,
    BillingSchedule,
    CycleUnit,
    days_in_month,
)
from prodlife.daycount import CALENDAR_30_DAYS, DayCount, FixedDays
from prodlife.lifecycle import billed, renew
from prodlife.lifecycle.outcome import Outcome
from prodlife.lifecycle.package_changes import change_package
from prodlife.pricing import OrderLineSpec
from prodlife.pricing.rates import Rate as PriceRate
from prodlife.pricing.rates import Tier
from prodlife.proration import (
    Anchor,
    ChangePolicy,
    Charge,
    ChargeMode,
    CreditMode,
    quote_change,
)
from prodlife.testing.conservation import check_books
from tests._lifecycle import CATALOG, OWNER, SYSTEM, at, web
from tests.test_conventions_reference import _ordered

MONTH_CYCLES = [MONTHLY, QUARTERLY, SEMI_ANNUAL, ANNUAL, BillingCycle.months(2)]
WEEK_CYCLES = [BillingCycle.weeks(1), BillingCycle.weeks(2)]
ZUORA_ACTUAL_360 = FixedDays(30, pad_short_periods=False)
DAY_COUNTS: list[DayCount] = [
    ACTUAL_DAYS,
    THIRTY_DAY_MONTHS,
    CALENDAR_30_DAYS,
    FixedDays(30),
    ZUORA_ACTUAL_360,
]

starts = st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31))
proratas = st.one_of(
    st.builds(
        Prorata,
        st.integers(min_value=1, max_value=31),
        cycles=st.sampled_from(LongCycles),
        stub=st.sampled_from(StubWindow),
        weekday=st.one_of(st.none(), st.integers(min_value=0, max_value=6)),
    ),
    st.builds(Prorata.calendar, week_start=st.integers(min_value=0, max_value=6)),
)


def _on_billing_day(day: date, billing_day: int) -> bool:
    return day.day == min(billing_day, days_in_month(day.year, day.month))


@given(
    starts,
    st.integers(min_value=1, max_value=31),
    st.sampled_from(MONTH_CYCLES),
    st.sampled_from(LongCycles),
    st.sampled_from(StubWindow),
)
def test_aligned_periods_tile_from_the_start_on_the_billing_day(
    start: date, day: int, cycle: BillingCycle, cycles: LongCycles, stub: StubWindow
) -> None:
    aligned = align_to_billing_day(start, day, cycle, cycles=cycles, stub=stub)
    first, window, schedule = aligned.first, aligned.window, aligned.schedule
    assert first.start == start < first.end == schedule.boundary(0)
    assert window.start <= first.start and window.end == first.end
    assert first.end <= cycle.shift(start, 1, day)  # never more than a cycle away
    for k in range(4):  # no gap, no overlap, every boundary on the billing day (item 2)
        period = schedule.period(k)
        assert period.start == schedule.period(k - 1).end
        assert _on_billing_day(period.start, day)
    if cycles is LongCycles.CALENDAR and 12 % cycle.count == 0:
        assert (schedule.boundary(0).month - 1) % cycle.count == 0
    if stub is StubWindow.BILLING_PERIOD:
        assert window == schedule.period(-1) or not aligned.is_stub


@given(starts, st.integers(min_value=0, max_value=6), st.sampled_from(WEEK_CYCLES))
def test_weekly_periods_tile_from_the_start_on_the_weekday(
    start: date, weekday: int, cycle: BillingCycle
) -> None:
    aligned = align_to_weekday(start, weekday, cycle)
    assert aligned.first.start == start < aligned.first.end == aligned.schedule.boundary(0)
    assert aligned.window.end == aligned.first.end
    assert aligned.window.days == 7 * cycle.count
    for k in range(4):
        period = aligned.schedule.period(k)
        assert period.start.weekday() == weekday
        assert period.start == aligned.schedule.period(k - 1).end


@given(starts, st.sampled_from(MONTH_CYCLES + WEEK_CYCLES))
def test_calendar_periods_hold_the_start_and_begin_on_calendar_boundaries(
    start: date, cycle: BillingCycle
) -> None:
    aligned = align_to_calendar(start, cycle)
    assert aligned.window.start <= start < aligned.window.end == aligned.first.end
    if cycle.unit is CycleUnit.MONTH:
        assert aligned.window.start.day == 1
        assert (aligned.window.start.month - 1) % cycle.count == 0
    else:
        assert aligned.window.start.weekday() == 0


@given(
    starts,
    proratas,
    st.sampled_from(MONTH_CYCLES + WEEK_CYCLES),
    st.sampled_from(DAY_COUNTS),
    st.sampled_from(BillingTiming),
)
def test_a_whole_period_is_billed_the_full_price_under_every_convention(
    start: date, prorata: Prorata, cycle: BillingCycle, day_count: DayCount, timing: BillingTiming
) -> None:
    if not prorata.applies_to(cycle):
        cycle = MONTHLY
    first = prorata.first_periods(start, cycle)
    price = Money("123.45", "EUR")
    # From the first regular boundary on, every period is whole.
    begin = first.schedule.boundary(0)
    track = Track.of(LineType.RECURRING, "", Rate(begin, None, price, first.schedule, "plan"))
    timeline = Timeline("S-1", "C-1", begin, None, timing, (track,), day_count=day_count)
    on = first.schedule.boundary(2 if timing is BillingTiming.IN_ADVANCE else 3)
    lines = lines_due(timeline, (), on)
    assert len(lines) == 3
    for line in lines:
        assert line.period is not None
        assert line.amount == _whole(price, line.period, day_count)


def _whole(price: Money, period: Period, day_count: DayCount) -> Money:
    """The full price; under Zuora's actual count over 30 (docs/proration.md), a period of
    fewer than 30 days is worth its days over 30 (Zuora: all of February 2020 is 29/30)."""
    if day_count != ZUORA_ACTUAL_360 or period.days >= 30:
        return price
    exact = price.amount * period.days / 30
    return Money(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), price.currency.code)


@st.composite
def _events(draw: st.DrawFn) -> tuple[int, int | None, int | None]:
    change = draw(st.integers(min_value=1, max_value=200))
    pause = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=200)))
    end = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=400)))
    return change, pause, end


@settings(max_examples=60, deadline=None)
@given(
    starts,
    st.one_of(st.none(), proratas),
    st.sampled_from([*MONTH_CYCLES[:3], *WEEK_CYCLES, BillingCycle.days(10)]),
    st.sampled_from(DAY_COUNTS),
    st.sampled_from(BillingTiming),
    _events(),
    st.lists(st.integers(min_value=0, max_value=420), min_size=1, max_size=8),
)
def test_books_balance_under_every_convention(
    start: date,
    prorata: Prorata | None,
    cycle: BillingCycle,
    day_count: DayCount,
    timing: BillingTiming,
    events: tuple[int, int | None, int | None],
    bill_days: list[int],
) -> None:
    price = Money("100.00", "USD")
    if prorata is not None and prorata.applies_to(cycle):
        rates = prorata.first_periods(start, cycle).rates(start, price, "plan")
    else:
        rates = (Rate(start, None, price, BillingSchedule(cycle, start), "plan"),)
    timeline = Timeline(
        "S-1", "C-1", start, None, timing, (Track.of(LineType.RECURRING, "", *rates),)
    )
    timeline = Timeline("S-1", "C-1", start, None, timing, timeline.tracks, day_count=day_count)
    change, pause, end = events
    lines: list[InvoiceLine] = []
    runs = sorted({start + timedelta(days=k) for k in bill_days})
    edits = sorted(
        [(start + timedelta(days=change), "change")]
        + ([] if pause is None else [(start + timedelta(days=pause), "pause")])
        + ([] if end is None else [(start + timedelta(days=end), "end")])
    )
    for on in runs:
        while edits and edits[0][0] <= on:
            day, what = edits.pop(0)
            if what == "change":
                timeline = timeline.change_rate("", day, amount=Money("250.00", "USD"))
            elif what == "pause" and not timeline.paused and day > timeline.start:
                timeline = timeline.pause(day).resume(day + timedelta(days=9))
            elif what == "end":
                timeline = timeline.ended(max(day, timeline.start + timedelta(days=1)))
        lines += lines_due(timeline, lines, on)
    check_books(timeline, lines)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([MONTHLY, QUARTERLY, SEMI_ANNUAL, ANNUAL]),
    st.sampled_from(
        [
            *(date(2024, 1, day) for day in (29, 30, 31)),
            *(date(2024, 2, 29), date(2025, 8, 31), date(2024, 10, 31), date(2024, 3, 30)),
        ]
    ),
)
def test_a_service_keeps_its_billing_day_across_short_months_in_every_cycle(
    cycle: BillingCycle, start: date
) -> None:
    # Item 2: a day-31 monthly service billed Feb 28 renews Mar 31; a Feb 29 annual one
    # renews on Feb 28, and on Feb 29 in leap years.
    due = cycle.shift(start, 1)
    service = web(start=start, cycle=cycle, next_due=due, paid_through=due - timedelta(days=1))
    for _ in range(9 if cycle.count < 12 else 5):
        assert service.next_due is not None  # renewed services stay due
        outcome = renew(service, SYSTEM, at(str(service.next_due - timedelta(days=1))))
        service = outcome.service
        for line in outcome.lines:
            assert line.period is not None
            assert _on_billing_day(line.period.start, start.day)
            assert _on_billing_day(line.period.end, start.day)


@settings(max_examples=60, deadline=None)
@given(
    starts,
    st.integers(min_value=1, max_value=31),
    st.sampled_from(MONTH_CYCLES),
    st.integers(min_value=0, max_value=400),
    st.sampled_from(BillingTiming),
)
def test_a_cycle_change_reanchored_on_the_billing_day_tiles_and_balances(
    start: date, day: int, cycle: BillingCycle, after: int, timing: BillingTiming
) -> None:
    # Kill Bill's re-anchoring: the new cycle's first period ends on the billing day less than
    # a cycle after the change, every period after it starts on the billing day, and every
    # day is invoiced once at its worth.
    price = Money("100.00", "USD")
    rates = Prorata(day).first_periods(start, MONTHLY).rates(start, price, "plan")
    timeline = Timeline(
        "S-1", "C-1", start, None, timing, (Track.of(LineType.RECURRING, "", *rates),)
    )
    change = start + timedelta(days=after)
    lines = list(lines_due(timeline, (), change))
    changed = change_rate(
        timeline,
        "",
        change,
        Money("999.00", "USD"),
        cycle=cycle,
        policy=ChangePolicy(anchor=Anchor.BILLING_DAY),
        description="new plan",
    )
    schedule = changed.track("").rates[-1].schedule
    first_end = schedule.period_containing(change).end
    assert change < first_end <= cycle.shift(change, 1, day)
    assert _on_billing_day(first_end, day)
    assert schedule.period(0).start == first_end
    for k in range(3):
        assert schedule.period(k).end == schedule.period(k + 1).start
        assert _on_billing_day(schedule.period(k).start, day)
    for on in (change, first_end, cycle.shift(first_end, 1, day)):
        lines += lines_due(changed, lines, on)
    check_books(changed, lines)


@settings(max_examples=40, deadline=None)
@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    st.integers(min_value=1, max_value=31),
    st.lists(st.integers(min_value=0, max_value=200), min_size=1, max_size=6),
)
def test_an_ordered_service_in_arrears_on_a_billing_day_tiles_and_balances(
    start: date, day: int, bill_days: list[int]
) -> None:
    # Kill Bill's IN_ARREAR with a BCD through the order flow: whatever the days it is billed
    # on, it is invoiced a stub from its start to the billing day, then whole months on it,
    # each once it has ended, every day at its worth.
    service = _ordered(start, Prorata(day), OrderLineSpec("VPS"), arrears=True)
    lines: list[InvoiceLine] = []
    for on in sorted({start + timedelta(days=k) for k in bill_days}):
        outcome = billed(Outcome(service), on)
        service = outcome.service
        lines += outcome.lines
    periods = sorted((line.period for line in lines if line.period), key=lambda p: p.start)
    if periods:
        assert periods[0].start == start
        assert periods[-1].end <= start + timedelta(days=max(bill_days))
    for before, after in itertools.pairwise(periods):
        assert before.end == after.start
        assert _on_billing_day(after.start, day)
    for period in periods[1:]:
        assert [line.amount for line in lines if line.period == period] == [Money("10.00", "USD")]
    check_books(service.timeline, lines)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=29),
    st.sampled_from([QUARTERLY, SEMI_ANNUAL, ANNUAL]),
    st.sampled_from(ChargeMode),
    st.sampled_from(CreditMode),
)
def test_a_restarted_period_is_due_when_it_ends_as_quote_change_says(
    offset: int, cycle: BillingCycle, charge: ChargeMode, credit: CreditMode
) -> None:
    # Stripe's billing_cycle_anchor=now (Anchor.RESTART), whatever is charged and credited:
    # the service's next due date is the one the quote gives, a cycle after the change.
    service = web()  # monthly at 10.00 from 2025-04-01, paid to 2025-05-01
    day = date(2025, 4, 1) + timedelta(days=offset)
    policy = ChangePolicy(anchor=Anchor.RESTART, charge=charge, credit=credit)
    done = change_package(
        service,
        OWNER,
        at(str(day)),
        catalog=CATALOG,
        to_cycle=cycle,
        new_price=Money("100.00", "USD"),
        policy=policy,
    )
    quote = quote_change(
        Charge(Money("10.00", "USD"), Period(date(2025, 4, 1), date(2025, 5, 1))),
        Money("100.00", "USD"),
        day,
        new_cycle=cycle,
        policy=policy,
    )
    assert done.service.next_due == quote.next_due == cycle.shift(day, 1)


graduated_tiers = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=50),
        st.decimals(min_value=0, max_value=100, places=2),
        st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
    ),
    min_size=1,
    max_size=4,
)


@given(graduated_tiers, st.integers(min_value=0, max_value=300))
def test_the_first_flat_fee_at_zero_changes_the_charge_of_zero_units_only(
    drawn: list[tuple[int, Decimal, Decimal | None]], units: int
) -> None:
    # Lago's graduated charge: zero units cost the first tier's flat fee; any other quantity
    # costs what it costs without the option.
    tiers, bound = [], 0
    for index, (width, price, fee) in enumerate(drawn):
        bound += width
        up_to = None if index == len(drawn) - 1 else bound
        flat = None if fee is None else Money(fee, "EUR")
        tiers.append(Tier(up_to, Money(price, "EUR"), flat_fee=flat))
    plain = PriceRate.graduated(tiers).charge(units).total
    lago = PriceRate.graduated(tiers, first_flat_fee_at_zero=True).charge(units).total
    first_fee = tiers[0].flat_fee or Money(0, "EUR")
    assert lago == (plain + first_fee if units == 0 else plain)
