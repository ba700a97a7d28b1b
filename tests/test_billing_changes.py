"""Change and refund policies as timeline edits: the engine bills what the quotes say.

The proration quotes (:func:`prodlife.proration.quote_change`,
:func:`~prodlife.proration.quote_cancellation`) reproduce the public billing
systems' figures (tests/test_proration_reference.py). Here every policy,
applied to a timeline and billed by the engine, must give the same money as
the quote for the same change; and what follows (a second change, a
cancellation) stays conserved.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife import Money
from prodlife.billing import InvoiceLine, LineType, Rate, Timeline, Track, lines_due
from prodlife.billing.changes import change_rate, end_billing
from prodlife.cycles import ANNUAL, MONTHLY, QUARTERLY, BillingCycle, BillingSchedule
from prodlife.errors import NotFound, RuleViolation
from prodlife.periods import Period
from prodlife.proration import (
    Anchor,
    ChangeDay,
    ChangePolicy,
    Charge,
    ChargeMode,
    CreditMode,
    UsedDay,
    quote_cancellation,
    quote_change,
    quote_pause,
)
from tests._support import usd

PRICES = st.sampled_from(["0.00", "4.99", "10.00", "29.95", "99.00", "2399.95"])
CYCLES = st.sampled_from([MONTHLY, QUARTERLY, ANNUAL, BillingCycle.weeks(2)])


def one_track(start: date, price: Money, cycle: BillingCycle) -> Timeline:
    rate = Rate(start, None, price, BillingSchedule(cycle, start), "old plan")
    return Timeline("S", "C", start, tracks=(Track.of(LineType.RECURRING, "P", rate),))


def total(lines: tuple[InvoiceLine, ...] | list[InvoiceLine]) -> Decimal:
    return sum((line.amount.amount for line in lines), Decimal(0))


@st.composite
def changes(
    draw: st.DrawFn,
) -> tuple[date, Money, BillingCycle, date, Money, BillingCycle | None, ChangePolicy]:
    start = draw(st.dates(date(2024, 1, 1), date(2026, 12, 1)))
    cycle = draw(CYCLES)
    period = BillingSchedule(cycle, start).period(0)
    at = start + timedelta(days=draw(st.integers(0, period.days - 1)))
    policy = ChangePolicy(
        credit=draw(st.sampled_from(list(CreditMode))),
        charge=draw(st.sampled_from(list(ChargeMode))),
        change_day=draw(st.sampled_from(list(ChangeDay))),
        anchor=draw(st.sampled_from(list(Anchor))),
    )
    new_cycle = draw(st.one_of(st.none(), CYCLES))
    if policy.anchor is Anchor.RESTART and new_cycle is None:
        new_cycle = cycle
    if policy.change_day is ChangeDay.OLD_PLAN and at + timedelta(days=1) >= period.end:
        at = period.start  # the effective day must stay inside the period
    if new_cycle is not None and new_cycle.unit.name == "MONTH" and cycle.unit.name != "MONTH":
        # The quote measures months back from a weekly anniversary on the week's day of the
        # month (a 14-day "month"); the engine uses whole months ending on the anniversary.
        new_cycle = None if policy.anchor is Anchor.KEEP else new_cycle
    return start, usd(draw(PRICES)), cycle, at, usd(draw(PRICES)), new_cycle, policy


@given(changes())
def test_every_change_policy_bills_what_its_quote_says(
    change: tuple[date, Money, BillingCycle, date, Money, BillingCycle | None, ChangePolicy],
) -> None:
    start, old, cycle, at, new, new_cycle, policy = change
    timeline = one_track(start, old, cycle)
    invoiced = list(lines_due(timeline, (), start))
    period = BillingSchedule(cycle, start).period(0)
    quote = quote_change(
        Charge(old, period), new, at, new_cycle=new_cycle, policy=policy, description="new plan"
    )
    changed = change_rate(
        timeline, "P", at, new, cycle=new_cycle, policy=policy, description="new plan"
    )
    # Everything the quote bills is due by the day before its next due date.
    until = max(at, (quote.next_due or period.end) - timedelta(days=1))
    billed = list(lines_due(changed, invoiced, at))
    billed += lines_due(changed, invoiced + billed, until)
    if policy.anchor is Anchor.KEEP and new_cycle is not None and new_cycle != cycle:
        # The quote charges every new window up to the old anniversary at once; the engine
        # when each falls due. Both charge the same windows by the anniversary.
        billed = [line for line in billed if line.period is None or line.period.end <= period.end]
    if old == new and new_cycle in (None, cycle):
        # Days whose price does not change are left as invoiced: the engine reverses and
        # charges nothing for them, where the quote credits and charges them, each rounded.
        assert abs(total(billed) - quote.net.amount) <= Decimal("0.01")
    else:
        assert total(billed) == quote.net.amount


@given(
    st.dates(date(2024, 1, 1), date(2026, 12, 1)),
    PRICES,
    CYCLES,
    st.integers(0, 400),
    st.sampled_from(list(CreditMode)),
    st.sampled_from(list(UsedDay)),
)
def test_every_refund_policy_refunds_what_its_quote_says(
    start: date,
    price: str,
    cycle: BillingCycle,
    offset: int,
    refund: CreditMode,
    used_day: UsedDay,
) -> None:
    timeline = one_track(start, usd(price), cycle)
    period = BillingSchedule(cycle, start).period(0)
    day = start + timedelta(days=offset % period.days)
    if used_day is UsedDay.USED and day + timedelta(days=1) >= period.end:
        day = start
    invoiced = list(lines_due(timeline, (), start))
    quote = quote_cancellation(Charge(usd(price), period), day, refund=refund, used_day=used_day)
    ended = end_billing(timeline, day, refund=refund, used_day=used_day)
    assert total(lines_due(ended, invoiced, day)) == quote.net.amount
    assert (
        lines_due(
            ended, invoiced + list(lines_due(ended, invoiced, day)), day + timedelta(days=900)
        )
        == ()
    )


@given(
    st.dates(date(2024, 1, 1), date(2026, 12, 1)),
    PRICES,
    CYCLES,
    st.integers(0, 400),
    st.integers(0, 400),
)
def test_a_pause_credits_what_quote_pause_says(
    start: date, price: str, cycle: BillingCycle, offset: int, length: int
) -> None:
    """A pause of the lifecycle is a pause of the timeline, billed by the engine; its credit
    is :func:`~prodlife.proration.quote_pause`'s (prorated) for the same paused days."""
    timeline = one_track(start, usd(price), cycle)
    period = BillingSchedule(cycle, start).period(0)
    paused_on = start + timedelta(days=offset % period.days)
    resumed_on = paused_on + timedelta(days=1 + length % (period.end - paused_on).days)
    charge = Charge(usd(price), period)
    invoiced = list(lines_due(timeline, (), start))
    paused = timeline.pause(paused_on)
    credit = list(lines_due(paused, invoiced, paused_on))
    # While paused, everything after the pause began is credited: one line, rounded once.
    assert total(credit) == quote_pause(charge, Period(paused_on, period.end)).net.amount
    resumed = paused.resume(resumed_on)
    rebilled = [
        line
        for line in lines_due(resumed, invoiced + credit, resumed_on)
        if line.period is not None and line.period.end <= period.end
    ]
    # Resumed, the days after it are charged again: the quote credits the paused days in one
    # line, the engine in two (the credit, then the charge), each rounded.
    quote = quote_pause(charge, Period(paused_on, resumed_on))
    assert abs(total(credit) + total(rebilled) - quote.net.amount) <= Decimal("0.01")


def test_an_option_change_during_a_pending_end_of_term_downgrade_survives_it() -> None:
    """The downgrade waits in the timeline; a later change of another track leaves it be."""
    start = date(2025, 1, 1)
    month = BillingSchedule(MONTHLY, start)
    base = Track.of(LineType.RECURRING, "WEB", Rate(start, None, usd("40.00"), month, "WEB PRO"))
    disk = Track.of(LineType.OPTION, "DISK", Rate(start, None, usd("5.00"), month, "disk 10 GB"))
    timeline = Timeline("S", "C", start, tracks=(base, disk))
    downgrade = timeline.schedule_rate(
        "WEB", Rate(date(2025, 2, 1), None, usd("10.00"), month, "WEB")
    )
    invoiced = list(lines_due(downgrade, (), start))
    bigger = change_rate(downgrade, "DISK", date(2025, 1, 16), usd("8.00"), description="disk 20")
    invoiced += lines_due(bigger, invoiced, date(2025, 1, 16))
    february = lines_due(bigger, invoiced, date(2025, 2, 1))
    assert sorted(str(line.amount.amount) for line in february) == ["10.00", "8.00"]


def test_changing_a_track_that_is_not_held_is_refused() -> None:
    timeline = one_track(date(2025, 1, 1), usd("10"), MONTHLY)
    with pytest.raises(NotFound):
        change_rate(timeline, "NOPE", date(2025, 1, 5), usd("1"), description="x")
    with pytest.raises(RuleViolation, match="holds nothing"):
        change_rate(timeline, "P", date(2024, 12, 5), usd("1"), description="x")


def test_a_service_ended_before_it_began_is_billed_nothing() -> None:
    timeline = one_track(date(2025, 1, 10), usd("10"), MONTHLY)
    ended = end_billing(timeline, date(2025, 1, 10), used_day=UsedDay.UNUSED)
    assert lines_due(ended, (), date(2025, 3, 1)) == ()


def test_no_refund_bills_every_track_to_the_end_of_its_period() -> None:
    start = date(2025, 1, 1)
    month = BillingSchedule(MONTHLY, start)
    year = BillingSchedule(ANNUAL, start)
    base = Track.of(LineType.RECURRING, "WEB", Rate(start, None, usd("10.00"), month, "WEB"))
    ssl = Track.of(LineType.ADDON, "SSL", Rate(start, None, usd("60.00"), year, "SSL"))
    timeline = Timeline("S", "C", start, tracks=(base, ssl))
    invoiced = list(lines_due(timeline, (), start))
    ended = end_billing(timeline, date(2025, 1, 20), refund=CreditMode.NONE)
    assert lines_due(ended, invoiced, date(2025, 1, 20)) == ()
    assert ended.end == date(2026, 1, 1)
    assert lines_due(ended, invoiced, date(2025, 2, 1)) == ()  # the month is not renewed
    assert Period(start, date(2025, 2, 1)) == invoiced[0].period
