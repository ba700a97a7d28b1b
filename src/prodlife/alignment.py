"""Where a service's billing periods fall when they do not start on its start date.

A service billed *from its start* has periods of its cycle anchored on that
day (:class:`~prodlife.cycles.BillingSchedule`). Aligned billing puts every
service on common boundaries instead, and its first period is a *stub* from
the start to the first boundary, measured against a whole period (its
*window*). The public billing systems differ in three choices, each an
option here with prodlife's behaviour the default:

- **Where the first boundary of a long cycle is** (:class:`LongCycles`): at
  the next billing day, at most a month away (``NEXT_BILLING_DAY``); at the
  billing day of the start's month moved by whole cycles until it is not
  before the start (``WHOLE_CYCLES``, Kill Bill's ``BillingIntervalDetail``);
  or on the calendar's quarters, half-years and years (``CALENDAR``, Lago's
  calendar billing).
- **What a stub is measured against** (:class:`StubWindow`): the billing
  period that holds the start (``BILLING_PERIOD``), or one cycle back from the
  stub's end by calendar arithmetic (``CYCLE_BEFORE_END``, Kill Bill's
  ``calculateProRationBeforeFirstBillingPeriod``): with billing day 31, a
  stub ending on Feb 28 is measured against Jan 28 to Feb 28, not Jan 31 to
  Feb 28.
- **Weekly cycles on a weekday** (:func:`align_to_weekday`), Monday for
  Lago's calendar billing.

:func:`align_to_calendar` is calendar billing in one call.

>>> from datetime import date
>>> from prodlife.cycles import ANNUAL, MONTHLY, QUARTERLY
>>> align_to_billing_day(date(2025, 3, 20), 5, QUARTERLY).first
Period(2025-03-20, 2025-04-05)
>>> align_to_billing_day(date(2025, 3, 20), 5, QUARTERLY, cycles=LongCycles.WHOLE_CYCLES).first
Period(2025-03-20, 2025-06-05)
>>> align_to_calendar(date(2025, 3, 20), QUARTERLY).first
Period(2025-03-20, 2025-04-01)
>>> align_to_billing_day(date(2025, 2, 10), 31, stub=StubWindow.CYCLE_BEFORE_END).window
Period(2025-01-28, 2025-02-28)
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

import attrs

from prodlife._numbers import is_whole
from prodlife.cycles import (
    MONTHLY,
    BillingCycle,
    BillingSchedule,
    CycleUnit,
    MonthEnd,
    _month_date,
    _valid_day,
    days_in_month,
)
from prodlife.errors import InvalidBillingCycle
from prodlife.periods import Period, _require_date

__all__ = [
    "Alignment",
    "LongCycles",
    "StubWindow",
    "align_to_billing_day",
    "align_to_calendar",
    "align_to_weekday",
]


class LongCycles(enum.Enum):
    """Where the first boundary of a service aligned to a billing day falls.

    The choices agree for monthly cycles and differ for longer ones (a
    quarterly service started on Mar 20 with billing day 5):

    - ``NEXT_BILLING_DAY`` (prodlife's default): the next billing day, at most
      a month away (Apr 5), then whole cycles (Jul 5...).
    - ``WHOLE_CYCLES`` (Kill Bill): the billing day of the start's month
      (Mar 5), moved by whole cycles until it is not before the start (Jun 5).
    - ``CALENDAR`` (Lago's calendar billing): boundaries on the billing day of
      the months that start the calendar's quarters, half-years or years,
      counted from January (Apr 5, Jul 5...; a yearly cycle on Jan 5).
    """

    NEXT_BILLING_DAY = "next-billing-day"
    WHOLE_CYCLES = "whole-cycles"
    CALENDAR = "calendar"


class StubWindow(enum.Enum):
    """The whole period a first stub is measured against.

    - ``BILLING_PERIOD`` (prodlife's default): the period of the service's
      schedule that holds its start (billing day 31: Jan 31 to Feb 28 for a
      stub ending on Feb 28).
    - ``CYCLE_BEFORE_END`` (Kill Bill): one cycle back from the stub's end by
      calendar arithmetic, the day clamped (Jan 28 to Feb 28).
    """

    BILLING_PERIOD = "billing-period"
    CYCLE_BEFORE_END = "cycle-before-end"


@attrs.frozen(slots=True)
class Alignment:
    """Where a service ordered on some date starts billing, aligned to common boundaries.

    Attributes:
        first: the first period to charge, from the order date up to the
            first boundary (a partial stub), or a whole period when the
            order falls on a boundary.
        window: the whole period the first one is measured against: the
            denominator when the stub is prorated (see :class:`StubWindow`).
        schedule: the regular periods; period 0 starts where ``first`` ends.
    """

    first: Period
    window: Period
    schedule: BillingSchedule

    @property
    def is_stub(self) -> bool:
        """Whether the first period is shorter than a whole period."""
        return self.first != self.window


def _require_cycle(cycle: object) -> BillingCycle:
    if not isinstance(cycle, BillingCycle):
        raise InvalidBillingCycle(
            f"cycle {cycle!r} must be a BillingCycle; BillingCycle.parse() reads a name"
        )
    return cycle


def _enum(kind: type[enum.Enum], value: object) -> None:
    if not isinstance(value, kind):
        names = ", ".join(f"{kind.__name__}.{member.name}" for member in kind)
        raise InvalidBillingCycle(f"{value!r} is not a {kind.__name__}; use one of {names}")


def _aligned(start: date, boundary: date, schedule: BillingSchedule, stub: StubWindow) -> Alignment:
    """The stub from ``start`` to ``boundary`` (period 0 of ``schedule``) and its window."""
    if boundary == start:
        first = schedule.period(0)
        following = BillingSchedule(
            schedule.cycle, first.end, schedule.anchor_day, schedule.month_end
        )
        return Alignment(first, first, following)
    window = schedule.period(-1)
    if stub is StubWindow.CYCLE_BEFORE_END:
        window = Period(schedule.cycle.shift(boundary, -1), boundary)
    return Alignment(Period(start, boundary), window, schedule)


def align_to_billing_day(
    start: date,
    billing_day: int,
    cycle: BillingCycle = MONTHLY,
    *,
    month_end: MonthEnd = MonthEnd.CLAMP,
    cycles: LongCycles = LongCycles.NEXT_BILLING_DAY,
    stub: StubWindow = StubWindow.BILLING_PERIOD,
) -> Alignment:
    """Align a service starting on ``start`` to a fixed billing day of the month.

    The first period runs from ``start`` to the first boundary (a day of 31
    falls on the last day of shorter months and comes back); from there the
    cycle repeats. ``cycles`` says where that boundary is for cycles longer
    than a month, ``stub`` what a stub is measured against.

    Args:
        start: the date service starts.
        billing_day: the day of the month every period starts on (1-31).
        cycle: a month-based cycle.
        month_end: month-end policy for the regular periods.
        cycles: where the first boundary falls (:class:`LongCycles`).
        stub: the window of a stub (:class:`StubWindow`).

    Raises:
        InvalidBillingCycle: the cycle is not month-based, the day is not
            1-31, or an option is not one of its enum's members.

    >>> aligned = align_to_billing_day(date(2025, 3, 10), 1)
    >>> aligned.first, aligned.window, aligned.is_stub
    (Period(2025-03-10, 2025-04-01), Period(2025-03-01, 2025-04-01), True)
    """
    _valid_day(billing_day)
    _require_date(start, "start")
    cycle = _require_cycle(cycle)
    _enum(LongCycles, cycles)
    _enum(StubWindow, stub)
    if cycle.unit is not CycleUnit.MONTH:
        raise InvalidBillingCycle(
            f"cannot align a {cycle} cycle to a day of the month; use a month-based cycle, or "
            "align_to_weekday for weeks"
        )
    if cycles is LongCycles.CALENDAR:
        january = _month_date(start.year, 0, billing_day)
        holding = BillingSchedule(cycle, january, billing_day).period_containing(start)
        boundary = start if holding.start == start else holding.end
    elif cycles is LongCycles.WHOLE_CYCLES:
        boundary = _month_date(start.year, start.month - 1, billing_day)
        if boundary < start:
            boundary = _month_date(start.year, start.month - 1 + cycle.count, billing_day)
    elif start.day == min(billing_day, days_in_month(start.year, start.month)):
        boundary = start
    else:
        this_month = _month_date(start.year, start.month - 1, billing_day)
        boundary = BillingSchedule(MONTHLY, this_month, billing_day).next_boundary(start)
    schedule = BillingSchedule(cycle, boundary, billing_day, month_end)
    return _aligned(start, boundary, schedule, stub)


def align_to_weekday(start: date, weekday: int, cycle: BillingCycle) -> Alignment:
    """Align a service on a week-based ``cycle`` to periods starting on ``weekday``.

    Periods start on ``weekday`` (0 Monday ... 6 Sunday); the first runs from
    ``start`` to the end of the period that holds it, counted from the
    weekday on or before ``start``, and is measured against that whole period.

    Raises:
        InvalidBillingCycle: the cycle is not counted in weeks, or the weekday
            is not 0-6.

    >>> from prodlife.cycles import BillingCycle
    >>> align_to_weekday(date(2022, 6, 22), 0, BillingCycle.weeks(1)).first
    Period(2022-06-22, 2022-06-27)
    """
    _require_date(start, "start")
    cycle = _require_cycle(cycle)
    if not is_whole(weekday, 0, 6):
        raise InvalidBillingCycle(
            f"weekday {weekday!r} must be a whole number from 0 (Monday) to 6 (Sunday)"
        )
    if cycle.unit is not CycleUnit.WEEK:
        raise InvalidBillingCycle(
            f"cannot align a {cycle} cycle to a weekday; use a cycle counted in weeks"
        )
    anchor = start - timedelta(days=(start.weekday() - weekday) % 7)
    period = BillingSchedule(cycle, anchor).period(0)
    boundary = start if period.start == start else period.end
    return _aligned(start, boundary, BillingSchedule(cycle, boundary), StubWindow.BILLING_PERIOD)


def align_to_calendar(start: date, cycle: BillingCycle, *, week_start: int = 0) -> Alignment:
    """Calendar billing: periods on calendar months, quarters, half-years, years or weeks.

    Month-based cycles start on the 1st of the months that begin the
    calendar's periods (counted from January: quarters on Jan, Apr, Jul and
    Oct 1); week-based cycles on ``week_start`` (Monday unless given). The
    first period, from ``start``, is a stub measured against the whole
    calendar period that holds it (Lago's calendar billing).

    Raises:
        InvalidBillingCycle: a cycle counted in days (no calendar period).

    >>> from prodlife.cycles import ANNUAL
    >>> align_to_calendar(date(2025, 3, 20), ANNUAL).window
    Period(2025-01-01, 2026-01-01)
    """
    cycle = _require_cycle(cycle)
    if cycle.unit is CycleUnit.WEEK:
        return align_to_weekday(start, week_start, cycle)
    if cycle.unit is not CycleUnit.MONTH:
        raise InvalidBillingCycle(
            f"a {cycle} cycle has no calendar periods; use months, quarters, years or weeks"
        )
    return align_to_billing_day(start, 1, cycle, cycles=LongCycles.CALENDAR)
